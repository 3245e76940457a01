"""Token usage reported by a provider, read the same way by every handler."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dovetail.core.callbacks._schema import EventPayload

__all__ = ["USAGE_KEYS", "usage_from_payload", "usage_of"]

USAGE_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


def _counts(source: Any) -> dict[str, int] | None:
    if not isinstance(source, Mapping):
        return None
    usage = {key: source[key] for key in USAGE_KEYS if isinstance(source.get(key), int)}
    usage = {key: value for key, value in usage.items() if not isinstance(value, bool)}
    return usage or None


def _get(payload: Mapping[Any, Any], key: EventPayload) -> Any:
    return payload[key] if key in payload else payload.get(key.value)


def usage_of(response: Any) -> dict[str, int] | None:
    """``prompt_tokens``/``completion_tokens``/``total_tokens`` in ``response.additional_kwargs`` (the ones that are
    integers), or ``None`` when the provider reported none."""
    return _counts(getattr(response, "additional_kwargs", None))


def usage_from_payload(payload: Mapping[Any, Any] | None) -> dict[str, int] | None:
    """The token usage of an LLM end-event payload: ``EventPayload.USAGE``, else the usage in the ``RESPONSE``
    (or ``COMPLETION``) object's ``additional_kwargs``; ``None`` when there is none.

    Example:
        ```python
        usage = usage_from_payload(payload)  # {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
        ```
    """
    if not payload:
        return None
    usage = _get(payload, EventPayload.USAGE)
    if isinstance(usage, Mapping):
        return _counts(usage)
    response = _get(payload, EventPayload.RESPONSE)
    return usage_of(response if response is not None else _get(payload, EventPayload.COMPLETION))
