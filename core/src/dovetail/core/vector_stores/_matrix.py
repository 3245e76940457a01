"""A growable, contiguous float32 matrix of row vectors with cached norms and top-k scoring."""

from __future__ import annotations

import mmap
from collections.abc import Sequence
from typing import Any
from typing import Literal

import numpy as np
import numpy.typing as npt
from dovetail.core._exceptions import InvalidInputError

__all__ = ["Similarity", "VectorMatrix", "similarities", "to_matrix", "to_query_vector", "top_k"]

Similarity = Literal["cosine", "dot", "euclidean"]
F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

_EMPTY: npt.NDArray[np.float32] = np.empty((0, 0), dtype=np.float32)
_CHUNK = 1024  # rows converted per numpy call: fastest measured way to turn lists of floats into float32
# MAP_PRIVATE matters: a shared anonymous map is a fixed-size shmem object, and touching pages that mremap
# added past its original size raises SIGBUS.
_MAP_FLAGS: int | None = (
    mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS if hasattr(mmap, "MAP_PRIVATE") and hasattr(mmap, "MAP_ANONYMOUS") else None
)


def to_matrix(embeddings: Sequence[Any], dimension: int | None) -> F32:
    """Turn ``embeddings`` (lists of floats or arrays) into one ``(n, d)`` float32 array, validated.

    Raises:
        InvalidInputError: ragged rows, a dimension other than ``dimension``, non-numbers, NaN or inf.
    """
    count = len(embeddings)
    first = embeddings[0]
    dim = len(first) if dimension is None else dimension
    if dim == 0:
        msg = "embeddings must have at least one dimension; got an empty embedding"
        raise InvalidInputError(msg)
    # Check lengths explicitly: numpy would broadcast a 1-element row over the whole row.
    bad = next((i for i, emb in enumerate(embeddings) if len(emb) != dim), None)
    if bad is not None:
        msg = (
            f"embedding {bad} has dimension {len(embeddings[bad])} but the store holds {dim}-d vectors; "
            "embed every node with the same model"
        )
        raise InvalidInputError(msg)
    out = np.empty((count, dim), dtype=np.float32)
    try:
        for start in range(0, count, _CHUNK):
            out[start : start + _CHUNK] = embeddings[start : start + _CHUNK]
    except (ValueError, TypeError) as exc:
        msg = f"embeddings must be flat lists of numbers: {exc}"
        raise InvalidInputError(msg) from exc
    if not np.isfinite(out).all():
        row = int(np.flatnonzero(~np.isfinite(out).all(axis=1))[0])
        msg = f"embedding {row} contains NaN or infinity; fix the embedding model output before adding"
        raise InvalidInputError(msg)
    return out


def to_query_vector(embedding: Any, dimension: int | None) -> F32:
    """Validate a query embedding: 1-d, finite, of the store's dimension."""
    try:
        vector = np.asarray(embedding, dtype=np.float32)
    except (ValueError, TypeError) as exc:
        msg = f"query_embedding must be a list of numbers: {exc}"
        raise InvalidInputError(msg) from exc
    if vector.ndim != 1 or vector.size == 0:
        msg = f"query_embedding must be a non-empty flat list of numbers; got shape {vector.shape}"
        raise InvalidInputError(msg)
    if dimension is not None and vector.shape[0] != dimension:
        msg = (
            f"query_embedding has dimension {vector.shape[0]} but the store holds {dimension}-d vectors; "
            "embed the query with the model used for the nodes"
        )
        raise InvalidInputError(msg)
    if not np.isfinite(vector).all():
        msg = "query_embedding contains NaN or infinity"
        raise InvalidInputError(msg)
    return vector


class VectorMatrix:
    """Rows ``[0, count)`` of a float32 buffer whose capacity doubles when full (amortised O(1) append).

    The buffer is an anonymous memory map, so growing it is an ``mremap`` (no copy, and the unused capacity is
    not resident until rows are written): peak memory stays close to the live rows instead of old + new buffer.
    Deleting a row moves the last row into its place (swap-remove), so deletes never rebuild the matrix.
    Row norms are cached alongside, so cosine scores need one matrix-vector product and no normalised copy.
    """

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.count = 0
        self._buffer: mmap.mmap | None = None
        self._data: F32 = np.empty((0, dimension), dtype=np.float32)
        self._norms: F32 = np.empty(0, dtype=np.float32)

    @property
    def capacity(self) -> int:
        """Rows the buffer holds before it must grow."""
        return int(self._data.shape[0])

    @property
    def rows(self) -> F32:
        """A view of the live rows (no copy); do not keep it across writes."""
        return self._data[: self.count]

    @property
    def norms(self) -> F32:
        """L2 norms of the live rows."""
        return self._norms[: self.count]

    def _reserve(self, needed: int) -> None:
        capacity = self.capacity
        if needed <= capacity:
            return
        new_capacity = max(needed, 2 * capacity)
        nbytes = new_capacity * self.dimension * 4
        if _MAP_FLAGS is None:  # no anonymous private maps (Windows): plain numpy buffer, copied on growth
            data = np.empty((new_capacity, self.dimension), dtype=np.float32)
            data[: self.count] = self._data[: self.count]
            self._data = data
        else:
            if self._buffer is None or not self._try_resize(nbytes):
                buffer = mmap.mmap(-1, nbytes, flags=_MAP_FLAGS)
                data = np.frombuffer(buffer, dtype=np.float32).reshape(new_capacity, self.dimension)
                data[: self.count] = self._data[: self.count]
                self._buffer = buffer
            self._data = np.frombuffer(self._buffer, dtype=np.float32).reshape(new_capacity, self.dimension)
        norms = np.empty(new_capacity, dtype=np.float32)
        norms[: self.count] = self._norms[: self.count]
        self._norms = norms

    def _try_resize(self, nbytes: int) -> bool:
        assert self._buffer is not None
        self._data = _EMPTY  # drop our view so the map has no exported buffers
        try:
            self._buffer.resize(nbytes)
        except (BufferError, OSError, SystemError, ValueError):  # a view is still alive, or no mremap: copy
            self._data = np.frombuffer(self._buffer, dtype=np.float32).reshape(-1, self.dimension)
            return False
        return True

    def append(self, block: F32, *, adopt: bool = False) -> None:
        """Append the rows of ``block`` (already validated).

        With ``adopt=True`` an empty matrix takes ``block`` itself as its buffer instead of copying it (the
        caller hands over a fresh array it will not touch again).
        """
        start = self.count
        if adopt and start == 0 and self.capacity == 0 and block.flags.c_contiguous and block.dtype == np.float32:
            self._data, self._norms = block, _row_norms(block)
            self.count = block.shape[0]
            return
        self._reserve(start + block.shape[0])
        self._data[start : start + block.shape[0]] = block
        self._norms[start : start + block.shape[0]] = _row_norms(block)
        self.count += block.shape[0]

    def overwrite(self, rows: I64, block: F32) -> None:
        """Replace the given rows with ``block``."""
        self._data[rows] = block
        self._norms[rows] = _row_norms(block)

    def swap_remove(self, row: int) -> int:
        """Remove ``row`` by moving the last row into it; returns the index of the row that moved."""
        last = self.count - 1
        if row != last:
            self._data[row] = self._data[last]
            self._norms[row] = self._norms[last]
        self.count = last
        return last

    def compact(self) -> None:
        """Give back memory when the live rows use less than a quarter of the capacity."""
        if self.count * 4 < self.capacity:
            self._data = self._data[: self.count].copy()
            self._norms = self._norms[: self.count].copy()
            self._buffer = None

    def gather(self, rows: I64) -> tuple[F32, F32]:
        """Contiguous copies of ``rows`` and of their norms (for scoring the same rows repeatedly)."""
        return self._data[rows], self._norms[rows]

    def scores(self, query: F32, similarity: Similarity, rows: I64 | None) -> F32:
        """Similarity of ``query`` to every live row (or to ``rows``); higher is closer (see :func:`similarities`)."""
        full = rows is None or rows.shape[0] * 2 > self.count
        dots = self.rows @ query if full else self._data[rows] @ query
        if not full or rows is None:
            norms = self.norms if rows is None else self._norms[rows]
        else:
            dots, norms = dots[rows], self._norms[rows]
        return similarities(dots, norms, query, similarity)


def similarities(dots: F32, norms: F32, query: F32, similarity: Similarity) -> F32:
    """Scores from the rows' dot products with ``query`` and the rows' norms; higher is closer.

    cosine: ``v.q / (|v||q|)`` (0 for a zero row); dot: ``v.q``; euclidean: ``-|v - q|`` (negative distance,
    as LlamaIndex's ``SimilarityMode.EUCLIDEAN``), so that "higher is closer" holds for every mode.
    """
    if similarity == "dot":
        return dots
    query_norm = np.float32(np.linalg.norm(query))
    if similarity == "cosine":
        with np.errstate(divide="ignore", invalid="ignore"):
            cosine = dots / (norms * query_norm)
        return np.where(norms > 0, cosine, np.float32(0.0)).astype(np.float32, copy=False)
    squared = norms * norms - 2.0 * dots + query_norm * query_norm
    distance: F32 = np.sqrt(np.maximum(squared, 0.0)).astype(np.float32, copy=False)
    return -distance


def _row_norms(block: F32) -> F32:
    # einsum avoids the (n, d) temporary of np.linalg.norm(axis=1): about 5x faster on 100k x 384.
    norms: F32 = np.sqrt(np.einsum("ij,ij->i", block, block)).astype(np.float32, copy=False)
    return norms


def top_k(scores: F32, k: int) -> I64:
    """Positions of the ``k`` highest ``scores``, best first (argpartition, then a sort of only ``k``)."""
    part = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
    order = np.argsort(-scores[part], kind="stable")
    return part[order].astype(np.int64, copy=False)
