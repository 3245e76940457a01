"""LlamaIndex's ``llama_index.core.indices.query.embedding_utils`` import path: top-k and MMR selection.

LlamaIndex's ``get_top_k_embeddings_learner`` (an SVM from scikit-learn) is not offered.
"""

from dovetail.core.indices._embedding_utils import get_top_k_embeddings
from dovetail.core.indices._embedding_utils import get_top_k_mmr_embeddings

__all__ = ["get_top_k_embeddings", "get_top_k_mmr_embeddings"]
