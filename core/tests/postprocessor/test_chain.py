"""The engines' postprocessor chain: in order, the async path of a processor when it has one."""

from __future__ import annotations

from dovetail.core.postprocessor._chain import apostprocess_all
from dovetail.core.postprocessor._chain import postprocess_all
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode


class Append:
    """Duck-typed (no base class): appends a node naming itself and the query it saw."""

    def __init__(self, name: str) -> None:
        self.name = name

    def postprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [*nodes, NodeWithScore(node=TextNode(text=f"{self.name}:{query_bundle.query_str}"))]


class AsyncAppend(Append):
    async def apostprocess_nodes(self, nodes: list[NodeWithScore], query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [*nodes, NodeWithScore(node=TextNode(text=f"async {self.name}:{query_bundle.query_str}"))]


def _texts(nodes: list[NodeWithScore]) -> list[str]:
    return [n.node.get_content() for n in nodes]


def test_sync_chain_runs_in_order() -> None:
    start = [NodeWithScore(node=TextNode(text="seed"))]
    out = postprocess_all([Append("a"), AsyncAppend("b")], start, QueryBundle(query_str="q"))
    assert _texts(out) == ["seed", "a:q", "b:q"]
    assert _texts(start) == ["seed"]


async def test_async_chain_prefers_the_async_method() -> None:
    out = await apostprocess_all([AsyncAppend("a"), Append("b")], [], QueryBundle(query_str="q"))
    assert _texts(out) == ["async a:q", "b:q"]


def test_no_processors_keep_the_nodes() -> None:
    nodes = [NodeWithScore(node=TextNode(text="x"))]
    assert postprocess_all([], nodes, QueryBundle(query_str="q")) == nodes
