"""What each store operation sends and how answers become dovetail types; shared by the sync and async shells."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode
from dovetail.core.vector_stores import VectorStoreQueryResult
from dovetail.vector_stores.pinecone._convert import batches
from dovetail.vector_stores.pinecone._convert import check_vector
from dovetail.vector_stores.pinecone._convert import node_to_record
from dovetail.vector_stores.pinecone._convert import record_to_node
from dovetail.vector_stores.pinecone._filters import to_pinecone_filter

__all__ = [
    "FETCH_CHUNK",
    "MAX_TOP_K",
    "SCAN_TOP_K",
    "AddPlan",
    "and_filters",
    "check_ids",
    "check_ref_doc_id",
    "chunked",
    "fetched_nodes",
    "plan_add",
    "probe_vector",
    "query_kwargs",
    "query_result",
]

MAX_TOP_K = 1000  # Pinecone's ceiling for a query that returns metadata
SCAN_TOP_K = 10_000  # Pinecone's ceiling for an id-only query (used to find the ids matching a filter)
FETCH_CHUNK = 100  # ids per fetch request (they travel in the URL)
DELETE_CHUNK = 1000  # ids per delete request


@dataclass
class AddPlan:
    """The ids to return (input order) and the upsert requests to send."""

    ids: list[str]
    requests: list[list[dict[str, Any]]]


def plan_add(nodes: Sequence[BaseNode], *, text_key: str, dimension: int | None, batch_size: int) -> AddPlan:
    """Validate every node and cut the upsert requests; raises before anything is sent.

    A node id given twice keeps its last version (what sequential upserts would leave behind).

    Raises:
        InvalidInputError: a bad node, or embeddings of different lengths.
    """
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Sequence):
        msg = f"add() takes a sequence of nodes, got {type(nodes).__name__}"
        raise InvalidInputError(msg)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or not 1 <= batch_size <= 1000:
        msg = f"batch_size must be an int between 1 and 1000 (Pinecone's per-request limit), got {batch_size!r}"
        raise InvalidInputError(msg)
    records: dict[str, dict[str, Any]] = {}
    ids: list[str] = []
    for node in nodes:
        if not isinstance(node, BaseNode):
            msg = f"add() takes dovetail nodes (TextNode, Document, ...), got {type(node).__name__}"
            raise InvalidInputError(msg)
        record = node_to_record(node, text_key=text_key, dimension=dimension)
        if dimension is None:
            dimension = len(record["values"])
        records.pop(record["id"], None)
        records[record["id"]] = record
        ids.append(record["id"])
    return AddPlan(ids=ids, requests=list(batches(list(records.values()), batch_size)))


def check_ref_doc_id(ref_doc_id: Any) -> str:
    """``ref_doc_id`` if it is a non-empty string, else an InvalidInputError."""
    if not isinstance(ref_doc_id, str) or not ref_doc_id:
        msg = f"ref_doc_id must be a non-empty string, got {ref_doc_id!r}"
        raise InvalidInputError(msg)
    return ref_doc_id


def check_ids(node_ids: Any) -> list[str] | None:
    """``node_ids`` as a list of non-empty strings (``None`` stays ``None``)."""
    if node_ids is None:
        return None
    if isinstance(node_ids, (str, bytes)) or not isinstance(node_ids, Sequence):
        msg = f"node_ids must be a list of strings, got {type(node_ids).__name__}"
        raise InvalidInputError(msg)
    for node_id in node_ids:
        if not isinstance(node_id, str) or not node_id:
            msg = f"node_ids must hold non-empty strings, got {node_id!r}"
            raise InvalidInputError(msg)
    return list(dict.fromkeys(node_ids))


def chunked(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def and_filters(*parts: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ``$and`` of the non-empty parts (the part itself when there is one)."""
    present = [part for part in parts if part]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


def query_kwargs(query: VectorStoreQuery, dimension: int | None, namespace: str) -> dict[str, Any]:
    """Keyword arguments of ``Index.query`` for ``query``.

    Raises:
        InvalidInputError: another mode than the default, no/bad query vector, a bad ``similarity_top_k``,
            ``node_ids`` (Pinecone cannot restrict a query to ids), or a filter Pinecone cannot express.
    """
    if query.mode != VectorStoreQueryMode.DEFAULT:
        msg = f"Pinecone store supports query mode 'default' only, got {query.mode!r}"
        raise InvalidInputError(msg)
    top_k = query.similarity_top_k
    if not isinstance(top_k, int) or isinstance(top_k, bool) or not 1 <= top_k <= MAX_TOP_K:
        msg = f"similarity_top_k must be an int between 1 and {MAX_TOP_K}, got {top_k!r}"
        raise InvalidInputError(msg)
    if query.query_embedding is None:
        msg = "Pinecone queries need query_embedding; embed the query text first"
        raise InvalidInputError(msg)
    vector = check_vector("query", query.query_embedding, dimension)
    if query.node_ids:
        msg = "Pinecone cannot restrict a similarity query to node_ids; filter on metadata or use get_nodes()"
        raise InvalidInputError(msg)
    doc_filter = None
    if query.doc_ids:
        doc_ids = check_ids(query.doc_ids)
        doc_filter = {"ref_doc_id": {"$in": doc_ids}}
    flt = and_filters(to_pinecone_filter(query.filters), doc_filter)
    kwargs: dict[str, Any] = {"vector": vector, "top_k": top_k, "namespace": namespace, "include_metadata": True}
    if flt is not None:
        kwargs["filter"] = flt
    return kwargs


def query_result(response: Any, *, text_key: str) -> VectorStoreQueryResult:
    """A :class:`VectorStoreQueryResult` from a pinecone ``QueryResponse`` (best match first)."""
    nodes: list[BaseNode] = []
    scores: list[float] = []
    ids: list[str] = []
    for match in response.matches:
        nodes.append(record_to_node(match.id, match.metadata, text_key=text_key))
        scores.append(float(match.score))
        ids.append(match.id)
    return VectorStoreQueryResult(nodes=nodes, similarities=scores, ids=ids)


def probe_vector(dimension: int) -> list[float]:
    """A unit vector used to list the records that match a filter with an id-only query."""
    return [1.0] + [0.0] * (dimension - 1)


def fetched_nodes(response: Any, order: Sequence[str], *, text_key: str) -> list[BaseNode]:
    """Nodes of a pinecone ``FetchResponse`` in ``order``; ids it does not hold are skipped."""
    vectors = response.vectors
    nodes: list[BaseNode] = []
    for node_id in order:
        vector = vectors.get(node_id)
        if vector is not None:
            nodes.append(record_to_node(node_id, vector.metadata, text_key=text_key, values=vector.values))
    return nodes
