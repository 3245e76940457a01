"""Map ``openai`` SDK (and its HTTP layer's) exceptions to dovetail's typed errors.

Pure functions over exception objects; the SDK is never imported here (classes are recognised by name along the
MRO), so the mapping costs nothing at import and works with every SDK major that shares the exception names.
"""

from __future__ import annotations

import re
from typing import Any

from dovetail.core.errors import (
    DovetailError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    error_for_status,
)
from dovetail.core.redact import redact as redact_secrets
from dovetail.core.retry import parse_retry_after

__all__ = ["HostUnreachableError", "map_openai_error", "redact"]

_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{3,}|Bearer\s+\S+)")


class HostUnreachableError(ProviderConnectionError):
    """The host did not accept a TCP connection within ``connect_timeout``; not retried (the host is down)."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """A host that does not answer within the connect timeout is not retried, so failures stay fast."""
        return False


def redact(text: str, secret: str | None = None) -> str:
    """Remove ``secret``, URL credentials and anything that looks like an OpenAI key or bearer token from
    ``text`` (a secret shorter than 4 characters is not searched for: it would garble every message)."""
    return _KEY_PATTERN.sub("***", redact_secrets(text, (secret,)))


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _provider_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(getattr(exc, "message", None) or exc)


def _status_message(where: str, status: int, detail: str, wait: float | None) -> str:
    if status in (401, 403):
        return (
            f"{where} was refused with HTTP {status}: {detail}. Check the API key (argument api_key, "
            "dovetail config or OPENAI_API_KEY) and that it has access to this model."
        )
    if status == 429:
        hint = f"; the provider asked to retry after {wait:.2f}s" if wait is not None else ""
        return f"{where} was rate limited (HTTP 429){hint}: {detail}. Lower the request rate or retry later."
    if status == 404:
        return f"{where} got HTTP 404: {detail}. Check the model name and api_base (it must end in /v1)."
    if status in (400, 413, 422):
        return f"{where} rejected the request (HTTP {status}): {detail}. Fix the input; it is not retried."
    return f"{where} failed with HTTP {status}: {detail}."


def map_openai_error(
    exc: BaseException, *, provider: str = "openai", operation: str = "request", secret: str | None = None
) -> DovetailError:
    """The dovetail error for an exception raised by the SDK or its HTTP client.

    Args:
        exc: the exception caught around an SDK call or while iterating a stream.
        provider: provider name for messages and the ``provider`` attribute.
        operation: what was being done, e.g. ``"chat"``.
        secret: the API key, scrubbed from every message.

    Returns:
        The error to raise (without chaining ``exc``, which may carry the key in its request or body). A
        ``DovetailError`` is returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    names = _names(exc)
    where = f"{provider} {operation}"
    status = getattr(exc, "status_code", None)
    request_id = getattr(exc, "request_id", None)
    detail = redact(_provider_message(exc), secret)
    rid = f" (request id {request_id})" if request_id else ""
    if "APIStatusError" in names and isinstance(status, int):
        response = getattr(exc, "response", None)
        wait = parse_retry_after(getattr(response, "headers", None)) if status == 429 else None
        msg = _status_message(where, status, f"{detail}{rid}", wait)
        return error_for_status(status, msg, provider=provider, request_id=request_id, retry_after=wait)
    cause_names = _names(exc.__cause__) if exc.__cause__ is not None else set()
    if "ConnectTimeout" in names | cause_names:
        msg = f"{where}: the host did not accept a connection within the connect timeout; check api_base."
        return HostUnreachableError(msg, provider=provider)
    if names & {"APITimeoutError", "TimeoutException"}:
        msg = f"{where} timed out; raise timeout=... or retry later."
        return ProviderTimeoutError(msg, provider=provider)
    if names & {"APIConnectionError", "TransportError"}:
        reason = redact(str(exc.__cause__ or exc), secret)
        msg = f"{where}: connection to the provider failed or was cut ({reason}); check api_base and the network."
        # A refused connection (httpx.ConnectError) fails before the request is sent: safe to send again.
        refused = "ConnectError" in names | cause_names
        return ProviderConnectionError(msg, provider=provider, request_sent=not refused)
    if "JSONDecodeError" in names:
        msg = (
            f"{where}: the provider answered with a body that is not JSON; check that api_base points at an "
            "OpenAI-compatible /v1 endpoint."
        )
        return ProviderError(msg, provider=provider)
    msg = f"{where} failed: {type(exc).__name__}: {detail}"
    return ProviderError(msg, provider=provider)


def usage_dict(usage: Any) -> dict[str, int]:
    """``prompt_tokens``/``completion_tokens``/``total_tokens`` from an SDK usage object (missing ones left out)."""
    if usage is None:
        return {}
    out: dict[str, int] = {}
    for name in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = getattr(usage, name, None)
        if isinstance(value, int):
            out[name] = value
    return out
