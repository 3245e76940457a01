"""The one retry layer of dovetail: exponential backoff with full jitter that honours ``Retry-After``.

Provider SDK clients are built with their own retries off, and integrations wrap each provider call in
:func:`retry_call` / :func:`aretry_call` with the instance's :class:`RetryPolicy` and their ``map_error``, so a
call is never retried twice over. What is retried is decided by :attr:`DovetailError.is_retryable`:
408/409/429/5xx, timeouts and connection errors are; 400/401/403/404/422 and everything that is not a
``DovetailError`` are not. A ``Retry-After`` the provider sent with a 429 or a 503 (``retry_after`` of the
:class:`~dovetail.core.errors.ProviderError`) replaces the backoff for that retry.

Two more rules bound the cost of a failure:

- **Non-idempotent calls** (``idempotent=False``: a chat completion, anything billed or with side effects) are
  retried only after errors that carry an HTTP status (the provider answered 429/5xx) or that happened before
  the request was sent (a refused connection). A timeout, a cut connection or an unreadable answer leaves it
  unknown whether the provider did the work, so such a call is not sent again unless the policy opts in with
  ``retry_ambiguous=True``.
- **A total deadline** (``RetryPolicy.deadline``): no retry starts once its wait would end past the deadline,
  counted from the first attempt.

Errors from ``fn`` are passed through ``map_error`` and the mapped error is raised **without a chain**: a
provider's exception often carries the request (headers with the API key) or a response body that echoes it, so
it must not ride along in ``__cause__``/``__context__`` into tracebacks and ``logger.exception``. ``map_error``
puts a redacted summary of what went wrong into the message instead.

Example:
    ```python
    policy = RetryPolicy(max_retries=3, initial_delay=0.2, deadline=120.0)
    result = retry_call(lambda: client.create(...), policy, map_error=to_dovetail_error, operation="openai.chat",
                        idempotent=False)
    ```
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import NoReturn
from typing import TypeVar

from dovetail.core._exceptions import DovetailError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import ProviderError
from dovetail.core._retry_after import parse_retry_after

__all__ = ["RetryPolicy", "aretry_call", "next_retry_delay", "parse_retry_after", "retry_call"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
MapError = Callable[[Exception], BaseException]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed provider call.

    Args:
        max_retries: retries after the first attempt (0 disables retrying); 0–10.
        initial_delay: backoff base in seconds; attempt ``n`` waits up to ``initial_delay * 2**n``.
        max_delay: ceiling of one backoff wait, in seconds.
        max_retry_after: the longest ``Retry-After`` the policy will honour; a longer one is raised at once.
        deadline: seconds from the first attempt after which no retry starts (``None``: no limit). A retry whose
            wait would end past it is not attempted; the last error is raised instead.
        retry_ambiguous: also retry non-idempotent calls after errors without an HTTP status (timeouts, cut
            connections, unreadable answers), where the provider may already have done (and billed) the work.

    Raises:
        InvalidInputError: a value is out of range (the message names it and the allowed range).
    """

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    deadline: float | None = None
    retry_ambiguous: bool = False
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            msg = f"max_retries must be an integer between 0 and 10, got {self.max_retries!r}"
            raise InvalidInputError(msg)
        if not 0 <= self.max_retries <= 10:
            msg = f"max_retries must be between 0 and 10, got {self.max_retries}"
            raise InvalidInputError(msg)
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                msg = f"{name} must be a finite number of seconds >= 0, got {value!r}"
                raise InvalidInputError(msg)
        if self.deadline is not None and (
            not isinstance(self.deadline, (int, float)) or not math.isfinite(self.deadline) or self.deadline <= 0
        ):
            msg = f"deadline must be a finite number of seconds > 0 (or None for no limit), got {self.deadline!r}"
            raise InvalidInputError(msg)

    def delay_for(
        self, attempt: int, error: BaseException, *, idempotent: bool = True, elapsed: float = 0.0
    ) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or ``None`` when not to retry.

        Args:
            attempt: how many retries were made so far.
            error: the error of the last attempt.
            idempotent: whether sending the call twice is harmless (see the module docstring).
            elapsed: seconds since the first attempt started (for ``deadline``).
        """
        if attempt >= self.max_retries or not _is_retryable(error, idempotent or self.retry_ambiguous):
            return None
        asked = error.retry_after if isinstance(error, ProviderError) else None
        if asked is not None:  # a Retry-After on 429 or 503 (RFC 9110): the provider's wait, not the backoff
            if asked > self.max_retry_after:
                return None
            delay = max(0.0, asked)
        else:
            ceiling = min(self.max_delay, self.initial_delay * (2**attempt))
            delay = self.rng.uniform(0.0, ceiling)
        if self.deadline is not None and elapsed + delay >= self.deadline:
            return None
        return delay


def _is_retryable(error: BaseException, ambiguous_ok: bool) -> bool:
    if not isinstance(error, DovetailError) or not error.is_retryable:
        return False
    if ambiguous_ok:
        return True
    # Without a status the provider may have processed the request; only "never sent" is safe to repeat.
    if getattr(error, "status", None) is not None:
        return True
    return getattr(error, "request_sent", True) is False


def next_retry_delay(
    policy: RetryPolicy,
    attempt: int,
    error: BaseException,
    *,
    operation: str,
    started: float,
    idempotent: bool = True,
) -> float | None:
    """The wait before retry number ``attempt`` (logged as a WARNING), or ``None`` when ``error`` is to be raised.

    :func:`retry_call` uses it for each failure; code that cannot wrap one call (a stream that resumes where it
    broke off) calls it directly, so the decision and the log line are the same everywhere.

    Args:
        policy: the retry policy.
        attempt: retries made so far.
        error: the (mapped) error of the last attempt.
        operation: a name for the log line.
        started: ``time.monotonic()`` when the first attempt started (for the deadline).
        idempotent: whether repeating the call is harmless.
    """
    delay = policy.delay_for(attempt, error, idempotent=idempotent, elapsed=time.monotonic() - started)
    if delay is not None:
        logger.warning(
            "%s failed (%s: %s); retry %d/%d in %.2fs",
            operation,
            type(error).__name__,
            error,
            attempt + 1,
            policy.max_retries,
            delay,
        )
    return delay


def _mapped(exc: Exception, map_error: MapError | None) -> BaseException:
    if map_error is None:
        return exc
    return map_error(exc)


def _raise_unchained(error: BaseException, original: BaseException) -> NoReturn:
    if error is original:
        raise error
    error.__cause__ = None
    error.__suppress_context__ = True
    raise error


class _Attempts:
    """The bookkeeping of one retried call, shared by :func:`retry_call` and :func:`aretry_call`.

    :meth:`failed` runs inside the ``except`` block (``map_error`` sees the exception being handled);
    :meth:`next_delay` runs after it, so the mapped error it raises gets no implicit ``__context__`` pointing
    at the original.
    """

    def __init__(self, policy: RetryPolicy, operation: str, map_error: MapError | None, idempotent: bool) -> None:
        self._policy = policy
        self._operation = operation
        self._map_error = map_error
        self._idempotent = idempotent
        self._attempt = 0
        self._started = time.monotonic()
        self._failure: tuple[BaseException, BaseException] | None = None

    def failed(self, exc: Exception) -> None:
        """Record that an attempt raised ``exc``."""
        self._failure = (_mapped(exc, self._map_error), exc)

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt; raises the mapped error when no retry is left."""
        assert self._failure is not None
        error, original = self._failure
        self._failure = None
        delay = next_retry_delay(
            self._policy,
            self._attempt,
            error,
            operation=self._operation,
            started=self._started,
            idempotent=self._idempotent,
        )
        if delay is None:
            _raise_unchained(error, original)
        self._attempt += 1
        return delay


def retry_call(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    operation: str = "call",
    map_error: MapError | None = None,
    idempotent: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` and retry it per ``policy`` while it raises retryable :class:`DovetailError` s.

    Args:
        fn: the call.
        policy: the retry policy.
        operation: a name for log lines, e.g. ``"openai.chat"``.
        map_error: turns a provider exception into a dovetail error (returning it unchanged keeps it); the
            mapped error is raised without ``__cause__``/``__context__`` (see the module docstring).
        idempotent: ``False`` for calls that must not run twice by accident (see the module docstring).
        sleep: the sleep function (tests may record waits).

    Returns:
        What ``fn`` returned.

    Raises:
        DovetailError: the last error when retries are exhausted or the error is not retryable.
    """
    attempts = _Attempts(policy, operation, map_error, idempotent)
    while True:
        try:
            return fn()
        except Exception as exc:
            attempts.failed(exc)
        sleep(attempts.next_delay())


async def aretry_call(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    operation: str = "call",
    map_error: MapError | None = None,
    idempotent: bool = True,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Async twin of :func:`retry_call`: awaits ``fn()`` and sleeps without blocking the event loop."""
    attempts = _Attempts(policy, operation, map_error, idempotent)
    while True:
        try:
            return await fn()
        except Exception as exc:
            attempts.failed(exc)
        await sleep(attempts.next_delay())
