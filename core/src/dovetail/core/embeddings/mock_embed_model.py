"""LlamaIndex's ``llama_index.core.embeddings.mock_embed_model`` import path.

Re-exports ``MockEmbedding`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.embeddings import MockEmbedding

_LAZY: dict[str, str] = {
    "MockEmbedding": "dovetail.core.embeddings",
}

__all__ = [
    "MockEmbedding",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
