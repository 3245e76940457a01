"""``MockEmbedding``: a deterministic, normalised, hash-based fake embedding for tests and examples."""

from __future__ import annotations

import hashlib
import math
from array import array
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._kwargs import accepted_keywords
from dovetail.core._kwargs import reject_unknown_keywords
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
        embed_dim: dimension of the vectors (>= 1), positional or by keyword.
        **kwargs: the other fields of :class:`BaseEmbedding` (``model_name``, ``embed_batch_size``, ...); an
            unknown keyword is a ``TypeError`` naming the closest one, also when ``embed_dim`` is missing.

    Example:
        ```python
        embed_model = MockEmbedding(embed_dim=6)
        vector = embed_model.get_text_embedding("dovetail")
        assert len(vector) == 6
        ```
    """

    embed_dim: int = Field(gt=0, le=65536, description="Dimension of the vectors.")

    if TYPE_CHECKING:  # what callers and type checkers see: LlamaIndex's signature

        def __init__(self, embed_dim: int, **kwargs: Any) -> None: ...

    else:

        def __init__(self, /, *args: Any, **kwargs: Any) -> None:
            # Python's own check of a required parameter would report a misspelt ``embed_dim`` as missing without
            # naming it; take the arguments loosely and refuse them with the closest keyword instead.
            owner = type(self).__name__
            if len(args) > 1:
                msg = f"{owner}() takes 1 positional argument (embed_dim) but {len(args)} were given"
                raise TypeError(msg)
            if args:
                if "embed_dim" in kwargs:
                    msg = f"{owner}() got multiple values for argument 'embed_dim'"
                    raise TypeError(msg)
                kwargs["embed_dim"] = args[0]
            if "embed_dim" not in kwargs:
                reject_unknown_keywords(owner, kwargs, accepted_keywords(type(self)))
                msg = f"{owner}() missing required argument 'embed_dim': give the vector size ({owner}(embed_dim=8))"
                raise TypeError(msg)
            if "model" not in kwargs:  # ``model=`` is BaseEmbedding's alias of ``model_name``
                kwargs.setdefault("model_name", f"mock-embedding-{kwargs['embed_dim']}")
            super().__init__(**kwargs)

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
