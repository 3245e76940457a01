"""``BaseNodePostprocessor``: the contract every node postprocessor follows."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._items import items_of
from dovetail.core.concurrency import run_in_thread
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["BaseNodePostprocessor"]


class BaseNodePostprocessor(ABC):
    """Base of every node postprocessor.

    Subclasses implement :meth:`_postprocess_nodes`; a subclass with a native async path overrides
    :meth:`_apostprocess_nodes` (the default runs the sync one in a worker thread).

    Example:
        ```python
        class DropShort(BaseNodePostprocessor):
            def _postprocess_nodes(self, nodes, query_bundle=None):
                return [n for n in nodes if len(n.node.get_content()) > 20]
        ```
    """

    @classmethod
    def class_name(cls) -> str:
        """Stable name of the postprocessor class."""
        return cls.__name__

    def postprocess_nodes(
        self,
        nodes: Sequence[NodeWithScore],
        query_bundle: QueryBundle | None = None,
        query_str: str | None = None,
    ) -> list[NodeWithScore]:
        """Return the postprocessed nodes (the input list is not modified).

        Args:
            nodes: the retrieved nodes, best first.
            query_bundle: the query, for postprocessors that need it.
            query_str: the query as a string (shorthand; give at most one of the two).

        Raises:
            InvalidInputError: both ``query_bundle`` and ``query_str`` are given, or ``nodes`` holds something
                other than ``NodeWithScore``.
        """
        return self._postprocess_nodes(_checked(nodes), _bundle(query_bundle, query_str))

    async def apostprocess_nodes(
        self,
        nodes: Sequence[NodeWithScore],
        query_bundle: QueryBundle | None = None,
        query_str: str | None = None,
    ) -> list[NodeWithScore]:
        """Async :meth:`postprocess_nodes`."""
        return await self._apostprocess_nodes(_checked(nodes), _bundle(query_bundle, query_str))

    @abstractmethod
    def _postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None) -> list[NodeWithScore]:
        """Postprocess ``nodes`` (a fresh list the implementation may reorder)."""

    async def _apostprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None
    ) -> list[NodeWithScore]:
        return await run_in_thread(self._postprocess_nodes, nodes, query_bundle)


def _checked(nodes: Sequence[NodeWithScore]) -> list[NodeWithScore]:
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Sequence):
        msg = f"nodes must be a list of NodeWithScore, got {type(nodes).__name__}"
        raise InvalidInputError(msg)
    return items_of(nodes, NodeWithScore, "nodes", " (as retrievers return)")


def _bundle(query_bundle: QueryBundle | None, query_str: str | None) -> QueryBundle | None:
    if query_str is None:
        return query_bundle
    if query_bundle is not None:
        msg = "give either query_bundle or query_str, not both"
        raise InvalidInputError(msg)
    return QueryBundle(query_str=query_str)
