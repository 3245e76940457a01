"""Fast input and output checks of the embedding hot path (one pass, no per-text pydantic)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import ProviderError

__all__ = ["check_same_dim", "check_text", "check_texts", "check_vector", "check_vectors"]


def check_text(text: Any, what: str = "text") -> str:
    """Return ``text`` if it is a ``str``; otherwise raise :class:`InvalidInputError`."""
    if type(text) is not str and not isinstance(text, str):
        msg = f"{what} must be a str, got {type(text).__name__}; convert it with str() or pass the node's text"
        raise InvalidInputError(msg)
    return text


def check_texts(texts: Any) -> list[str]:
    """Return ``texts`` as a list of ``str``; a single string or a non-str element is an error."""
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        msg = f"texts must be a list of str, got {type(texts).__name__}; wrap a single text in a list"
        raise InvalidInputError(msg)
    for index, text in enumerate(texts):
        if type(text) is not str and not isinstance(text, str):
            msg = f"texts[{index}] must be a str, got {type(text).__name__}"
            raise InvalidInputError(msg)
    return texts if type(texts) is list else list(texts)


def _bad(provider: str, detail: str) -> ProviderError:
    msg = f"embedding provider {provider} returned {detail}; check the model and its input (no vectors were kept)"
    return ProviderError(msg, provider=provider)


def check_vector(vector: Any, provider: str, dim: int | None = None) -> list[float]:
    """Validate one vector: a non-empty list of finite numbers, of length ``dim`` when given."""
    if type(vector) is not list:
        if hasattr(vector, "tolist"):
            vector = vector.tolist()
        elif isinstance(vector, Sequence) and not isinstance(vector, (str, bytes)):
            vector = list(vector)
        else:
            raise _bad(provider, f"a {type(vector).__name__} instead of a list of floats")
    size = len(vector)
    if size == 0 or (dim is not None and size != dim):
        raise _bad(provider, f"a vector of dimension {size}, expected {dim or 'at least 1'}")
    try:
        # One C-level pass: a NaN or an infinity anywhere makes the sum non-finite.
        total = sum(vector)
    except TypeError:
        raise _bad(provider, "a vector with non-numeric values") from None
    if not math.isfinite(total):
        raise _bad(provider, "a vector with NaN or infinite values")
    return vector  # type: ignore[no-any-return]


def check_vectors(vectors: Any, count: int, provider: str, dim: int | None = None) -> list[list[float]]:
    """Validate a batch: ``count`` vectors of one dimension (``dim`` when given), all finite."""
    if type(vectors) is not list:
        vectors = vectors.tolist() if hasattr(vectors, "tolist") else list(vectors)
    if len(vectors) != count:
        raise _bad(provider, f"{len(vectors)} vectors for {count} texts")
    if count == 0:
        return vectors  # type: ignore[no-any-return]
    if dim is None:
        first = vectors[0]
        dim = len(first) if hasattr(first, "__len__") else None
    if _all_finite_lists(vectors, dim):
        return vectors  # type: ignore[no-any-return]
    for index, vector in enumerate(vectors):
        checked = check_vector(vector, provider, dim)
        if checked is not vector:
            vectors[index] = checked
    return vectors  # type: ignore[no-any-return]


def _all_finite_lists(vectors: list[Any], dim: int | None) -> bool:
    """True when every vector is a list of length ``dim`` whose values sum to a finite number (C-level passes).

    False means "check one by one", which finds the offending vector and names the problem.
    """
    if not dim or not all(type(vector) is list for vector in vectors) or set(map(len, vectors)) != {dim}:
        return False
    try:
        return math.isfinite(sum(map(sum, vectors)))
    except TypeError:
        return False


def check_same_dim(vectors: list[list[float]], provider: str) -> None:
    """Raise :class:`ProviderError` when the vectors (from several batches) differ in dimension."""
    if vectors:
        dim = len(vectors[0])
        for vector in vectors:
            if len(vector) != dim:
                raise _bad(provider, f"vectors of mixed dimensions ({dim} and {len(vector)}) across batches")
