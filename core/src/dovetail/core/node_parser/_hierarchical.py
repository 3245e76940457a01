"""``HierarchicalNodeParser``: nodes at several chunk sizes linked parent → children, and helpers to pick levels."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.node_parser._base import NodeParser
from dovetail.core.node_parser._sentence import SentenceSplitter
from dovetail.core.schema import BaseNode
from dovetail.core.schema import NodeRelationship

__all__ = ["HierarchicalNodeParser", "get_child_nodes", "get_deeper_nodes", "get_leaf_nodes", "get_root_nodes"]


class HierarchicalNodeParser(NodeParser):
    """Split documents into large chunks, each large chunk into smaller ones, and so on; every node links to its
    parent (``PARENT``) and children (``CHILD``). Returns the nodes of every level (roots first).

    Args:
        node_parsers: one parser per level, largest first.
        include_metadata: copy the parent's metadata into each node.
        include_prev_next_rel: link consecutive nodes within a level.
        callback_manager: receives parsing events.

    Example:
        ```python
        parser = HierarchicalNodeParser.from_defaults(chunk_sizes=[1024, 256, 64])
        nodes = parser.get_nodes_from_documents(documents)
        leaves = get_leaf_nodes(nodes)
        ```
    """

    _places_nodes = True

    def __init__(
        self,
        node_parsers: Sequence[NodeParser],
        *,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: Any = None,
    ) -> None:
        # Levels link their own neighbours; the base class would link across levels.
        super().__init__(
            include_metadata=include_metadata, include_prev_next_rel=False, callback_manager=callback_manager
        )
        if not node_parsers:
            msg = "HierarchicalNodeParser needs at least one level (e.g. from_defaults(chunk_sizes=[1024, 256]))"
            raise InvalidInputError(msg)
        self.node_parsers = list(node_parsers)
        self.link_levels = include_prev_next_rel

    @classmethod
    def from_defaults(  # type: ignore[override]  # LlamaIndex's signature: the levels, not the constructor's
        cls,
        chunk_sizes: Sequence[int] | None = None,
        chunk_overlap: int = 20,
        node_parsers: Sequence[NodeParser] | None = None,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: Any = None,
    ) -> HierarchicalNodeParser:
        """Levels of :class:`SentenceSplitter` with ``chunk_sizes`` (default ``[2048, 512, 128]``), or your own
        ``node_parsers``.

        Raises:
            InvalidInputError: both or neither of ``chunk_sizes`` and ``node_parsers`` describe the levels badly
                (sizes not decreasing, or both given).
        """
        if node_parsers is not None and chunk_sizes is not None:
            msg = "pass chunk_sizes or node_parsers, not both"
            raise InvalidInputError(msg)
        if node_parsers is None:
            sizes = list(chunk_sizes or [2048, 512, 128])
            if any(later >= earlier for earlier, later in itertools.pairwise(sizes)):
                msg = f"chunk_sizes must decrease from the root level down, got {sizes}"
                raise InvalidInputError(msg)
            node_parsers = [
                SentenceSplitter(
                    chunk_size=size,
                    chunk_overlap=min(chunk_overlap, size // 4),
                    include_metadata=include_metadata,
                    include_prev_next_rel=include_prev_next_rel,
                    callback_manager=callback_manager,
                )
                for size in sizes
            ]
        return cls(
            node_parsers,
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
        )

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        everything: list[BaseNode] = []
        level = self.node_parsers[0].get_nodes_from_documents(nodes, show_progress=show_progress)
        everything.extend(level)
        for parser in self.node_parsers[1:]:
            children_of_level: list[BaseNode] = []
            for parent in level:
                children = parser.get_nodes_from_documents([parent])
                for child in children:
                    child.relationships[NodeRelationship.PARENT] = parent.as_related_node_info()
                if children:
                    parent.relationships[NodeRelationship.CHILD] = [child.as_related_node_info() for child in children]
                children_of_level.extend(children)
            everything.extend(children_of_level)
            level = children_of_level
        return everything


def get_leaf_nodes(nodes: Sequence[BaseNode]) -> list[BaseNode]:
    """The nodes without children (the smallest chunks)."""
    return [node for node in nodes if not node.child_nodes]


def get_root_nodes(nodes: Sequence[BaseNode]) -> list[BaseNode]:
    """The nodes without a parent (the largest chunks)."""
    return [node for node in nodes if node.parent_node is None]


def get_child_nodes(nodes: Sequence[BaseNode], all_nodes: Sequence[BaseNode]) -> list[BaseNode]:
    """The children of ``nodes``, found among ``all_nodes``."""
    wanted = {child.node_id for node in nodes for child in (node.child_nodes or [])}
    return [node for node in all_nodes if node.node_id in wanted]


def get_deeper_nodes(nodes: Sequence[BaseNode], depth: int = 1) -> list[BaseNode]:
    """The nodes ``depth`` levels below the roots (0: the roots).

    Raises:
        InvalidInputError: a negative depth.
    """
    if depth < 0:
        msg = f"depth must be >= 0, got {depth}"
        raise InvalidInputError(msg)
    level = get_root_nodes(nodes)
    for _ in range(depth):
        level = get_child_nodes(level, nodes)
    return level
