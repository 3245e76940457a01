"""Map ``anthropic`` SDK exceptions (and errors sent inside a stream) to dovetail's typed errors.

Pure functions over exception objects: the SDK is never imported here (classes are recognised by name along the
MRO). Anthropic's 529 ``overloaded_error`` maps to a retryable :class:`ProviderError`; 4xx are never retried.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dovetail.core.errors import (
    DovetailError,
    InvalidInputError,
    ProviderConnectionError,
    ProviderTimeoutError,
    error_for_status,
)
from dovetail.core.retry import parse_retry_after

__all__ = ["map_anthropic_error", "redact"]

_KEY_PATTERN = re.compile(r"\b(sk-ant-[A-Za-z0-9_\-*]{3,}|sk-[A-Za-z0-9_\-*]{8,})")

# The ``error.type`` of an error event in a stream (HTTP 200 already sent) → the status it stands for.
_ERROR_TYPE_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def redact(text: str, secret: str | None = None) -> str:
    """Remove ``secret`` and anything that looks like an Anthropic key from ``text``."""
    if secret:
        text = text.replace(secret, "***")
    return _KEY_PATTERN.sub("***", text)


def _names(exc: BaseException | None) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__} if exc is not None else set()


def _error_of(body: Any) -> tuple[str | None, str | None]:
    """``(error.type, error.message)`` of an Anthropic error body."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            kind, message = inner.get("type"), inner.get("message")
            return (kind if isinstance(kind, str) else None, message if isinstance(message, str) else None)
    return None, None


def _advice(where: str, status: int, detail: str, wait: float | None) -> str:
    if status in (401, 403):
        return (
            f"{where} was refused with HTTP {status}: {detail}. Check the API key (argument api_key, "
            "[providers.anthropic] in dovetail.toml, or ANTHROPIC_API_KEY) and its access to this model."
        )
    if status == 429:
        hint = f"; the provider asked to retry after {wait:.2f}s" if wait is not None else ""
        return f"{where} was rate limited (HTTP 429){hint}: {detail}. Lower the request rate or retry later."
    if status == 529:
        return f"{where}: Anthropic is overloaded (HTTP 529): {detail}. It is retried; if it persists, retry later."
    if status == 404:
        return f"{where} got HTTP 404: {detail}. Check the model name and base_url."
    if status in (400, 413, 422):
        return f"{where} rejected the request (HTTP {status}): {detail}. Fix the input; it is not retried."
    return f"{where} failed with HTTP {status}: {detail}."


def map_anthropic_error(
    exc: BaseException, *, operation: str = "request", secret: str | None = None, provider: str = "anthropic"
) -> DovetailError:
    """The dovetail error for an exception raised by the SDK or its HTTP client.

    Args:
        exc: the exception caught around an SDK call or while iterating a stream.
        operation: what was being done, e.g. ``"chat"``.
        secret: the API key, scrubbed from every message.
        provider: the provider name in messages and on the error.

    Returns:
        The error to ``raise ... from exc``; a ``DovetailError`` is returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    names = _names(exc)
    where = f"{provider} {operation}"
    if "APIStatusError" in names:
        body = getattr(exc, "body", None)
        kind, message = _error_of(body)
        status = getattr(exc, "status_code", None)
        if not isinstance(status, int) or status < 400:  # an ``error`` event inside a 200 stream
            status = _ERROR_TYPE_STATUS.get(kind or "", 500)
        request_id = getattr(exc, "request_id", None)
        detail = redact(message or str(getattr(exc, "message", None) or exc), secret)
        if kind:
            detail = f"{kind}: {detail}"
        if request_id:
            detail = f"{detail} (request id {request_id})"
        response = getattr(exc, "response", None)
        wait = parse_retry_after(getattr(response, "headers", None))
        msg = _advice(where, status, detail, wait if status == 429 else None)
        return error_for_status(status, msg, provider=provider, request_id=request_id, retry_after=wait)
    if names & {"APITimeoutError", "TimeoutException"}:
        msg = f"{where} timed out; raise timeout=... or retry later."
        return ProviderTimeoutError(msg, provider=provider)
    if names & {"APIConnectionError", "TransportError", "RemoteProtocolError"}:
        reason = redact(str(exc.__cause__ or exc), secret)
        refused = "ConnectError" in names | _names(exc.__cause__)
        msg = f"{where}: the connection to the provider failed or was cut ({reason}); check base_url and the network."
        return ProviderConnectionError(msg, provider=provider, request_sent=not refused)
    if isinstance(exc, (TypeError, ValueError)):  # raised by the SDK before sending: a bad request, not retried
        msg = f"{where}: the SDK rejected the request: {redact(str(exc), secret)}"
        return InvalidInputError(msg)
    msg = f"{where} failed: {type(exc).__name__}: {redact(str(exc), secret)}"
    return DovetailError(msg)
