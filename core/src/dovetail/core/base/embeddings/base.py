"""LlamaIndex's ``llama_index.core.base.embeddings.base`` import path.

Re-exports the embedding base class and similarity helpers lazily, so a LlamaIndex import changes only its package
prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.embeddings import (
        DEFAULT_EMBED_BATCH_SIZE,
        BaseEmbedding,
        Embedding,
        SimilarityMode,
        mean_agg,
        similarity,
    )

_LAZY: dict[str, str] = {
    "BaseEmbedding": "dovetail.core.embeddings",
    "DEFAULT_EMBED_BATCH_SIZE": "dovetail.core.embeddings",
    "Embedding": "dovetail.core.embeddings",
    "SimilarityMode": "dovetail.core.embeddings",
    "mean_agg": "dovetail.core.embeddings",
    "similarity": "dovetail.core.embeddings",
}

__all__ = [
    "DEFAULT_EMBED_BATCH_SIZE",
    "BaseEmbedding",
    "Embedding",
    "SimilarityMode",
    "mean_agg",
    "similarity",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
