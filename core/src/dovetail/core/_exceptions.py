"""The dovetail error tree.

Every error raised by dovetail or by an integration on purpose is a ``DovetailError``::

    DovetailError
    ├── ConfigurationError        a setting, key or dependency is missing or invalid
    ├── AuthenticationError       the provider refused the credentials (401/403)
    ├── InvalidInputError         the caller passed something dovetail cannot use (also a ValueError)
    ├── OutputParserError         model output could not be parsed; carries the raw text (also a ValueError)
    ├── NotFoundError             an index, file, model or record does not exist (404; also a ValueError)
    ├── ConcurrentWriteError      another process is writing the same index, or changed it under a commit
    └── ProviderError             the provider failed; carries status, provider and request id
        ├── RateLimitError        429; carries ``retry_after`` seconds when the provider sent it
        ├── ProviderTimeoutError  the request did not finish within the configured timeout
        └── ProviderConnectionError  the provider could not be reached

``is_retryable`` tells the shared retry policy (``dovetail.core.retry``) whether trying again may help.
Integrations wrap provider exceptions in these with ``raise ... from exc``; :func:`error_for_status` picks the
class for an HTTP status.
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "ConcurrentWriteError",
    "ConfigurationError",
    "DovetailError",
    "InvalidInputError",
    "NotFoundError",
    "OutputParserError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "RateLimitError",
    "error_for_status",
]

_RETRYABLE_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


class DovetailError(Exception):
    """Base class of every error dovetail raises on purpose."""

    is_retryable: bool = False


class ConfigurationError(DovetailError):
    """A setting, API key or optional dependency is missing or invalid."""


class InvalidInputError(DovetailError, ValueError):
    """The caller passed input that dovetail cannot use: wrong type, dimension, operator, empty or too large."""


class OutputParserError(DovetailError, ValueError):
    """Model output could not be parsed. ``raw_output`` holds the text that was received.

    Also a ``ValueError``, as LlamaIndex's output parsers raise ``ValueError`` and users catch that.
    """

    def __init__(self, message: str, *, raw_output: str = "") -> None:
        super().__init__(message)
        self.raw_output = raw_output


class NotFoundError(DovetailError, ValueError):
    """An index, file, model or record does not exist.

    Also a ``ValueError``, as LlamaIndex raises ``ValueError`` for a missing reader path and users catch that.
    """


class ConcurrentWriteError(DovetailError):
    """Another process is writing the same index (and did not finish in time), or removed a commit in progress."""


class _ProviderResponseError(DovetailError):
    """An error about one provider response: carries its status, provider name and request id.

    Args:
        message: what failed and what to do about it.
        status: HTTP status code when there was a response.
        provider: provider name, e.g. ``"openai"``.
        request_id: the provider's request id, for support tickets.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        provider: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.provider = provider
        self.request_id = request_id


class AuthenticationError(_ProviderResponseError):
    """The provider rejected the credentials (HTTP 401/403). Never retried."""


class ProviderError(_ProviderResponseError):
    """A provider call failed (see :class:`_ProviderResponseError` for the attributes). ``retry_after`` is the
    wait in seconds the provider asked for (a ``Retry-After`` on 429 or 503), else ``None``."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        provider: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, provider=provider, request_id=request_id)
        self.retry_after = retry_after

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """True for 408/409/429/5xx; false for other statuses (400/401/403/404/422 are never retried)."""
        return self.status is None or self.status in _RETRYABLE_STATUSES or self.status >= 500


class RateLimitError(ProviderError):
    """The provider throttled the call (HTTP 429). ``retry_after`` is the wait it asked for, in seconds."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        provider: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, provider=provider, request_id=request_id, retry_after=retry_after)


class ProviderTimeoutError(ProviderError):
    """The provider did not answer within the configured timeout."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """Timeouts are always worth another try."""
        return True


class ProviderConnectionError(ProviderError):
    """The provider could not be reached (refused, reset, DNS failure).

    ``request_sent`` is ``False`` when the failure happened before the request left (a refused connection, a
    failed DNS lookup or TLS handshake): such a call is safe to send again even when it is not idempotent.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        provider: str | None = None,
        request_id: str | None = None,
        request_sent: bool = True,
    ) -> None:
        super().__init__(message, status=status, provider=provider, request_id=request_id)
        self.request_sent = request_sent

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """Connection failures are always worth another try."""
        return True


_INVALID_INPUT_STATUSES = frozenset({400, 413, 422})


def error_for_status(
    status: int,
    message: str,
    *,
    provider: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> DovetailError:
    """The typed error for a provider's HTTP error ``status`` (the caller raises it ``from`` the SDK exception).

    401/403 → :class:`AuthenticationError`, 429 → :class:`RateLimitError` (with ``retry_after``), 404 →
    :class:`NotFoundError`, 400/413/422 → :class:`InvalidInputError`, anything else → :class:`ProviderError`
    (retryable for 408/409/5xx).

    Args:
        status: the HTTP status code of the provider's answer.
        message: what failed and what to do about it (the caller knows the provider-specific advice).
        provider: provider name, e.g. ``"openai"``.
        request_id: the provider's request id, for support tickets.
        retry_after: seconds the provider asked to wait (RFC 9110 allows ``Retry-After`` on 429 and 503); kept on
            the :class:`RateLimitError` or :class:`ProviderError` for the retry policy.
    """
    if status in (401, 403):
        return AuthenticationError(message, status=status, provider=provider, request_id=request_id)
    if status == 429:
        return RateLimitError(message, retry_after=retry_after, status=status, provider=provider, request_id=request_id)
    if status == 404:
        return NotFoundError(message)
    if status in _INVALID_INPUT_STATUSES:
        return InvalidInputError(message)
    return ProviderError(message, status=status, provider=provider, request_id=request_id, retry_after=retry_after)
