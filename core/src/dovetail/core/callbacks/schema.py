"""LlamaIndex's ``llama_index.core.callbacks.schema`` import path.

Re-exports event types and payload keys lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.callbacks import BASE_TRACE_EVENT, CBEventType, EventPayload

_LAZY: dict[str, str] = {
    "BASE_TRACE_EVENT": "dovetail.core.callbacks",
    "CBEventType": "dovetail.core.callbacks",
    "EventPayload": "dovetail.core.callbacks",
}

__all__ = [
    "BASE_TRACE_EVENT",
    "CBEventType",
    "EventPayload",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
