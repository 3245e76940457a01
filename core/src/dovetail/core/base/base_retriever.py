"""LlamaIndex's ``llama_index.core.base.base_retriever`` import path.

Re-exports the retriever base class lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.retrievers import BaseRetriever

_LAZY: dict[str, str] = {
    "BaseRetriever": "dovetail.core.retrievers",
}

__all__ = [
    "BaseRetriever",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
