"""The in-process vector store: one contiguous float32 matrix, vectorised filters, JSON + ``.npy`` persistence.

Behaviour decisions (LlamaIndex users' expectations where the contract is silent):

- Scores are "higher is closer": cosine (default), dot, or euclidean as the *negative* L2 distance, the value
  LlamaIndex's ``SimilarityMode.EUCLIDEAN`` returns.
- ``add`` is an upsert by node id; the same id twice in one batch keeps the last. The whole batch is validated
  (``BaseNode``, embedding present, one dimension, finite numbers) before anything changes.
- Filters run before ranking. A missing key (or ``None``) matches no operator except ``is_empty``; an unknown key
  therefore matches nothing rather than raising. Unknown operators raise ``InvalidInputError`` when the filter is
  built; malformed values (``in`` without a list, ``>`` with a list) raise when the query runs.
- An empty store answers a valid query with empty lists; invalid queries still raise.
- Query results carry copies of the stored nodes without embeddings; ``get_nodes`` returns copies with embeddings.
- Only ``VectorStoreQueryMode.DEFAULT`` is supported; other modes raise ``InvalidInputError``.
- ``persist(path)`` writes a new ``<stem>.<random>.npy`` and then ``path`` (JSON) referencing it, and removes the
  previous vectors file; a crash at any point leaves the old or the new store. ``fs`` must be ``None``.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._gc import gc_paused
from dovetail.core._ids import id_list
from dovetail.core._ids import one_id
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores._base import BasePydanticVectorStore
from dovetail.core.vector_stores._filter_eval import ColumnCache
from dovetail.core.vector_stores._filter_eval import validate_filters
from dovetail.core.vector_stores._matrix import Similarity
from dovetail.core.vector_stores._matrix import VectorMatrix
from dovetail.core.vector_stores._matrix import to_matrix
from dovetail.core.vector_stores._matrix import to_query_vector
from dovetail.core.vector_stores._matrix import top_k
from dovetail.core.vector_stores._payload import Payload
from dovetail.core.vector_stores._payload import payloads_of
from dovetail.core.vector_stores._payload import rebuild
from dovetail.core.vector_stores._payload import serialized
from dovetail.core.vector_stores._payload import serialized_payloads
from dovetail.core.vector_stores._persist import namespace_file
from dovetail.core.vector_stores._persist import namespaced_files
from dovetail.core.vector_stores._persist import read_store
from dovetail.core.vector_stores._persist import read_store_dict
from dovetail.core.vector_stores._persist import store_dict
from dovetail.core.vector_stores._persist import write_store
from dovetail.core.vector_stores._selection import FilterCacheInfo
from dovetail.core.vector_stores._selection import Selection
from dovetail.core.vector_stores._selection import SelectionCache
from dovetail.core.vector_stores._selection import selection_key
from dovetail.core.vector_stores._types import MetadataFilters
from dovetail.core.vector_stores._types import VectorStoreQuery
from dovetail.core.vector_stores._types import VectorStoreQueryMode
from dovetail.core.vector_stores._types import VectorStoreQueryResult
from pydantic import Field
from pydantic import PrivateAttr

__all__ = ["SimpleVectorStore"]

logger = logging.getLogger(__name__)

Rows = npt.NDArray[np.int64]


class SimpleVectorStore(BasePydanticVectorStore):
    """Fast in-process vector store on numpy; keeps text and metadata, so queries return whole nodes.

    Vectors live in one contiguous float32 matrix that doubles its capacity when full; a delete moves the last
    row into the hole. Queries score only the rows that pass the filters (``MetadataFilters``, ``doc_ids``,
    ``node_ids``) and pick the top k with ``argpartition``. Thread-safe; async methods run in a worker thread.

    Filter cache: a filtered query keeps its rows and a contiguous copy of their vectors and norms (gathering
    costs several times the matmul), keyed by a canonical form of ``filters``/``doc_ids``/``node_ids``; a repeat
    is one matmul + ``argpartition``, same results. Writes empty it (reads and writes share one lock). It keeps
    ``filter_cache_size`` entries (LRU) holding ``filter_cache_fraction`` of the rows at most (8, 0.25).

    Scores (higher is closer): ``cosine`` (default) = cosine similarity, ``dot`` = inner product,
    ``euclidean`` = negative L2 distance (LlamaIndex's ``SimilarityMode.EUCLIDEAN``).

    Args:
        similarity: ``"cosine"``, ``"dot"`` or ``"euclidean"``.
        embed_dim: fix the dimension up front; by default the first ``add`` sets it (``clear`` resets it).
        filter_cache_size: how many filtered selections to keep (0 turns the cache off).
        filter_cache_fraction: the share of the store's rows the cached selections may hold together.

    Example:
        ```python
        store = SimpleVectorStore()
        store.add([TextNode(id_="a", text="oak", embedding=[1.0, 0.0], metadata={"kind": "wood"})])
        hits = store.query(VectorStoreQuery(query_embedding=[0.9, 0.1], similarity_top_k=3))
        store.persist("storage/vector_store.json")
        again = SimpleVectorStore.from_persist_path("storage/vector_store.json")
        ```
    """

    stores_text: bool = True
    similarity: Similarity = "cosine"
    embed_dim: int | None = Field(default=None, gt=0)
    filter_cache_size: int = Field(default=8, ge=0)
    filter_cache_fraction: float = Field(default=0.25, ge=0.0, le=1.0)

    _matrix: VectorMatrix | None = PrivateAttr(default=None)
    _ids: list[str] = PrivateAttr(default_factory=list)
    _row_of: dict[str, int] = PrivateAttr(default_factory=dict)
    _payloads: list[Payload] = PrivateAttr(default_factory=list)
    _metadata: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    _ref_ids: list[str | None] = PrivateAttr(default_factory=list)
    _by_ref: dict[str, set[str]] = PrivateAttr(default_factory=dict)
    _columns: ColumnCache = PrivateAttr(default_factory=ColumnCache)
    _selections: SelectionCache = PrivateAttr(default_factory=SelectionCache)
    _version: int = PrivateAttr(default=0)  # bumped by every write; cached selections are valid for one version
    _lock: threading.RLock = PrivateAttr(default_factory=threading.RLock)

    @property
    def client(self) -> None:
        """In-process store: there is no client."""
        return None

    @property
    def dimension(self) -> int | None:
        """Dimension of the stored vectors (``None`` until the first add unless ``embed_dim`` was given)."""
        return self._matrix.dimension if self._matrix is not None else self.embed_dim

    def __len__(self) -> int:
        return len(self._ids)

    # -- writes -----------------------------------------------------------------------------------------

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        """Upsert ``nodes`` (same id again replaces the row); the whole batch is validated before any change.

        Raises:
            InvalidInputError: a node is not a ``BaseNode``, has no embedding, another dimension, NaN or inf.
        """
        reject_unknown_keywords("SimpleVectorStore.add", kwargs, ("nodes",))
        if not nodes:
            return []
        with gc_paused():
            latest: dict[str, BaseNode] = {}
            for node in nodes:
                if not isinstance(node, BaseNode):
                    msg = f"add() takes nodes (TextNode, Document, ...), got {type(node).__name__}"
                    raise InvalidInputError(msg)
                values = node.__dict__  # plain reads: this loop runs once per node of large batches
                if values["embedding"] is None:
                    msg = f"node {values['id_']} has no embedding; embed nodes (e.g. via an IngestionPipeline) first"
                    raise InvalidInputError(msg)
                latest[values["id_"]] = node  # same id twice in one batch: the last one wins
            unique = list(latest.values())
            refs = [node.ref_doc_id for node in unique]
            with self._lock:
                block = to_matrix([node.__dict__["embedding"] for node in unique], self.dimension)
                payloads = payloads_of(unique)
                self._write(list(latest), payloads, refs, block)
        logger.debug("SimpleVectorStore.add: %d nodes, %d rows stored", len(unique), len(self._ids))
        return [node.node_id for node in nodes]

    def _write(self, ids: list[str], payloads: list[Payload], refs: list[str | None], block: Any) -> None:
        """Store validated rows; ``block`` is a fresh array owned by the store from now on."""
        if self._matrix is None:
            self._matrix = VectorMatrix(block.shape[1])
        row_of = self._row_of
        existing = [i for i, node_id in enumerate(ids) if node_id in row_of]
        if existing:
            rows = np.array([row_of[ids[i]] for i in existing], dtype=np.int64)
            self._matrix.overwrite(rows, block[existing])
            for i, row in zip(existing, rows.tolist(), strict=True):
                self._unlink_ref(ids[i], self._ref_ids[row])
                self._set_row(row, payloads[i], refs[i])
            fresh = [i for i, node_id in enumerate(ids) if node_id not in row_of]
            block, ids = block[fresh], [ids[i] for i in fresh]
            payloads, refs = [payloads[i] for i in fresh], [refs[i] for i in fresh]
        start = len(self._ids)
        self._matrix.append(block, adopt=True)
        self._ids.extend(ids)
        self._row_of.update(zip(ids, range(start, start + len(ids)), strict=True))
        self._payloads.extend(payloads)
        self._metadata.extend(payload[1].get("metadata", {}) for payload in payloads)
        self._ref_ids.extend(refs)
        by_ref = self._by_ref  # one private-attribute lookup, not one per row
        for node_id, ref in zip(ids, refs, strict=True):
            if ref is not None:
                by_ref.setdefault(ref, set()).add(node_id)
        self._changed()

    def _changed(self) -> None:
        """Called (under the lock) by every write: forget everything derived from the rows or their metadata."""
        self._version += 1
        self._columns.invalidate()
        self._selections.clear()

    def _set_row(self, row: int, payload: Payload, ref: str | None) -> None:
        self._payloads[row] = payload
        self._metadata[row] = payload[1].get("metadata", {})
        self._ref_ids[row] = ref
        if ref is not None:
            self._by_ref.setdefault(ref, set()).add(self._ids[row])

    def _unlink_ref(self, node_id: str, ref: str | None) -> None:
        if ref is not None and ref in self._by_ref:
            self._by_ref[ref].discard(node_id)
            if not self._by_ref[ref]:
                del self._by_ref[ref]

    def _remove_rows(self, rows: Sequence[int]) -> None:
        if self._matrix is None or not rows:
            return
        for row in sorted(set(rows), reverse=True):
            node_id = self._ids[row]
            self._unlink_ref(node_id, self._ref_ids[row])
            del self._row_of[node_id]
            last = self._matrix.swap_remove(row)
            if last != row:
                self._ids[row] = self._ids[last]
                self._payloads[row] = self._payloads[last]
                self._metadata[row] = self._metadata[last]
                self._ref_ids[row] = self._ref_ids[last]
                self._row_of[self._ids[row]] = row
            for column in (self._ids, self._payloads, self._metadata, self._ref_ids):
                column.pop()
        self._matrix.compact()
        self._changed()
        logger.debug("SimpleVectorStore: removed %d rows, %d left", len(set(rows)), len(self._ids))

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node whose source document is ``ref_doc_id``; an unknown id is a no-op."""
        reject_unknown_keywords("SimpleVectorStore.delete", delete_kwargs, ("ref_doc_id",))
        one_id(ref_doc_id, "ref_doc_id")
        with self._lock:
            ids = self._by_ref.get(ref_doc_id, set())
            self._remove_rows([self._row_of[node_id] for node_id in ids])

    def delete_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **delete_kwargs: Any,
    ) -> None:
        """Delete nodes by id and/or filters (both: nodes matching both); with neither, nothing is deleted."""
        reject_unknown_keywords("SimpleVectorStore.delete_nodes", delete_kwargs, ("node_ids", "filters"))
        if node_ids is None and filters is None:
            return
        with self._lock:
            rows = self._candidates(node_ids=node_ids, filters=filters)
            self._remove_rows([] if rows is None else rows.tolist())

    def clear(self, **kwargs: Any) -> None:
        """Delete every node (and forget an inferred dimension)."""
        reject_unknown_keywords("SimpleVectorStore.clear", kwargs, ())
        with self._lock:
            self._matrix = None
            for column in (self._ids, self._payloads, self._metadata, self._ref_ids):
                column.clear()
            self._row_of.clear()
            self._by_ref.clear()
            self._changed()

    # -- reads ------------------------------------------------------------------------------------------

    def _candidates(
        self,
        *,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        doc_ids: list[str] | None = None,
    ) -> Rows | None:
        """Rows passing every given restriction, ascending; ``None`` means every row."""
        node_ids, doc_ids = id_list(node_ids, "node_ids"), id_list(doc_ids, "doc_ids")
        if filters is not None:
            validate_filters(filters)
        count = len(self._ids)
        if filters is None and node_ids is None and doc_ids is None:
            return None
        mask = np.ones(count, dtype=np.bool_)
        if node_ids is not None:
            mask &= self._rows_mask((self._row_of.get(node_id) for node_id in node_ids), count)
        if doc_ids is not None:
            ids = (node_id for ref in doc_ids for node_id in self._by_ref.get(ref, ()))
            mask &= self._rows_mask((self._row_of[node_id] for node_id in ids), count)
        if filters is not None and count:
            mask &= self._columns.mask(filters, self._metadata)
        return np.flatnonzero(mask).astype(np.int64, copy=False)

    @staticmethod
    def _rows_mask(rows: Any, count: int) -> npt.NDArray[np.bool_]:
        mask = np.zeros(count, dtype=np.bool_)
        mask[[row for row in rows if row is not None]] = True
        return mask

    def filter_cache_info(self) -> FilterCacheInfo:
        """Hits, misses and contents of the filtered-selection cache (``functools.lru_cache``-style statistics)."""
        return self._selections.info()

    def _select(self, query: VectorStoreQuery) -> tuple[Rows | None, Selection | None]:
        """Rows the query may return (``None``: all) and, when cached or cacheable, their gathered copy."""
        if query.filters is None and query.doc_ids is None and query.node_ids is None:
            return None, None
        id_list(query.node_ids, "node_ids"), id_list(query.doc_ids, "doc_ids")  # before they key the cache
        key = selection_key(query.filters, query.doc_ids, query.node_ids) if self.filter_cache_size > 0 else None
        # A hit skips validate_filters: only validated filters are cached, and the key keeps every value's type.
        if key is not None and (hit := self._selections.get(key, self._version)) is not None:
            return hit.rows, hit
        rows = self._candidates(node_ids=query.node_ids, filters=query.filters, doc_ids=query.doc_ids)
        max_rows = int(self.filter_cache_fraction * len(self._ids))
        if key is None or rows is None or self._matrix is None or rows.shape[0] > max_rows:
            return rows, None
        selection = Selection(rows, *self._matrix.gather(rows), version=self._version)
        self._selections.put(key, selection, max_entries=self.filter_cache_size, max_rows=max_rows)
        return rows, selection

    def node_ids(self) -> list[str]:
        """The ids of the stored nodes, in row order (no node is rebuilt)."""
        with self._lock:
            return list(self._ids)

    def get_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Copies of stored nodes, embeddings included; in ``node_ids`` order when given, else insertion order
        (rows moved by deletes excepted). Unknown ids are skipped; with no arguments, every node is returned."""
        reject_unknown_keywords("SimpleVectorStore.get_nodes", kwargs, ("node_ids", "filters"))
        node_ids = id_list(node_ids, "node_ids")
        with self._lock:
            rows = self._candidates(node_ids=node_ids, filters=filters)
            if rows is None:
                rows = np.arange(len(self._ids), dtype=np.int64)
            if node_ids is not None:
                allowed = set(rows.tolist())
                ordered = [self._row_of[i] for i in dict.fromkeys(node_ids) if self._row_of.get(i) in allowed]
            else:
                ordered = rows.tolist()
            if not ordered or self._matrix is None:
                return []
            vectors = self._matrix.rows[ordered].tolist()
            return [rebuild(self._payloads[row], vec) for row, vec in zip(ordered, vectors, strict=True)]

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Top ``similarity_top_k`` nodes by ``similarity``, filtered first; an empty store gives empty lists.

        Raises:
            InvalidInputError: a mode other than ``DEFAULT``, ``similarity_top_k`` < 1, a missing, zero (cosine),
                wrong-dimension or non-finite ``query_embedding``, or malformed filter values.
        """
        reject_unknown_keywords("SimpleVectorStore.query", kwargs, ("query",))
        if VectorStoreQueryMode(query.mode) != VectorStoreQueryMode.DEFAULT:
            msg = f"SimpleVectorStore supports only VectorStoreQueryMode.DEFAULT, got {query.mode!r}"
            raise InvalidInputError(msg)
        k = query.similarity_top_k
        if isinstance(k, np.integer):
            k = int(k)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            msg = f"similarity_top_k must be a positive integer, got {k!r}"
            raise InvalidInputError(msg)
        if query.query_embedding is None:
            msg = "SimpleVectorStore needs query.query_embedding; embed the query text first"
            raise InvalidInputError(msg)
        with self._lock:
            vector = to_query_vector(query.query_embedding, self.dimension)
            if self.similarity == "cosine" and not np.any(vector):
                msg = "query_embedding is all zeros; cosine similarity is undefined for it"
                raise InvalidInputError(msg)
            rows, selection = self._select(query)
            if self._matrix is None or not self._ids or (rows is not None and rows.size == 0):
                return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
            if selection is not None:
                scores = selection.scores(vector, self.similarity)
            else:
                scores = self._matrix.scores(vector, self.similarity, rows)
            best = top_k(scores, k)
            hit_rows = best if rows is None else rows[best]
            return VectorStoreQueryResult(
                nodes=[rebuild(self._payloads[row]) for row in hit_rows.tolist()],
                similarities=scores[best].astype(np.float64).tolist(),
                ids=[self._ids[row] for row in hit_rows.tolist()],
            )

    # -- persistence ------------------------------------------------------------------------------------

    def persist(self, persist_path: str, fs: Any | None = None) -> None:
        """Write the store to ``persist_path`` (JSON, renamed into place last) and a new ``<stem>.<random>.npy``.

        The JSON names its vectors file, so a crash at any point leaves the previous store or this one.

        Raises:
            InvalidInputError: ``fs`` is given (only the local filesystem is supported).
        """
        _local_only(fs)
        with self._lock:
            header, nodes, vectors = self._snapshot()
            write_store(Path(persist_path), header, nodes, vectors)
        logger.info("SimpleVectorStore.persist: %d nodes to %s", len(nodes), persist_path)

    def _snapshot(self) -> tuple[dict[str, Any], list[dict[str, Any]], npt.NDArray[np.float32]]:
        nodes = [serialized(payload) for payload in self._payloads]
        vectors = self._matrix.rows if self._matrix is not None else np.empty((0, 0), dtype=np.float32)
        return {"similarity": self.similarity, "dimension": self.dimension, "ids": list(self._ids)}, nodes, vectors

    @classmethod
    def from_persist_path(cls, persist_path: str, fs: Any | None = None) -> SimpleVectorStore:
        """Load a store written by :meth:`persist`.

        Raises:
            NotFoundError: a file is missing.
            InvalidInputError: corrupted files, another format version, or files that do not belong together.
        """
        _local_only(fs)
        document, vectors = read_store(Path(persist_path))
        return cls._from_document(document, vectors, str(persist_path))

    @classmethod
    def from_persist_dir(
        cls, persist_dir: str = "./storage", namespace: str = "default", fs: Any | None = None
    ) -> SimpleVectorStore:
        """Load the ``namespace`` store of a persist directory (``<dir>/<namespace>__vector_store.json``)."""
        return cls.from_persist_path(str(namespace_file(persist_dir, namespace)), fs=fs)

    @classmethod
    def from_namespaced_persist_dir(
        cls, persist_dir: str = "./storage", fs: Any | None = None
    ) -> dict[str, SimpleVectorStore]:
        """Every store of a persist directory, by namespace (``NotFoundError`` when it holds none)."""
        _local_only(fs)
        return {name: cls.from_persist_path(str(path)) for name, path in namespaced_files(persist_dir).items()}

    def to_dict(self) -> dict[str, Any]:
        """The store as a JSON-ready dict (vectors inline as float lists); :meth:`from_dict` reads it back."""
        with self._lock:
            return store_dict(*self._snapshot())

    @classmethod
    def from_dict(cls, save_dict: dict[str, Any]) -> SimpleVectorStore:
        """Rebuild a store from :meth:`to_dict` output (``InvalidInputError`` when it is not one)."""
        document, vectors = read_store_dict(save_dict)
        return cls._from_document(copy.deepcopy(document), vectors, "vector store dict")

    @classmethod
    def _from_document(cls, document: dict[str, Any], vectors: Any, where: str) -> SimpleVectorStore:
        try:
            store = cls(similarity=document["similarity"], embed_dim=document.get("dimension"))
        except (ValueError, TypeError, KeyError) as exc:
            msg = f"{where} holds invalid store settings ({exc}); rebuild: `dovetail ingest --rebuild PATH`"
            raise InvalidInputError(msg) from exc
        try:
            payloads, refs = serialized_payloads(document["nodes"], document["ids"])
        except InvalidInputError as exc:
            msg = f"{where} is inconsistent: {exc}; rebuild: `dovetail ingest --rebuild PATH`"
            raise InvalidInputError(msg) from exc
        if payloads:
            with gc_paused():
                store._write(list(document["ids"]), payloads, refs, vectors)
        return store


def _local_only(fs: Any | None) -> None:
    if fs is not None:
        msg = "SimpleVectorStore persists to the local filesystem only; pass fs=None"
        raise InvalidInputError(msg)
