"""LlamaIndex's ``llama_index.core.query_engine.retriever_query_engine`` import path.

Re-exports ``RetrieverQueryEngine`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.query_engine import RetrieverQueryEngine

_LAZY: dict[str, str] = {
    "RetrieverQueryEngine": "dovetail.core.query_engine",
}

__all__ = [
    "RetrieverQueryEngine",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
