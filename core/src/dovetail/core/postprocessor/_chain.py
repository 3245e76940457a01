"""A list of node postprocessors applied in order, as the query and chat engines run their ``node_postprocessors``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["apostprocess_all", "postprocess_all"]


def postprocess_all(processors: Sequence[Any], nodes: list[NodeWithScore], query: QueryBundle) -> list[NodeWithScore]:
    """``nodes`` through each processor's ``postprocess_nodes``, in order."""
    for processor in processors:
        nodes = list(processor.postprocess_nodes(nodes, query_bundle=query))
    return nodes


async def apostprocess_all(
    processors: Sequence[Any], nodes: list[NodeWithScore], query: QueryBundle
) -> list[NodeWithScore]:
    """Async :func:`postprocess_all`: a processor's ``apostprocess_nodes`` is used when it has one."""
    for processor in processors:
        apostprocess = getattr(processor, "apostprocess_nodes", None)
        if apostprocess is not None:
            nodes = list(await apostprocess(nodes, query_bundle=query))
        else:
            nodes = list(processor.postprocess_nodes(nodes, query_bundle=query))
    return nodes
