"""QueryFusionRetriever: each fusion mode against scores computed here by hand, weights, query generation,
concurrency, and bad input."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.retrievers import FUSION_MODES
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.retrievers import QueryFusionRetriever
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode

from ..compat._llm import RecordingLLM

NODES = {name: TextNode(id_=name, text=f"text of {name}") for name in "abcdef"}


class Fixed(BaseRetriever):
    """Returns a fixed ranking for any query and records the queries it saw."""

    def __init__(self, ranking: Sequence[tuple[str, float]], barrier: threading.Barrier | None = None) -> None:
        super().__init__()
        self.ranking = list(ranking)
        self.barrier = barrier
        self.seen: list[str] = []

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        self.seen.append(query_bundle.query_str)
        if self.barrier is not None:
            self.barrier.wait(timeout=5)
        return [NodeWithScore(node=NODES[name], score=score) for name, score in self.ranking]


class ScriptedLLM(RecordingLLM):
    """Answers every prompt with ``reply`` and keeps the prompts."""

    reply: str = ""

    def answer(self, prompt: str, number: int) -> str:
        """The same reply to every prompt."""
        return self.reply


DENSE = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
SPARSE = [("c", 12.0), ("d", 6.0), ("a", 3.0)]


def ids(hits: list[NodeWithScore]) -> list[str]:
    return [hit.node.node_id for hit in hits]


def test_reciprocal_rank_fusion_matches_the_formula() -> None:
    fused = QueryFusionRetriever([Fixed(DENSE), Fixed(SPARSE)], mode="reciprocal_rerank", similarity_top_k=4).retrieve(
        "q"
    )
    # each list weighs 1/2; contribution = 0.5 / (60 + rank)
    expected = {
        "a": 0.5 / 61 + 0.5 / 63,
        "c": 0.5 / 63 + 0.5 / 61,
        "b": 0.5 / 62,
        "d": 0.5 / 62,
    }
    assert {h.node.node_id: h.score for h in fused} == pytest.approx(expected)
    assert ids(fused)[:2] in (["a", "c"], ["c", "a"])


def test_relative_score_min_max_scales_each_list() -> None:
    fused = QueryFusionRetriever([Fixed(DENSE), Fixed(SPARSE)], mode="relative_score", similarity_top_k=4).retrieve("q")
    dense = {"a": 1.0, "b": (0.8 - 0.1) / 0.8, "c": 0.0}
    sparse = {"c": 1.0, "d": (6 - 3) / 9, "a": 0.0}
    expected = {k: 0.5 * dense.get(k, 0.0) + 0.5 * sparse.get(k, 0.0) for k in "abcd"}
    assert {h.node.node_id: h.score for h in fused} == pytest.approx(expected)
    assert ids(fused)[0] in ("a", "c")


def test_dist_based_score_uses_three_standard_deviations() -> None:
    fused = QueryFusionRetriever([Fixed(DENSE)], mode=FUSION_MODES.DIST_BASED_SCORE, similarity_top_k=3).retrieve("q")
    scores = [0.9, 0.8, 0.1]
    mean = sum(scores) / 3
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / 3)
    low, high = mean - 3 * std, mean + 3 * std
    assert [h.score for h in fused] == pytest.approx([(s - low) / (high - low) for s in scores])


def test_simple_keeps_the_best_score_of_duplicates() -> None:
    fused = QueryFusionRetriever([Fixed(DENSE), Fixed([("b", 0.95)])], mode="simple", similarity_top_k=3).retrieve("q")
    assert ids(fused) == ["b", "a", "c"]
    assert fused[0].score == pytest.approx(0.95)


def test_weights_tilt_the_fusion() -> None:
    favour_sparse = QueryFusionRetriever(
        [Fixed(DENSE), Fixed(SPARSE)], mode="reciprocal_rerank", similarity_top_k=1, retriever_weights=[0.1, 0.9]
    ).retrieve("q")
    favour_dense = QueryFusionRetriever(
        [Fixed(DENSE), Fixed(SPARSE)], mode="reciprocal_rerank", similarity_top_k=1, retriever_weights=[9, 1]
    ).retrieve("q")
    assert ids(favour_sparse) == ["c"]
    assert ids(favour_dense) == ["a"]


def test_generated_queries_are_run_on_every_retriever() -> None:
    llm = ScriptedLLM(reply="1. oak joinery\n2) pine joinery\n- q\n\n")
    first, second = Fixed(DENSE), Fixed(SPARSE)
    fused = QueryFusionRetriever([first, second], llm=llm, num_queries=3, mode="reciprocal_rerank").retrieve("q")
    assert sorted(first.seen) == sorted(second.seen) == ["oak joinery", "pine joinery", "q"]
    assert "q" in llm.prompts[0]
    assert len(fused) == 2


def test_one_query_needs_no_llm() -> None:
    retriever = QueryFusionRetriever([Fixed(DENSE)], llm=object())  # never called
    assert ids(retriever.retrieve("q")) == ["a", "b"]


def test_retrievers_run_concurrently_sync_and_async() -> None:
    barrier = threading.Barrier(2)
    fusion = QueryFusionRetriever([Fixed(DENSE, barrier), Fixed(SPARSE, barrier)], similarity_top_k=4)
    assert len(fusion.retrieve("q")) == 4  # sequential runs would break the barrier (timeout)


async def test_async_retrieval_fuses_the_same_way() -> None:
    fusion = QueryFusionRetriever([Fixed(DENSE), Fixed(SPARSE)], mode="reciprocal_rerank", similarity_top_k=4)
    assert ids(await fusion.aretrieve("q")) == ids(fusion.retrieve("q"))


def test_the_callers_bundle_reaches_the_retrievers_unchanged() -> None:
    seen: list[QueryBundle] = []

    class Recording(Fixed):
        def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
            seen.append(query_bundle)
            return super()._retrieve(query_bundle)

    bundle = QueryBundle(query_str="q", embedding=[1.0, 0.0])
    QueryFusionRetriever([Recording(DENSE)], use_async=False).retrieve(bundle)
    assert seen[0].embedding == [1.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"retrievers": []}, "non-empty list"),
        ({"retrievers": [object()]}, "not a BaseRetriever"),
        ({"mode": "borda"}, "unknown fusion mode"),
        ({"similarity_top_k": 0}, "similarity_top_k"),
        ({"num_queries": 0}, "num_queries"),
        ({"retriever_weights": [1.0, 2.0]}, "one weight per retriever"),
        ({"retriever_weights": [float("nan")]}, "finite"),
        ({"retriever_weights": [0.0]}, "sum to 0"),
    ],
)
def test_bad_arguments_raise_typed_errors(kwargs: dict[str, Any], fragment: str) -> None:
    arguments: dict[str, Any] = {"retrievers": [Fixed(DENSE)], **kwargs}
    with pytest.raises(InvalidInputError, match=fragment):
        QueryFusionRetriever(**arguments)


def test_unknown_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        QueryFusionRetriever([Fixed(DENSE)], similarity_topk=3)  # type: ignore[call-arg]
