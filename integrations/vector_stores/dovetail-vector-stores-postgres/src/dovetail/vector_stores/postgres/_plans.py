"""Statements for each store operation and the decoding of their rows (pure, shared by sync and async).

A *plan* is the SQL, its parameters and a function that turns the fetched rows into the result, so the sync
and async methods of :class:`~dovetail.vector_stores.postgres.PGVectorStore` are thin shells that only run it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Generic
from typing import TypeVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode
from dovetail.core.vector_stores import VectorStoreQueryResult
from dovetail.vector_stores.postgres._filters import filters_sql
from dovetail.vector_stores.postgres._fusion import fuse
from dovetail.vector_stores.postgres._rows import check_query_vector
from dovetail.vector_stores.postgres._rows import row_to_node
from dovetail.vector_stores.postgres._sql import TableSpec
from psycopg import sql

__all__ = ["Plan", "get_plan", "query_plan", "where_clause"]

R = TypeVar("R")
_TRUE = sql.SQL("TRUE")
_TEXT_MODES = frozenset({VectorStoreQueryMode.TEXT_SEARCH, VectorStoreQueryMode.SPARSE})
_MODES = frozenset({VectorStoreQueryMode.DEFAULT, VectorStoreQueryMode.HYBRID, *_TEXT_MODES})


@dataclass
class Plan(Generic[R]):
    """One statement, its parameters, and how to decode the fetched rows."""

    statement: sql.Composable
    params: list[Any]
    decode: Callable[[list[tuple[Any, ...]]], R]
    local_settings: list[tuple[str, str]] = field(default_factory=list)
    """Settings for this statement's transaction only (sent in the same round trip)."""


def _check_ids(ids: Any, what: str) -> list[str]:
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence) or not all(isinstance(i, str) for i in ids):
        msg = f"{what} must be a list of strings"
        raise InvalidInputError(msg)
    return list(ids)


def where_clause(
    node_ids: Any = None, filters: MetadataFilters | None = None, doc_ids: Any = None
) -> tuple[sql.Composable, list[Any]]:
    """``WHERE`` fragment restricting rows to ``node_ids``, ``doc_ids`` (``ref_doc_id``) and ``filters``."""
    parts: list[sql.Composable] = []
    params: list[Any] = []
    if node_ids is not None:
        parts.append(sql.SQL("id = ANY(%s)"))
        params.append(_check_ids(node_ids, "node_ids"))
    if doc_ids is not None:
        parts.append(sql.SQL("ref_doc_id = ANY(%s)"))
        params.append(_check_ids(doc_ids, "doc_ids"))
    if filters is not None:
        if not isinstance(filters, MetadataFilters):
            msg = f"filters must be MetadataFilters, got {type(filters).__name__}"
            raise InvalidInputError(msg)
        fragment, values = filters_sql(filters)
        parts.append(fragment)
        params.extend(values)
    if not parts:
        return _TRUE, []
    return sql.SQL(" AND ").join(parts), params


def _floats(vector: Any) -> list[float]:
    # pgvector returns numpy arrays (text format) or its ``Vector`` (binary format), depending on the version.
    if hasattr(vector, "to_list"):
        vector = vector.to_list()
    elif hasattr(vector, "tolist"):
        vector = vector.tolist()
    return [float(x) for x in vector]


def _node(row: tuple[Any, ...]) -> BaseNode:
    return row_to_node(row[1], row[2], row[3])


def get_plan(spec: TableSpec, node_ids: Any, filters: MetadataFilters | None) -> Plan[list[BaseNode]]:
    """Nodes (with embeddings) by ids and/or filters, in ``node_ids`` order when given."""
    where, params = where_clause(node_ids, filters)
    statement = sql.SQL("SELECT id, text, metadata, node, embedding FROM {} WHERE {} ORDER BY id").format(
        spec.name, where
    )
    order = {node_id: i for i, node_id in enumerate(dict.fromkeys(node_ids))} if node_ids is not None else None

    def decode(rows: list[tuple[Any, ...]]) -> list[BaseNode]:
        if order is not None:
            rows = sorted(rows, key=lambda row: order.get(row[0], len(order)))
        nodes = []
        for row in rows:
            node = _node(row)
            node.embedding = _floats(row[4])
            nodes.append(node)
        return nodes

    return Plan(statement, params, decode)


def _similarity(spec: TableSpec, distance: float) -> float:
    # Higher is closer: cosine similarity = 1 - cosine distance; <#> is the negated inner product; L2 negated.
    return 1.0 - distance if spec.distance == "cosine" else -distance


def _result(rows: list[tuple[Any, ...]], scores: list[float]) -> VectorStoreQueryResult:
    return VectorStoreQueryResult(
        nodes=[_node(row) for row in rows], similarities=scores, ids=[str(row[0]) for row in rows]
    )


def _check_query(query: VectorStoreQuery) -> VectorStoreQueryMode:
    if not isinstance(query, VectorStoreQuery):
        msg = f"query must be a VectorStoreQuery, got {type(query).__name__}"
        raise InvalidInputError(msg)
    mode = VectorStoreQueryMode(query.mode)
    if mode not in _MODES:
        msg = f"PGVectorStore does not support query mode {mode.value!r}; use default, text_search or hybrid"
        raise InvalidInputError(msg)
    if not isinstance(query.similarity_top_k, int) or query.similarity_top_k < 1:
        msg = f"similarity_top_k must be a positive integer, got {query.similarity_top_k!r}"
        raise InvalidInputError(msg)
    if query.alpha is not None and not 0.0 <= query.alpha <= 1.0:
        msg = f"alpha must be between 0.0 (text only) and 1.0 (dense only), got {query.alpha!r}"
        raise InvalidInputError(msg)
    return mode


def _query_text(spec: TableSpec, query: VectorStoreQuery, mode: VectorStoreQueryMode) -> str:
    if not spec.hybrid:
        msg = f"query mode {mode.value!r} needs full-text search: create the store with hybrid_search=True"
        raise InvalidInputError(msg)
    if not isinstance(query.query_str, str) or not query.query_str.strip():
        msg = f"query mode {mode.value!r} needs query_str (the text to search for)"
        raise InvalidInputError(msg)
    if "\x00" in query.query_str:
        msg = "query_str holds a NUL character, which PostgreSQL text cannot hold"
        raise InvalidInputError(msg)
    return query.query_str


@functools.lru_cache(maxsize=256)
def _unfiltered(spec: TableSpec, top_k: int) -> sql.SQL:
    # The most frequent statement, rendered once per table and k instead of composed and rendered every query.
    return sql.SQL(spec.dense(_TRUE, False, top_k).as_string(None))


MAX_CANDIDATES = 1000
"""pgvector's largest ``hnsw.ef_search``: an HNSW scan yields at most that many rows."""


def query_plan(
    spec: TableSpec, query: VectorStoreQuery, *, filtered_search: str = "exact", candidates: int = 0
) -> Plan[VectorStoreQueryResult]:
    """The statement answering ``query`` (dense, full-text or hybrid) and the decoding of its rows.

    ``filtered_search`` decides how a filtered query uses the ANN index: ``exact`` never (exact top-k among
    the filtered rows), ``index`` lets the index serve it (pgvector < 0.8 scans at most ``hnsw.ef_search``
    rows, so it may return fewer than k), ``candidates`` filters the index's ``candidates`` nearest rows and
    falls back to the exact top-k when fewer than k survive (an HNSW table's dense queries only).

    Raises:
        InvalidInputError: an unsupported mode, ``similarity_top_k`` < 1, a missing/wrong-dimension/non-finite
            query vector, a text mode without ``hybrid_search`` or ``query_str``, or a bad filter.
    """
    mode = _check_query(query)
    where, where_params = where_clause(query.node_ids, query.filters, query.doc_ids)
    filtered = where is not _TRUE
    exact = filtered and filtered_search != "index"
    top_k = query.similarity_top_k
    if mode in _TEXT_MODES:
        text = _query_text(spec, query, mode)

        def decode_text(rows: list[tuple[Any, ...]]) -> VectorStoreQueryResult:
            return _result(rows, [float(row[4]) for row in rows])

        return Plan(spec.text_search(where, query.sparse_top_k or top_k), [text, *where_params], decode_text)
    vector = check_query_vector(query.query_embedding, spec.dimension)
    if mode == VectorStoreQueryMode.DEFAULT:

        def decode_dense(rows: list[tuple[Any, ...]]) -> VectorStoreQueryResult:
            return _result(rows, [_similarity(spec, float(row[4])) for row in rows])

        pool = max(candidates, top_k)
        hnsw = spec.index is not None and spec.index.kind == "hnsw"
        if filtered and filtered_search == "candidates" and hnsw and pool <= MAX_CANDIDATES:
            params = [vector, *where_params, vector, *where_params]
            candidates_sql = spec.dense_candidates(where, top_k, pool)
            return Plan(candidates_sql, params, decode_dense, [("hnsw.ef_search", str(pool))])
        dense_sql = spec.dense(where, exact, top_k) if filtered else _unfiltered(spec, top_k)
        return Plan(dense_sql, [vector, *where_params], decode_dense)
    text = _query_text(spec, query, mode)
    final_k = query.hybrid_top_k or top_k
    pool = max(top_k, query.sparse_top_k or top_k, final_k)
    params = [vector, *where_params, text, *where_params]

    def decode_hybrid(rows: list[tuple[Any, ...]]) -> VectorStoreQueryResult:
        by_id = {row[1]: row[1:] for row in rows}
        dense = [(row[1], _similarity(spec, float(row[5]))) for row in rows if row[0] == "d"]
        sparse = [(row[1], float(row[5])) for row in rows if row[0] == "t"]
        fused = fuse(dense, sparse, final_k, query.alpha)
        return _result([by_id[node_id] for node_id, _ in fused], [score for _, score in fused])

    return Plan(spec.hybrid_query(where, exact, pool, pool), params, decode_hybrid)
