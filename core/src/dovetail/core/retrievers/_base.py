"""``BaseRetriever``: query in, scored nodes out, with recursive ``IndexNode`` traversal and de-duplication.

A retriever implements ``_retrieve(query_bundle)`` (and ``_aretrieve`` when it has a native async path).
``retrieve`` / ``aretrieve`` wrap it in a ``RETRIEVE`` event (inside a ``"query"`` trace, joining the caller's
trace when there is one), follow every :class:`~dovetail.core.schema.IndexNode` result to the object it points
at — a node, another retriever or a query engine, taken from ``node.obj`` or ``object_map[node.index_id]`` — and
drop duplicates (same content hash and source document), keeping the best score.
"""

from __future__ import annotations

import inspect
import logging
from importlib import import_module
from typing import Any

from dovetail.core._query_bundle import as_query_bundle
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.concurrency import run_in_thread
from dovetail.core.retrievers._prompt_mixin import PromptMixin
from dovetail.core.schema import BaseNode
from dovetail.core.schema import IndexNode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode

__all__ = ["BaseRetriever", "QueryType"]

logger = logging.getLogger(__name__)

QueryType = str | QueryBundle
_MAX_DEPTH = 16


def _default_callback_manager() -> CallbackManager:
    try:  # Share the global manager of dovetail.core.settings, as LlamaIndex's Settings.callback_manager.
        manager = getattr(import_module("dovetail.core.settings").Settings, "callback_manager", None)
    except Exception:  # settings unavailable: a private manager is fine
        manager = None
    return manager if isinstance(manager, CallbackManager) else CallbackManager()


def _dedupe(nodes: list[NodeWithScore]) -> list[NodeWithScore]:
    """Keep one result per (content hash, source document): the first position, the best score."""
    best: dict[tuple[str, str | None], int] = {}
    out: list[NodeWithScore] = []
    for result in nodes:
        key = (result.node.hash, result.node.ref_doc_id)
        index = best.get(key)
        if index is None:
            best[key] = len(out)
            out.append(result)
        elif _score(result) > _score(out[index]):
            out[index] = result
    return out


def _score(result: NodeWithScore) -> float:
    return float("-inf") if result.score is None else result.score


def _response_node(response: Any, score: float | None) -> NodeWithScore:
    metadata = getattr(response, "metadata", None)
    return NodeWithScore(node=TextNode(text=str(response), metadata=dict(metadata or {})), score=score)


def _kept(result: NodeWithScore, obj: Any) -> list[NodeWithScore]:
    """``result`` itself: a plain node, or an ``IndexNode`` pointing at something that cannot be queried."""
    if obj is not None:
        logger.warning("IndexNode %s points at a %s; keeping the IndexNode", result.node_id, type(obj).__name__)
    return [result]


class BaseRetriever(PromptMixin):
    """Base class of every retriever.

    Args:
        callback_manager: receives ``RETRIEVE`` events (``QUERY_STR`` at start, ``NODES`` at end); default
            ``Settings.callback_manager``.
        object_map: objects that ``IndexNode`` results point at, by ``index_id``.
        verbose: log each followed ``IndexNode`` at INFO.

    Example:
        ```python
        class KeywordRetriever(BaseRetriever):
            def __init__(self, nodes):
                super().__init__()
                self._nodes = nodes

            def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
                words = set(query_bundle.query_str.lower().split())
                return [NodeWithScore(node=n, score=1.0) for n in self._nodes if words & set(n.text.lower().split())]

        KeywordRetriever(nodes).retrieve("dovetail joint")
        ```
    """

    def __init__(
        self,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        verbose: bool = False,
    ) -> None:
        self.callback_manager = callback_manager or _default_callback_manager()
        self.object_map: dict[str, Any] = dict(object_map or {})
        self._verbose = verbose

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """Retrieve nodes for the query. Subclasses must implement this."""
        msg = f"{type(self).__name__} must implement _retrieve"
        raise NotImplementedError(msg)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        """Async retrieval; the default runs ``_retrieve`` in a worker thread."""
        return await run_in_thread(self._retrieve, query_bundle)

    # ---- public API --------------------------------------------------------------------------------------

    def retrieve(self, str_or_query_bundle: QueryType) -> list[NodeWithScore]:
        """Retrieve nodes for a query string or :class:`QueryBundle`, following ``IndexNode`` s, de-duplicated."""
        return self._retrieve_guarded(as_query_bundle(str_or_query_bundle), frozenset())

    async def aretrieve(self, str_or_query_bundle: QueryType) -> list[NodeWithScore]:
        """Async :meth:`retrieve`."""
        return await self._aretrieve_guarded(as_query_bundle(str_or_query_bundle), frozenset())

    def _retrieve_guarded(self, query: QueryBundle, seen: frozenset[int]) -> list[NodeWithScore]:
        seen = seen | {id(self)}
        manager = self.callback_manager
        with (
            manager.as_trace("query"),
            manager.event(CBEventType.RETRIEVE, payload={EventPayload.QUERY_STR: query.query_str}) as event,
        ):
            nodes = self._retrieve(query)
            nodes = _dedupe(self._expand(query, nodes, seen))
            event.on_end(payload={EventPayload.NODES: nodes})
        return nodes

    async def _aretrieve_guarded(self, query: QueryBundle, seen: frozenset[int]) -> list[NodeWithScore]:
        seen = seen | {id(self)}
        manager = self.callback_manager
        with (
            manager.as_trace("query"),
            manager.event(CBEventType.RETRIEVE, payload={EventPayload.QUERY_STR: query.query_str}) as event,
        ):
            nodes = await self._aretrieve(query)
            nodes = _dedupe(await self._aexpand(query, nodes, seen))
            event.on_end(payload={EventPayload.NODES: nodes})
        return nodes

    # ---- recursion ---------------------------------------------------------------------------------------

    def _target(self, node: BaseNode, seen: frozenset[int]) -> Any:
        """The object an ``IndexNode`` points at, or ``None`` when it is a plain node, a cycle or too deep."""
        if not isinstance(node, IndexNode):
            return None
        obj = node.obj if node.obj is not None else self.object_map.get(node.index_id)
        if obj is None:
            return None
        if id(obj) in seen or len(seen) > _MAX_DEPTH:
            logger.warning(
                "not following IndexNode %s -> %s: cycle or depth > %d", node.node_id, node.index_id, _MAX_DEPTH
            )
            return None
        if self._verbose:
            logger.info("following IndexNode %s -> %s (%s)", node.node_id, node.index_id, type(obj).__name__)
        return obj

    def _follow(self, result: NodeWithScore, seen: frozenset[int]) -> tuple[Any, frozenset[int]]:
        """What ``result`` points at (``None`` for a plain node; a node comes back with ``result``'s score) and
        the ``seen`` set to expand it with."""
        obj = self._target(result.node, seen)
        if obj is None:
            return None, seen
        deeper = seen | {id(obj)}
        if isinstance(obj, BaseNode):
            return NodeWithScore(node=obj, score=result.score), deeper
        return obj, deeper

    def _expand(self, query: QueryBundle, nodes: list[NodeWithScore], seen: frozenset[int]) -> list[NodeWithScore]:
        return [expanded for result in nodes for expanded in self._expand_one(query, result, seen)]

    def _expand_one(self, query: QueryBundle, result: NodeWithScore, seen: frozenset[int]) -> list[NodeWithScore]:
        obj, deeper = self._follow(result, seen)
        if isinstance(obj, NodeWithScore):
            return self._expand(query, [obj], deeper)
        if isinstance(obj, BaseRetriever):
            return obj._retrieve_guarded(query, deeper)
        if callable(getattr(obj, "query", None)):
            return [_response_node(obj.query(query), result.score)]
        return _kept(result, obj)

    async def _aexpand(
        self, query: QueryBundle, nodes: list[NodeWithScore], seen: frozenset[int]
    ) -> list[NodeWithScore]:
        return [expanded for result in nodes for expanded in await self._aexpand_one(query, result, seen)]

    async def _aexpand_one(
        self, query: QueryBundle, result: NodeWithScore, seen: frozenset[int]
    ) -> list[NodeWithScore]:
        obj, deeper = self._follow(result, seen)
        if isinstance(obj, NodeWithScore):
            return await self._aexpand(query, [obj], deeper)
        if isinstance(obj, BaseRetriever):
            return await obj._aretrieve_guarded(query, deeper)
        if callable(getattr(obj, "aquery", None)) and inspect.iscoroutinefunction(obj.aquery):
            return [_response_node(await obj.aquery(query), result.score)]
        if callable(getattr(obj, "query", None)):
            return [_response_node(await run_in_thread(obj.query, query), result.score)]
        return _kept(result, obj)
