"""The one retry layer of dovetail: exponential backoff with full jitter that honours ``Retry-After``.

Provider SDK clients are built with their own retries off, and integrations wrap each provider call in
:func:`retry_call` / :func:`aretry_call` with the instance's :class:`RetryPolicy`, so a call is never retried
twice over. What is retried is decided by :attr:`DovetailError.is_retryable`: 408/409/429/5xx, timeouts and
connection errors are; 400/401/403/404/422 and everything that is not a ``DovetailError`` are not.

Example:
    ```python
    policy = RetryPolicy(max_retries=3, initial_delay=0.2)
    result = retry_call(lambda: client.create(...), policy, operation="openai.chat")
    ```
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from dovetail.core._exceptions import DovetailError, InvalidInputError, RateLimitError

__all__ = ["RetryPolicy", "aretry_call", "retry_call"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed provider call.

    Args:
        max_retries: retries after the first attempt (0 disables retrying); 0–10.
        initial_delay: backoff base in seconds; attempt ``n`` waits up to ``initial_delay * 2**n``.
        max_delay: ceiling of one backoff wait, in seconds.
        max_retry_after: the longest ``Retry-After`` the policy will honour; a longer one is raised at once.
    """

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.max_retries <= 10:
            msg = f"max_retries must be between 0 and 10, got {self.max_retries}"
            raise InvalidInputError(msg)
        if self.initial_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0:
            msg = "retry delays must be >= 0 seconds"
            raise InvalidInputError(msg)

    def delay_for(self, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or ``None`` when not to retry."""
        if attempt >= self.max_retries or not _is_retryable(error):
            return None
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            if error.retry_after > self.max_retry_after:
                return None
            return max(0.0, error.retry_after)
        ceiling = min(self.max_delay, self.initial_delay * (2**attempt))
        return self.rng.uniform(0.0, ceiling)


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, DovetailError) and bool(error.is_retryable)


def _next_delay(policy: RetryPolicy, attempt: int, error: Exception, operation: str) -> float | None:
    """The wait before the next attempt (logged), or ``None`` when the error is to be raised."""
    delay = policy.delay_for(attempt, error)
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


def retry_call(
    fn: Callable[[], T],
    policy: RetryPolicy,
    *,
    operation: str = "call",
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` and retry it per ``policy`` while it raises retryable :class:`DovetailError` s.

    Args:
        fn: the call; it must raise dovetail errors (map provider exceptions inside it).
        policy: the retry policy.
        operation: a name for log lines, e.g. ``"openai.chat"``.
        sleep: the sleep function (tests may record waits).

    Returns:
        What ``fn`` returned.

    Raises:
        DovetailError: the last error when retries are exhausted or the error is not retryable.
    """
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            delay = _next_delay(policy, attempt, exc, operation)
            if delay is None:
                raise
            attempt += 1
            sleep(delay)


async def aretry_call(
    fn: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    operation: str = "call",
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Async twin of :func:`retry_call`: awaits ``fn()`` and sleeps without blocking the event loop."""
    attempt = 0
    while True:
        try:
            return await fn()
        except Exception as exc:
            delay = _next_delay(policy, attempt, exc, operation)
            if delay is None:
                raise
            attempt += 1
            await sleep(delay)
