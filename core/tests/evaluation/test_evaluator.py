"""Retrieval metrics against hand-computed values, the labelled-set loader, and RetrieverEvaluator end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.evaluation import MRR
from dovetail.core.evaluation import NDCG
from dovetail.core.evaluation import AveragePrecision
from dovetail.core.evaluation import EvaluationSummary
from dovetail.core.evaluation import HitRate
from dovetail.core.evaluation import LabelledQuestions
from dovetail.core.evaluation import Precision
from dovetail.core.evaluation import Recall
from dovetail.core.evaluation import RetrieverEvaluator
from dovetail.core.evaluation import resolve_metrics
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode


def test_metrics_on_a_known_ranking() -> None:
    expected, retrieved = ["b", "d"], ["a", "b", "c", "d"]
    assert HitRate().compute(expected, retrieved).score == 1.0
    assert MRR().compute(expected, retrieved).score == 0.5
    assert Precision().compute(expected, retrieved).score == 0.5
    assert Recall().compute(expected, retrieved).score == 1.0
    assert AveragePrecision().compute(expected, retrieved).score == pytest.approx((1 / 2 + 2 / 4) / 2)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3)
    assert NDCG().compute(expected, retrieved).score == pytest.approx(dcg / idcg)
    assert HitRate().compute(["z"], retrieved).score == 0.0
    assert MRR().compute(["z"], []).score == 0.0
    assert NDCG().compute(["a"], ["a"]).score == 1.0


def test_metric_input_errors() -> None:
    with pytest.raises(InvalidInputError, match="at least one expected id"):
        HitRate().compute([], ["a"])
    with pytest.raises(InvalidInputError):
        MRR().compute("a", ["a"])
    with pytest.raises(InvalidInputError, match="known: ap, hit_rate"):
        resolve_metrics(["hit_rate", "recal"])


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_labelled_questions_load_and_reject_bad_lines(tmp_path: Path) -> None:
    good = write(
        tmp_path / "q.jsonl",
        [
            "# comment",
            json.dumps({"question": " Q1 ", "expected_ids": ["a"]}),
            "",
            json.dumps({"question": "Q2", "expected_ids": ["b", "c"], "id": "x"}),
        ],
    )
    questions = LabelledQuestions.from_jsonl(good)
    assert questions.query_docid_pairs == [("Q1", ["a"]), ("Q2", ["b", "c"])]
    for line, fragment in [
        ("{not json", "not valid JSON"),
        (json.dumps({"question": "q", "expected_id": ["a"]}), "unknown field"),
        (json.dumps({"question": "", "expected_ids": ["a"]}), "'question'"),
        (json.dumps({"question": "q", "expected_ids": []}), "'expected_ids'"),
        ("[1, 2]", "JSON object"),
    ]:
        with pytest.raises(InvalidInputError, match=fragment):
            LabelledQuestions.from_jsonl(write(tmp_path / "bad.jsonl", [line]))
    with pytest.raises(InvalidInputError, match="no questions"):
        LabelledQuestions.from_jsonl(write(tmp_path / "empty.jsonl", ["# only a comment"]))
    with pytest.raises(NotFoundError):
        LabelledQuestions.from_jsonl(tmp_path / "missing.jsonl")


class Lookup(BaseRetriever):
    """Returns, for each question, a fixed ranking of (node id, document id)."""

    def __init__(self, rankings: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__()
        self.rankings = rankings

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        out = []
        for position, (node_id, doc_id) in enumerate(self.rankings[query_bundle.query_str]):
            source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)}
            node = TextNode(id_=node_id, text=f"{node_id} of {doc_id}", relationships=source)
            out.append(NodeWithScore(node=node, score=1.0 - position / 10))
        return out


RANKINGS = {
    "q1": [("n1", "doc-a"), ("n2", "doc-a"), ("n3", "doc-b")],
    "q2": [("n4", "doc-c"), ("n5", "doc-d")],
}


async def test_evaluator_by_document_counts_each_document_once(tmp_path: Path) -> None:
    dataset = LabelledQuestions.from_jsonl(
        write(
            tmp_path / "q.jsonl",
            [
                json.dumps({"question": "q1", "expected_ids": ["doc-b"]}),
                json.dumps({"question": "q2", "expected_ids": ["doc-x"]}),
            ],
        )
    )
    evaluator = RetrieverEvaluator.from_metric_names(
        ["hit_rate", "mrr"], retriever=Lookup(RANKINGS), id_field="ref_doc_id"
    )
    results = evaluator.evaluate_dataset(dataset)
    assert results[0].retrieved_ids == ["doc-a", "doc-b"]  # doc-a's second chunk does not push doc-b down
    assert results[0].metric_vals_dict == {"hit_rate": 1.0, "mrr": 0.5}
    assert results[1].metric_vals_dict == {"hit_rate": 0.0, "mrr": 0.0}
    summary = EvaluationSummary.from_results(results)
    assert summary.means == {"hit_rate": 0.5, "mrr": 0.25}
    async_results = await evaluator.aevaluate_dataset(dataset, workers=2)
    assert [r.metric_dict for r in async_results] == [r.metric_dict for r in results]


def test_evaluator_by_node_id_and_bad_arguments() -> None:
    evaluator = RetrieverEvaluator.from_metric_names(["mrr"], retriever=Lookup(RANKINGS))
    assert evaluator.evaluate("q1", expected_ids=["n2"]).metric_dict == {"mrr": 0.5}
    with pytest.raises(InvalidInputError):
        evaluator.evaluate("", expected_ids=["n2"])
    with pytest.raises(InvalidInputError):
        RetrieverEvaluator(metrics=[], retriever=Lookup(RANKINGS))
    with pytest.raises(InvalidInputError):
        RetrieverEvaluator.from_metric_names(["mrr"], retriever=Lookup(RANKINGS), id_field="file")
    with pytest.raises(InvalidInputError):
        evaluator.evaluate_dataset([("q1", ["n1"])])
