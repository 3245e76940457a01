"""Map ``anthropic`` SDK exceptions (and errors sent inside a stream) to dovetail's typed errors.

What is Anthropic's own lives here: reading its status exceptions (and the ``error`` events of a stream, whose
``error.type`` stands for a status), its 529 ``overloaded_error`` (retryable), its key shape and advice. The
rest is core's one path, :func:`dovetail.core.provider_errors.map_provider_error`. The SDK is never imported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dovetail.core.errors import DovetailError
from dovetail.core.provider_errors import ErrorHints
from dovetail.core.provider_errors import StatusFailure
from dovetail.core.provider_errors import class_names
from dovetail.core.provider_errors import map_provider_error

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

HINTS = ErrorHints(
    "anthropic",
    auth=(
        "Check the API key (argument api_key, [providers.anthropic] in dovetail.toml, or ANTHROPIC_API_KEY) "
        "and its access to this model."
    ),
    status_advice={529: "Anthropic is overloaded; it is retried, and if it persists, retry later."},
    key_patterns=(_KEY_PATTERN,),
)


def redact(text: str, secret: str | None = None) -> str:
    """Remove ``secret``, URL credentials and anything that looks like an Anthropic key from ``text``."""
    return HINTS.clean(text, secret)


def _error_of(body: Any) -> tuple[str | None, str | None]:
    """``(error.type, error.message)`` of an Anthropic error body."""
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping):
            kind, message = inner.get("type"), inner.get("message")
            return (kind if isinstance(kind, str) else None, message if isinstance(message, str) else None)
    return None, None


def _status_failure(exc: BaseException) -> StatusFailure | None:
    if "APIStatusError" not in class_names(exc):
        return None
    kind, message = _error_of(getattr(exc, "body", None))
    status = getattr(exc, "status_code", None)
    if not isinstance(status, int) or status < 400:  # an ``error`` event inside a 200 stream
        status = _ERROR_TYPE_STATUS.get(kind or "", 500)
    detail = message or str(getattr(exc, "message", None) or exc)
    if kind:
        detail = f"{kind}: {detail}"
    headers = getattr(getattr(exc, "response", None), "headers", None)
    return StatusFailure(status, detail, getattr(exc, "request_id", None), headers)


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
        The error to raise; a ``DovetailError`` is returned unchanged.
    """
    hints = HINTS if provider == HINTS.provider else replace(HINTS, provider=provider)
    return map_provider_error(exc, hints, operation=operation, secret=secret, failure=_status_failure(exc))
