"""LlamaIndex's ``llama_index.core.base.response.schema`` import path.

Re-exports response types lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.response_synthesizers import AsyncStreamingResponse, Response, StreamingResponse

_LAZY: dict[str, str] = {
    "AsyncStreamingResponse": "dovetail.core.response_synthesizers",
    "Response": "dovetail.core.response_synthesizers",
    "StreamingResponse": "dovetail.core.response_synthesizers",
}

__all__ = [
    "AsyncStreamingResponse",
    "Response",
    "StreamingResponse",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
