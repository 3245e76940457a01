"""LlamaIndex's ``llama_index.core.base.embeddings.base`` import path.

Re-exports the embedding base class and similarity helpers lazily, so a LlamaIndex import changes only its package
prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.embeddings import *

__all__ = ["DEFAULT_EMBED_BATCH_SIZE", "BaseEmbedding", "Embedding", "SimilarityMode", "mean_agg", "similarity"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.embeddings")
