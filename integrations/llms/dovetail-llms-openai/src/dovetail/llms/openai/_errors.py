"""Map ``openai`` SDK (and its HTTP layer's) exceptions to dovetail's typed errors.

What is OpenAI's own lives here: reading its status exceptions, a host that does not accept a connection within
``connect_timeout`` (not retried), a body that is not JSON (an endpoint that is not OpenAI-compatible), its key
and bearer-token shapes and advice. The rest is core's one path,
:func:`dovetail.core.provider_errors.map_provider_error`. The SDK is never imported here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from dovetail.core.errors import DovetailError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.provider_errors import ErrorHints
from dovetail.core.provider_errors import StatusFailure
from dovetail.core.provider_errors import class_names
from dovetail.core.provider_errors import map_provider_error
from dovetail.core.provider_errors import status_error

__all__ = ["HostUnreachableError", "map_openai_error", "redact"]

_KEY_PATTERN = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{3,}|Bearer\s+\S+)")

HINTS = ErrorHints(
    "openai",
    auth=(
        "Check the API key (argument api_key, dovetail config or OPENAI_API_KEY) and that it has access to this model."
    ),
    not_found="Check the model name and api_base (it must end in /v1).",
    connection="check api_base and the network",
    key_patterns=(_KEY_PATTERN,),
)


class HostUnreachableError(ProviderConnectionError):
    """The host did not accept a TCP connection within ``connect_timeout``; not retried (the host is down)."""

    @property
    def is_retryable(self) -> bool:  # type: ignore[override]
        """A host that does not answer within the connect timeout is not retried, so failures stay fast."""
        return False


def redact(text: str, secret: str | None = None) -> str:
    """Remove ``secret``, URL credentials and anything that looks like an OpenAI key or bearer token from
    ``text`` (a secret shorter than 4 characters is not searched for: it would garble every message)."""
    return HINTS.clean(text, secret)


def _provider_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(getattr(exc, "message", None) or exc)


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
    hints = HINTS if provider == HINTS.provider else replace(HINTS, provider=provider)
    names = class_names(exc)
    status = getattr(exc, "status_code", None)
    if "APIStatusError" in names and isinstance(status, int):
        headers = getattr(getattr(exc, "response", None), "headers", None)
        failure = StatusFailure(status, _provider_message(exc), getattr(exc, "request_id", None), headers)
        return status_error(failure, hints, operation=operation, secret=secret)
    where = f"{provider} {operation}"
    if "ConnectTimeout" in names | class_names(exc.__cause__):
        msg = f"{where}: the host did not accept a connection within the connect timeout; check api_base."
        return HostUnreachableError(msg, provider=provider)
    if "JSONDecodeError" in names:
        msg = (
            f"{where}: the provider answered with a body that is not JSON; check that api_base points at an "
            "OpenAI-compatible /v1 endpoint."
        )
        return ProviderError(msg, provider=provider)
    return map_provider_error(exc, hints, operation=operation, secret=secret, fallback=ProviderError)


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
