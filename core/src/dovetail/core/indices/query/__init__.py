"""LlamaIndex's ``llama_index.core.indices.query`` package: query helpers (``embedding_utils``, ``schema``)."""

from dovetail.core.indices._embedding_utils import get_top_k_embeddings
from dovetail.core.indices._embedding_utils import get_top_k_mmr_embeddings

__all__ = ["get_top_k_embeddings", "get_top_k_mmr_embeddings"]
