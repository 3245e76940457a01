"""One path from a provider SDK's exceptions to dovetail's typed errors, shared by the provider integrations.

SDK exceptions are recognised by class name along the MRO (:func:`class_names`), so no SDK is imported to map
its errors and every SDK major that keeps the names works. A provider keeps only what is its own:

- :class:`ErrorHints`: its name, where its key comes from, what a 404 usually means, which setting bounds a
  request, its extra statuses (Anthropic's 529), what its keys look like (for redaction);
- reading its status exception into a :class:`StatusFailure` (status, message, request id, headers);
- special cases before the shared path (Gemini's 400 ``API_KEY_INVALID`` is a refused key).

:func:`map_provider_error` does the rest: HTTP statuses through :func:`dovetail.core.errors.error_for_status`
with a message that says what to do, ``Retry-After`` of a 429 or 503 kept for the retry policy, timeouts,
refused versus cut connections (``request_sent``), requests the SDK refused before sending, and anything else.
Every message goes through :func:`dovetail.core.redact.redact` with the key and the provider's key patterns.

Example:
    ```python
    HINTS = ErrorHints("acme", auth="Check the API key (argument api_key or ACME_API_KEY).")

    def map_acme_error(exc: BaseException, *, operation: str, secret: str | None = None) -> DovetailError:
        failure = None
        if "APIStatusError" in class_names(exc):
            failure = StatusFailure(exc.status_code, exc.message, exc.request_id, exc.response.headers)
        return map_provider_error(exc, HINTS, operation=operation, secret=secret, failure=failure)
    ```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from dovetail.core._exceptions import AuthenticationError
from dovetail.core._exceptions import DovetailError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import ProviderConnectionError
from dovetail.core._exceptions import ProviderError
from dovetail.core._exceptions import ProviderTimeoutError
from dovetail.core._exceptions import error_for_status
from dovetail.core._retry_after import parse_retry_after
from dovetail.core.redact import redact

__all__ = ["ErrorHints", "StatusFailure", "class_names", "map_provider_error", "status_error"]

_TIMEOUTS = frozenset({"APITimeoutError", "TimeoutException"})
_CONNECTIONS = frozenset({"APIConnectionError", "TransportError", "RemoteProtocolError", "ConnectionError"})
_REFUSED = frozenset({"ConnectError", "ConnectionRefusedError"})
_RETRY_AFTER_STATUSES = frozenset({429, 503})  # the statuses RFC 9110 / RFC 6585 give a Retry-After


def class_names(exc: BaseException | None) -> frozenset[str]:
    """The names of ``exc``'s classes along its MRO (empty for ``None``)."""
    return frozenset(cls.__name__ for cls in type(exc).__mro__) if exc is not None else frozenset()


@dataclass(frozen=True)
class ErrorHints:
    """What a provider's error messages say that is its own.

    Args:
        provider: the provider name on errors and in messages (``"anthropic"``).
        auth: the advice after a refused key (401/403): where the key comes from.
        not_found: the advice after a 404.
        timeout: the advice after a timeout (which setting to raise).
        connection: the advice after a failed or cut connection.
        status_advice: advice for statuses of the provider's own (``{529: "Anthropic is overloaded; ..."}``).
        key_patterns: what the provider's keys look like, masked in every message.
    """

    provider: str
    auth: str = "Check the API key and its access to this model."
    not_found: str = "Check the model name and base_url."
    timeout: str = "raise timeout=... or retry later"
    connection: str = "check base_url and the network"
    status_advice: Mapping[int, str] = field(default_factory=dict)
    key_patterns: tuple[re.Pattern[str], ...] = ()

    def clean(self, text: str, secret: str | None = None) -> str:
        """``text`` without the key, anything shaped like the provider's keys, or URL credentials."""
        return redact(text, (secret,), self.key_patterns)


@dataclass(frozen=True)
class StatusFailure:
    """A provider's answer with an HTTP error status, as read from its SDK's exception.

    Args:
        status: the HTTP status (an error event inside a 200 stream gives the status it stands for).
        detail: the provider's message (redacted by :func:`status_error`).
        request_id: the provider's request id, if it sent one.
        headers: the response headers (for ``Retry-After``), if the SDK keeps them.
        retry_after: the wait already read from the headers by other means (Ollama's SDK drops them).
    """

    status: int
    detail: str
    request_id: str | None = None
    headers: Any = None
    retry_after: float | None = None


def _status_message(where: str, status: int, detail: str, hints: ErrorHints, wait: float | None) -> str:
    if status in (401, 403):
        return f"{where} was refused with HTTP {status}: {detail}. {hints.auth}"
    if status == 429:
        hint = f"; the provider asked to retry after {wait:.2f}s" if wait is not None else ""
        return f"{where} was rate limited (HTTP 429){hint}: {detail}. Lower the request rate or retry later."
    if status == 404:
        return f"{where} got HTTP 404: {detail}. {hints.not_found}"
    if status in (400, 413, 422):
        return f"{where} rejected the request (HTTP {status}): {detail}. Fix the input; it is not retried."
    advice = hints.status_advice.get(status)
    if advice is None and wait is not None:
        advice = f"The provider asked to retry after {wait:.2f}s."
    return f"{where} failed with HTTP {status}: {detail}." + (f" {advice}" if advice else "")


def status_error(
    failure: StatusFailure,
    hints: ErrorHints,
    *,
    operation: str,
    secret: str | None = None,
    credentials_refused: bool = False,
) -> DovetailError:
    """The typed error for an HTTP error status (see :func:`dovetail.core.errors.error_for_status`).

    Args:
        failure: the status, message, request id and headers.
        hints: the provider's advice.
        operation: what was being done (``"chat"``, ``"embed"``).
        secret: the key, masked in the message.
        credentials_refused: the provider refused the key with another status (Gemini's 400 ``API_KEY_INVALID``):
            an :class:`AuthenticationError` whatever the status.
    """
    where = f"{hints.provider} {operation}"
    status, request_id = failure.status, failure.request_id
    detail = hints.clean(failure.detail, secret)
    if request_id:
        detail = f"{detail} (request id {request_id})"
    if credentials_refused:
        msg = f"{where} was refused (HTTP {status}): {detail}. {hints.auth}"
        return AuthenticationError(msg, status=status, provider=hints.provider, request_id=request_id)
    wait = None
    if status in _RETRY_AFTER_STATUSES:
        wait = failure.retry_after if failure.retry_after is not None else parse_retry_after(failure.headers)
    msg = _status_message(where, status, detail, hints, wait)
    return error_for_status(status, msg, provider=hints.provider, request_id=request_id, retry_after=wait)


def map_provider_error(
    exc: BaseException,
    hints: ErrorHints,
    *,
    operation: str,
    secret: str | None = None,
    failure: StatusFailure | None = None,
    refused: bool | None = None,
    fallback: type[DovetailError] = DovetailError,
) -> DovetailError:
    """The dovetail error for an exception raised by a provider SDK or its HTTP client.

    Args:
        exc: the exception caught around an SDK call or while iterating a stream.
        hints: the provider's advice.
        operation: what was being done (``"chat"``, ``"embed"``).
        secret: the key, masked in every message.
        failure: ``exc`` read as an HTTP error status, when it is one.
        refused: whether a connection error happened before the request was sent, when the provider knows
            better than the class names (``ConnectError``/``ConnectionRefusedError`` on ``exc`` or its cause).
        fallback: the class for anything unrecognised (a :class:`ProviderError` is retried, a bare
            :class:`DovetailError` is not).

    Returns:
        The error to raise (without chaining ``exc``, which may carry the key); a ``DovetailError`` comes back
        unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    if failure is not None:
        return status_error(failure, hints, operation=operation, secret=secret)
    where = f"{hints.provider} {operation}"
    names = class_names(exc) | class_names(exc.__cause__)
    if names & _TIMEOUTS:
        return ProviderTimeoutError(f"{where} timed out; {hints.timeout}.", provider=hints.provider)
    if names & _CONNECTIONS:
        reason = hints.clean(str(exc.__cause__ or exc), secret)
        msg = f"{where}: the connection to the provider failed or was cut ({reason}); {hints.connection}."
        sent = not (bool(names & _REFUSED) if refused is None else refused)
        return ProviderConnectionError(msg, provider=hints.provider, request_sent=sent)
    if isinstance(exc, (TypeError, ValueError)):  # raised by the SDK before sending: a bad request, not retried
        return InvalidInputError(f"{where}: the SDK rejected the request: {hints.clean(str(exc), secret)}")
    msg = f"{where} failed: {type(exc).__name__}: {hints.clean(str(exc), secret)}"
    if issubclass(fallback, ProviderError):
        return fallback(msg, provider=hints.provider)
    return fallback(msg)
