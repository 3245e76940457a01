"""``get_nodes`` and ``delete_nodes`` (sync and async): ids by filter, fetch by id, delete by id or filter.

Pinecone cannot list the records matching a filter directly on every index type, so the ids matching a filter
come from an id-only query with a probe vector and ``top_k=10000`` (Pinecone's ceiling); more matches than that
are cut with a warning. Without ids or filters, ``get_nodes`` lists the whole namespace page by page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.vector_stores.pinecone import _ops
from dovetail.vector_stores.pinecone._filters import to_pinecone_filter

if TYPE_CHECKING:
    from dovetail.vector_stores.pinecone.base import PineconeVectorStore

__all__ = ["adelete_nodes", "aget_nodes", "delete_nodes", "get_nodes"]

logger = logging.getLogger(__name__)


def _scan_args(dimension: int | None, flt: dict[str, Any], namespace: str) -> dict[str, Any]:
    if dimension is None:
        msg = "the index dimension is unknown; pass dimension= to PineconeVectorStore"
        raise ConfigurationError(msg)
    return {
        "vector": _ops.probe_vector(dimension),
        "top_k": _ops.SCAN_TOP_K,
        "filter": flt,
        "namespace": namespace,
        "include_metadata": False,
    }


def _scan_ids(response: Any) -> list[str]:
    ids = [match.id for match in response.matches]
    if len(ids) >= _ops.SCAN_TOP_K:
        logger.warning("pinecone: more than %d records match the filter; only the first are used", _ops.SCAN_TOP_K)
    return ids


def _select(node_ids: list[str] | None, matching: list[str] | None) -> list[str] | None:
    """Ids to act on: ``node_ids`` ∩ ``matching`` (``None`` = not restricted on that side)."""
    if matching is None:
        return node_ids
    if node_ids is None:
        return matching
    allowed = set(matching)
    return [node_id for node_id in node_ids if node_id in allowed]


def _ids_by_filter(store: PineconeVectorStore, index: Any, flt: dict[str, Any], namespace: str) -> list[str]:
    args = _scan_args(store._dimension(index), flt, namespace)
    return _scan_ids(store._retry(lambda: index.query(**args), "query"))


async def _aids_by_filter(store: PineconeVectorStore, index: Any, flt: dict[str, Any], namespace: str) -> list[str]:
    args = _scan_args(await store._adimension(index), flt, namespace)
    return _scan_ids(await store._aretry(lambda: index.query(**args), "query"))


def _list_page(index: Any, namespace: str, token: str | None) -> Callable[[], Any]:
    return partial(index.list_paginated, namespace=namespace, pagination_token=token, limit=100)


def _next_token(ids: list[str], page: Any) -> str | None:
    """Add the ids of ``page`` to ``ids``; the token of the next page, ``None`` after the last."""
    ids.extend(item.id for item in page.vectors)
    return page.pagination.next if page.pagination is not None else None


def _all_ids(store: PineconeVectorStore, index: Any, namespace: str) -> list[str]:
    ids: list[str] = []
    token: str | None = None
    while True:
        token = _next_token(ids, store._retry(_list_page(index, namespace, token), "list"))
        if not token:
            return ids


async def _aall_ids(store: PineconeVectorStore, index: Any, namespace: str) -> list[str]:
    ids: list[str] = []
    token: str | None = None
    while True:
        token = _next_token(ids, await store._aretry(_list_page(index, namespace, token), "list"))
        if not token:
            return ids


def get_nodes(
    store: PineconeVectorStore, node_ids: Any, filters: MetadataFilters | None, namespace: str
) -> list[BaseNode]:
    """See :meth:`PineconeVectorStore.get_nodes`."""
    ids, flt = _ops.check_ids(node_ids), to_pinecone_filter(filters)
    index = store._sync_index()
    if ids is None and flt is None:
        selected: list[str] | None = _all_ids(store, index, namespace)
    else:
        selected = _select(ids, _ids_by_filter(store, index, flt, namespace) if flt is not None else None)
    nodes: list[BaseNode] = []
    for chunk in _ops.chunked(selected or [], _ops.FETCH_CHUNK):
        response = store._retry(partial(index.fetch, ids=chunk, namespace=namespace), "fetch")
        nodes.extend(_ops.fetched_nodes(response, chunk, text_key=store.text_key))
    return nodes


async def aget_nodes(
    store: PineconeVectorStore, node_ids: Any, filters: MetadataFilters | None, namespace: str
) -> list[BaseNode]:
    """See :meth:`PineconeVectorStore.aget_nodes`."""
    ids, flt = _ops.check_ids(node_ids), to_pinecone_filter(filters)
    index = await store._async_index()
    if ids is None and flt is None:
        selected: list[str] | None = await _aall_ids(store, index, namespace)
    else:
        selected = _select(ids, await _aids_by_filter(store, index, flt, namespace) if flt is not None else None)
    nodes: list[BaseNode] = []
    for chunk in _ops.chunked(selected or [], _ops.FETCH_CHUNK):
        response = await store._aretry(partial(index.fetch, ids=chunk, namespace=namespace), "fetch")
        nodes.extend(_ops.fetched_nodes(response, chunk, text_key=store.text_key))
    return nodes


def delete_nodes(store: PineconeVectorStore, node_ids: Any, filters: MetadataFilters | None, namespace: str) -> None:
    """See :meth:`PineconeVectorStore.delete_nodes`."""
    ids, flt = _ops.check_ids(node_ids), to_pinecone_filter(filters)
    if ids is None and filters is None:
        return
    index = store._sync_index()
    if ids is None:
        if flt is None:  # an empty filter group matches every record, as in the in-memory store
            store.clear(namespace=namespace)
            return
        store._ignore_missing(lambda: store._retry(lambda: index.delete(filter=flt, namespace=namespace), "delete"))
        return
    selected = _select(ids, _ids_by_filter(store, index, flt, namespace) if flt is not None else None) or []
    for chunk in _ops.chunked(selected, _ops.DELETE_CHUNK):
        store._ignore_missing(partial(store._retry, partial(index.delete, ids=chunk, namespace=namespace), "delete"))


async def adelete_nodes(
    store: PineconeVectorStore, node_ids: Any, filters: MetadataFilters | None, namespace: str
) -> None:
    """See :meth:`PineconeVectorStore.adelete_nodes`."""
    from dovetail.core.errors import NotFoundError

    ids, flt = _ops.check_ids(node_ids), to_pinecone_filter(filters)
    if ids is None and filters is None:
        return
    if ids is None and flt is None:  # an empty filter group matches every record, as in the in-memory store
        await store.aclear(namespace=namespace)
        return
    index = await store._async_index()
    try:
        if ids is None:
            await store._aretry(lambda: index.delete(filter=flt, namespace=namespace), "delete")
            return
        selected = _select(ids, await _aids_by_filter(store, index, flt, namespace) if flt is not None else None)
        for chunk in _ops.chunked(selected or [], _ops.DELETE_CHUNK):
            await store._aretry(partial(index.delete, ids=chunk, namespace=namespace), "delete")
    except NotFoundError:
        pass
