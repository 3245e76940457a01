"""LlamaIndex's own retriever tests (``retrievers/test_retrievers.py``, ``test_recursive_retriever.py``,
``test_composable_retriever.py``), written again against dovetail's import path.

Left out: asserts on private attributes (``_verbose``, ``_retriever_weights``), ``_get_prompts``/``_update_prompts``
(private hooks), and the ``TransformRetriever`` tests, which drive a ``MagicMock`` of a query transform (dovetail
has no query transforms). ``RecursiveRetriever`` is not offered; ``BaseRetriever`` follows ``IndexNode`` s itself,
which the test kept here checks.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from dovetail.core import MockEmbedding
from dovetail.core import VectorStoreIndex
from dovetail.core.callbacks import CallbackManager
from dovetail.core.indices import SummaryIndex
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import MockLLM
from dovetail.core.retrievers import FUSION_MODES
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.retrievers import QueryFusionRetriever
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode


class SimpleRetriever(BaseRetriever):
    """Returns a fixed list of nodes."""

    def __init__(self, nodes: list[NodeWithScore] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._nodes = nodes or []

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self._nodes


def make_nodes(n: int) -> list[NodeWithScore]:
    return [NodeWithScore(node=TextNode(text=f"Node {i}", id_=f"node_{i}"), score=float(i)) for i in range(n)]


# ------------------------------------------------------------------ test_retrievers.py: BaseRetriever
def test_construction_with_defaults() -> None:
    assert SimpleRetriever().object_map == {}


def test_construction_with_callback_manager() -> None:
    cm = CallbackManager()
    assert SimpleRetriever(callback_manager=cm).callback_manager is cm


def test_retrieve_returns_nodes() -> None:
    assert len(SimpleRetriever(nodes=make_nodes(3)).retrieve("test query")) == 3


def test_retrieve_with_query_bundle() -> None:
    assert len(SimpleRetriever(nodes=make_nodes(2)).retrieve(QueryBundle(query_str="What is this?"))) == 2


def test_retrieve_empty_results() -> None:
    assert SimpleRetriever(nodes=[]).retrieve("test query") == []


def test_retrieve_with_objects() -> None:
    hidden = TextNode(text="Hidden content", id_="hidden")
    index_node = IndexNode(text="Index entry", id_="index_1", index_id="index_1", obj=hidden)
    result = SimpleRetriever(nodes=[NodeWithScore(node=index_node, score=1.0)]).retrieve("test")
    assert any(r.node.id_ == "hidden" for r in result)


async def test_aretrieve_returns_nodes() -> None:
    assert len(await SimpleRetriever(nodes=make_nodes(2)).aretrieve("async test")) == 2


# ------------------------------------------------------------------ test_retrievers.py: QueryFusionRetriever
def test_fusion_retriever_construction_defaults() -> None:
    assert QueryFusionRetriever(retrievers=[SimpleRetriever(), SimpleRetriever()], num_queries=1) is not None


def test_fusion_retriever_simple_mode_retrieve() -> None:
    node1 = NodeWithScore(node=TextNode(text="From R1", id_="n1"), score=0.9)
    node2 = NodeWithScore(node=TextNode(text="From R2", id_="n2"), score=0.8)
    retriever = QueryFusionRetriever(
        retrievers=[SimpleRetriever(nodes=[node1]), SimpleRetriever(nodes=[node2])],
        mode=FUSION_MODES.SIMPLE,
        num_queries=1,
        use_async=False,
    )
    assert [hit.node.node_id for hit in retriever.retrieve("test query")] == ["n1", "n2"]


def test_fusion_retriever_reciprocal_rank_mode() -> None:
    retriever = QueryFusionRetriever(
        retrievers=[SimpleRetriever(nodes=make_nodes(3))],
        mode=FUSION_MODES.RECIPROCAL_RANK,
        num_queries=1,
        use_async=False,
    )
    assert isinstance(retriever.retrieve("test"), list)


# ------------------------------------------------------------------ test_recursive_retriever.py
class ScoredIndexRetriever(BaseRetriever):
    def __init__(self, score: float | None, object_map: dict[str, object] | None = None) -> None:
        super().__init__(object_map=object_map)
        self.score = score

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [NodeWithScore(node=IndexNode(text="parent", index_id="child"), score=self.score)]


@pytest.mark.parametrize("async_retrieve", [False, True])
def test_base_retriever_preserves_zero_score_when_following_index_node(async_retrieve: bool) -> None:
    child = TextNode(text="child")
    retriever = ScoredIndexRetriever(0.0, object_map={"child": child})
    result = asyncio.run(retriever.aretrieve("query")) if async_retrieve else retriever.retrieve("query")
    assert len(result) == 1
    assert result[0].node.id_ == child.id_
    assert result[0].score == 0.0


# ------------------------------------------------------------------ test_composable_retriever.py
def test_composable_retrieval() -> None:
    text_node = TextNode(text="This is a test text node.", id_="test_text_node")
    index_node = IndexNode(
        text="This is a test index node.",
        id_="test_index_node",
        index_id="test_index_node_index",
        obj=TextNode(text="Hidden node!", id_="hidden_node"),
    )
    index = SummaryIndex(nodes=[text_node, text_node], objects=[index_node])
    found = index.as_retriever().retrieve("test")
    assert [hit.node.id_ for hit in found] == ["test_text_node", "hidden_node"]


def _retriever_with_query_engine_object() -> BaseRetriever:
    embed = MockEmbedding(embed_dim=3)
    sub_qe = VectorStoreIndex.from_documents(
        [Document(text="Paris is the capital of France.", metadata={"source": "geography.pdf"})], embed_model=embed
    ).as_query_engine(llm=MockLLM())
    top_index = VectorStoreIndex(
        nodes=[], objects=[IndexNode(text="France sub-index", index_id="france-sub", obj=sub_qe)], embed_model=embed
    )
    return top_index.as_retriever(similarity_top_k=1)


def test_query_engine_object_metadata_preserved_sync() -> None:
    assert _retriever_with_query_engine_object().retrieve("Capital of France?")[0].node.metadata


async def test_query_engine_object_metadata_preserved_async() -> None:
    found = await _retriever_with_query_engine_object().aretrieve("Capital of France?")
    assert found[0].node.metadata


async def test_dedup_preserves_nodes_from_different_docs() -> None:
    node1 = TextNode(text="shared content", metadata={}, id_="node-1")
    node1.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id="doc-1")
    node2 = TextNode(text="shared content", metadata={}, id_="node-2")
    node2.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id="doc-2")
    retriever = SummaryIndex(nodes=[node1, node2]).as_retriever()
    sync_nodes = retriever.retrieve("test")
    assert {n.node.ref_doc_id for n in sync_nodes} == {"doc-1", "doc-2"}
    async_nodes = await retriever.aretrieve("test")
    assert {n.node.ref_doc_id for n in async_nodes} == {"doc-1", "doc-2"}


# ------------------------------------------------------------------ test_fusion_retriever.py
class OneResult(SimpleRetriever):
    def __init__(self, text: str) -> None:
        super().__init__(nodes=[NodeWithScore(node=TextNode(text=text), score=1.0)])


async def test_aretrieve_uses_async_query_generation() -> None:
    async_called: list[bool] = []

    class AsyncTrackingLLM(MockLLM):
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            raise AssertionError("sync complete() must not be called from aretrieve")

        async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            async_called.append(True)
            return CompletionResponse(text="q1\nq2\nq3")

    retriever = QueryFusionRetriever(retrievers=[OneResult("result")], llm=AsyncTrackingLLM(), num_queries=4)
    await retriever.aretrieve("test query")
    assert async_called


def test_reciprocal_rerank_fusion_applies_retriever_weights() -> None:
    # LlamaIndex calls the private _reciprocal_rerank_fusion; the same ranking through retrieve()
    retriever = QueryFusionRetriever(
        retrievers=[OneResult("lower weight result"), OneResult("higher weight result")],
        llm=MockLLM(),
        mode=FUSION_MODES.RECIPROCAL_RANK,
        retriever_weights=[0.1, 0.9],
        use_async=False,
        num_queries=1,
    )
    results = retriever.retrieve("query")
    assert results[0].node.get_content() == "higher weight result"
    assert (results[0].score or 0.0) > (results[1].score or 0.0)


def test_objects_must_be_index_nodes_and_nothing_is_registered() -> None:
    from dovetail.core.errors import InvalidInputError
    from dovetail.core.storage import StorageContext

    storage_context = StorageContext.from_defaults()
    with pytest.raises(InvalidInputError, match=r"objects= takes IndexNode"):
        SummaryIndex(nodes=[], objects=[TextNode(text="not an index node")], storage_context=storage_context)  # type: ignore[list-item]
    assert storage_context.index_store.index_structs() == []
