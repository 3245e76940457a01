"""Embedding models: the ``BaseEmbedding`` contract, similarity helpers and a deterministic mock.

Importing this module does not import numpy; :func:`similarity` is pure Python and :class:`Pooling` only
touches numpy when it is handed numpy arrays.

Example:
    ```python
    from dovetail.core.embeddings import MockEmbedding, similarity

    embed_model = MockEmbedding(embed_dim=8)
    a, b = embed_model.get_text_embedding_batch(["dovetail joint", "mortise and tenon"])
    print(similarity(a, b))
    ```
"""

from dovetail.core.embeddings._base import DEFAULT_EMBED_BATCH_SIZE
from dovetail.core.embeddings._base import BaseEmbedding
from dovetail.core.embeddings._base import Embedding
from dovetail.core.embeddings._cache import EmbeddingsCache
from dovetail.core.embeddings._cache import SimpleKVCache
from dovetail.core.embeddings._mock import MockEmbedding
from dovetail.core.embeddings._multi_modal import ImageType
from dovetail.core.embeddings._multi_modal import MultiModalEmbedding
from dovetail.core.embeddings._similarity import Pooling
from dovetail.core.embeddings._similarity import SimilarityMode
from dovetail.core.embeddings._similarity import mean_agg
from dovetail.core.embeddings._similarity import similarity

__all__ = [
    "DEFAULT_EMBED_BATCH_SIZE",
    "BaseEmbedding",
    "Embedding",
    "EmbeddingsCache",
    "ImageType",
    "MockEmbedding",
    "MultiModalEmbedding",
    "Pooling",
    "SimilarityMode",
    "SimpleKVCache",
    "mean_agg",
    "similarity",
]
