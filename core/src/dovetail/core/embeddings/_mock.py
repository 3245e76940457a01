"""``MockEmbedding``: a deterministic, normalised, hash-based fake embedding for tests and examples."""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from dovetail.core.embeddings._base import BaseEmbedding
from dovetail.core.embeddings._base import Embedding
from pydantic import Field

__all__ = ["MockEmbedding", "mock_vector"]


def mock_vector(text: str, embed_dim: int) -> Embedding:
    """A unit vector of ``embed_dim`` floats derived from the SHAKE-256 digest of ``text``.

    The same text always gives the same vector, on every machine and Python version; different texts give
    different vectors (with overwhelming probability), and ``similarity(v, v) == 1``.
    """
    raw = array("H", hashlib.shake_256(text.encode("utf-8", "surrogatepass")).digest(2 * embed_dim))
    values = [(value / 32767.5) - 1.0 for value in raw]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


class MockEmbedding(BaseEmbedding):
    """A deterministic fake embedding: no network, no model, stable vectors.

    Queries and texts share one mapping, so a query equal to a stored text has cosine similarity 1.
    It is the deterministic fake the conformance kits use (``MockEmbedding(embed_dim=6)``).

    Args:
        embed_dim: dimension of the vectors (>= 1).

    Example:
        ```python
        embed_model = MockEmbedding(embed_dim=6)
        vector = embed_model.get_text_embedding("dovetail")
        assert len(vector) == 6
        ```
    """

    embed_dim: int = Field(gt=0, le=65536, description="Dimension of the vectors.")

    def __init__(self, embed_dim: int, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", f"mock-embedding-{embed_dim}")
        super().__init__(embed_dim=embed_dim, **kwargs)

    def get_tokenizer(self) -> Callable[[str], Sequence[Any]]:
        """dovetail's counting tokenizer: a mock has no vocabulary and no window of its own."""
        from dovetail.core.tokenizers import get_tokenizer

        return get_tokenizer()

    def _get_query_embedding(self, query: str) -> Embedding:
        return mock_vector(query, self.embed_dim)

    def _get_text_embedding(self, text: str) -> Embedding:
        return mock_vector(text, self.embed_dim)

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        dim = self.embed_dim
        return [mock_vector(text, dim) for text in texts]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return mock_vector(query, self.embed_dim)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return mock_vector(text, self.embed_dim)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._get_text_embeddings(texts)
