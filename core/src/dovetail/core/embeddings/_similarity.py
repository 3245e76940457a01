"""Similarity of two embeddings and pooling of token vectors, without importing numpy at import time."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from enum import Enum
from typing import Any

from dovetail.core._exceptions import InvalidInputError

__all__ = ["Pooling", "SimilarityMode", "mean_agg", "similarity"]


class SimilarityMode(str, Enum):
    """How :func:`similarity` compares two vectors; higher is always more similar.

    ``DEFAULT`` is cosine similarity, ``DOT_PRODUCT`` the raw dot product, ``EUCLIDEAN`` the *negative*
    euclidean distance (so that, as with the other modes, a larger value means closer).
    """

    DEFAULT = "cosine"
    DOT_PRODUCT = "dot_product"
    EUCLIDEAN = "euclidean"


def _as_floats(embedding: Any, name: str) -> Sequence[float]:
    if hasattr(embedding, "tolist"):
        embedding = embedding.tolist()
    if not isinstance(embedding, Sequence) or isinstance(embedding, (str, bytes)):
        msg = f"{name} must be a sequence of floats, got {type(embedding).__name__}"
        raise InvalidInputError(msg)
    return embedding


def similarity(
    embedding1: Sequence[float],
    embedding2: Sequence[float],
    mode: SimilarityMode = SimilarityMode.DEFAULT,
) -> float:
    """Similarity of two embeddings (pure Python; accepts lists or anything with ``tolist()``).

    Args:
        embedding1: first vector.
        embedding2: second vector, same length as the first.
        mode: cosine (default), dot product or negative euclidean distance.

    Returns:
        The similarity; cosine with a zero vector is ``0.0``.

    Raises:
        InvalidInputError: the vectors are not sequences, have different lengths, or the mode is unknown.

    Example:
        ```python
        similarity([1.0, 0.0], [0.0, 1.0])  # 0.0
        similarity([1.0, 2.0], [1.0, 2.0], SimilarityMode.EUCLIDEAN)  # -0.0
        ```
    """
    a = _as_floats(embedding1, "embedding1")
    b = _as_floats(embedding2, "embedding2")
    if len(a) != len(b):
        msg = f"cannot compare embeddings of different dimensions ({len(a)} vs {len(b)}); use the same model for both"
        raise InvalidInputError(msg)
    try:
        mode = SimilarityMode(mode)
    except ValueError:
        msg = f"unknown similarity mode {mode!r}; use one of {[m.value for m in SimilarityMode]}"
        raise InvalidInputError(msg) from None
    if mode is SimilarityMode.EUCLIDEAN:
        return -math.sqrt(sum((x - y) * (x - y) for x, y in zip(a, b, strict=True)))
    dot = float(sum(map(operator.mul, a, b)))
    if mode is SimilarityMode.DOT_PRODUCT:
        return dot
    norm = math.sqrt(sum(map(operator.mul, a, a))) * math.sqrt(sum(map(operator.mul, b, b)))
    if norm == 0.0:
        return 0.0
    return dot / norm


def mean_agg(embeddings: Sequence[Sequence[float]]) -> list[float]:
    """Element-wise mean of equally long vectors (used to aggregate several query embeddings).

    Raises:
        InvalidInputError: no vectors, or vectors of different lengths.
    """
    if not embeddings:
        msg = "cannot aggregate an empty list of embeddings; pass at least one query"
        raise InvalidInputError(msg)
    dim = len(embeddings[0])
    if any(len(e) != dim for e in embeddings):
        msg = "cannot aggregate embeddings of different dimensions; use one model for all queries"
        raise InvalidInputError(msg)
    count = len(embeddings)
    return [sum(column) / count for column in zip(*embeddings, strict=True)]


class Pooling(str, Enum):
    """Pool a model's token vectors into one sentence vector: the first (``CLS``) token or the ``MEAN``.

    Call the member on a 2-d ``(tokens, dim)`` or 3-d ``(batch, tokens, dim)`` array (numpy or nested lists).

    Example:
        ```python
        Pooling.MEAN([[1.0, 2.0], [3.0, 4.0]])  # [2.0, 3.0]
        Pooling.CLS([[1.0, 2.0], [3.0, 4.0]])  # [1.0, 2.0]
        ```
    """

    CLS = "cls"
    MEAN = "mean"

    def __call__(self, array: Any) -> Any:
        """Pool ``array``; numpy input gives numpy output, lists give lists."""
        if self is Pooling.CLS:
            return self.cls_pooling(array)
        return self.mean_pooling(array)

    @classmethod
    def cls_pooling(cls, array: Any) -> Any:
        """The first token vector of each sequence."""
        if hasattr(array, "ndim"):
            if array.ndim == 3:
                return array[:, 0]
            if array.ndim == 2:
                return array[0]
        elif _depth(array) == 3:
            return [seq[0] for seq in array]
        elif _depth(array) == 2:
            return list(array[0])
        msg = "Pooling expects a 2-d (tokens, dim) or 3-d (batch, tokens, dim) array"
        raise InvalidInputError(msg)

    @classmethod
    def mean_pooling(cls, array: Any) -> Any:
        """The mean of the token vectors of each sequence."""
        if hasattr(array, "ndim"):
            if array.ndim == 3:
                return array.mean(axis=1)
            if array.ndim == 2:
                return array.mean(axis=0)
        elif _depth(array) == 3:
            return [mean_agg(seq) for seq in array]
        elif _depth(array) == 2:
            return mean_agg(array)
        msg = "Pooling expects a 2-d (tokens, dim) or 3-d (batch, tokens, dim) array"
        raise InvalidInputError(msg)


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, (list, tuple)) and value:
        depth += 1
        value = value[0]
    return depth
