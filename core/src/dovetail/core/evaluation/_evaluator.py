"""``RetrieverEvaluator``: run a retriever on labelled questions and score each ranking."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.concurrency import gather_bounded
from dovetail.core.evaluation._metrics import BaseRetrievalMetric
from dovetail.core.evaluation._metrics import resolve_metrics
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["EvaluationSummary", "RetrievalEvalResult", "RetrieverEvaluator"]

logger = logging.getLogger(__name__)

IdField = Literal["node_id", "ref_doc_id"]


@dataclass
class RetrievalEvalResult:
    """One question's ranking and its metric values."""

    query: str
    expected_ids: list[str]
    retrieved_ids: list[str]
    retrieved_texts: list[str]
    metric_dict: dict[str, float] = field(default_factory=dict)

    @property
    def metric_vals_dict(self) -> dict[str, float]:
        """Metric name → value (LlamaIndex's name for :attr:`metric_dict`)."""
        return dict(self.metric_dict)


@dataclass
class EvaluationSummary:
    """The mean of each metric over a set of results."""

    results: list[RetrievalEvalResult]
    means: dict[str, float]

    @classmethod
    def from_results(cls, results: Sequence[RetrievalEvalResult]) -> EvaluationSummary:
        """Average every metric over ``results``.

        Raises:
            InvalidInputError: ``results`` is empty.
        """
        if not results:
            msg = "no results to summarise; evaluate at least one question"
            raise InvalidInputError(msg)
        names = list(results[0].metric_dict)
        means = {name: sum(r.metric_dict[name] for r in results) / len(results) for name in names}
        return cls(results=list(results), means=means)


def _pairs(dataset: Any) -> list[tuple[str, list[str]]]:
    pairs = getattr(dataset, "query_docid_pairs", None)
    if pairs is None:
        msg = f"a dataset must have query_docid_pairs (e.g. LabelledQuestions), got {type(dataset).__name__}"
        raise InvalidInputError(msg)
    return [(str(query), list(expected)) for query, expected in pairs]


class RetrieverEvaluator:
    """Score a retriever's rankings against expected ids.

    Args:
        metrics: the metrics to compute.
        retriever: the retriever under evaluation.
        node_postprocessors: applied to each ranking before scoring, in order.
        id_field: what the expected ids name — ``"node_id"`` (LlamaIndex's default: chunks) or ``"ref_doc_id"``
            (documents: repeated documents in a ranking count once, at their best position).

    Example:
        ```python
        evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr"], retriever=retriever)
        evaluator.evaluate("what is a drawbore?", expected_ids=["mortise_and_tenon.md"]).metric_vals_dict
        ```
    """

    def __init__(
        self,
        metrics: Sequence[BaseRetrievalMetric],
        retriever: BaseRetriever,
        node_postprocessors: Sequence[Any] | None = None,
        id_field: IdField = "node_id",
    ) -> None:
        if not metrics or not all(isinstance(m, BaseRetrievalMetric) for m in metrics):
            msg = "metrics must be a non-empty list of retrieval metrics; see RetrieverEvaluator.from_metric_names"
            raise InvalidInputError(msg)
        if not isinstance(retriever, BaseRetriever):
            msg = f"retriever must be a BaseRetriever, got {type(retriever).__name__}"
            raise InvalidInputError(msg)
        if id_field not in ("node_id", "ref_doc_id"):
            msg = f"id_field must be 'node_id' or 'ref_doc_id', got {id_field!r}"
            raise InvalidInputError(msg)
        self.metrics = list(metrics)
        self.retriever = retriever
        self.node_postprocessors = list(node_postprocessors or [])
        self.id_field: IdField = id_field

    @classmethod
    def from_metric_names(cls, metric_names: Sequence[str], **kwargs: Any) -> RetrieverEvaluator:
        """Build an evaluator from names such as ``["hit_rate", "mrr", "ndcg"]``."""
        return cls(metrics=resolve_metrics(metric_names), **kwargs)

    def _ids(self, hits: list[NodeWithScore]) -> tuple[list[str], list[str]]:
        ids: list[str] = []
        texts: list[str] = []
        for hit in hits:
            ident = hit.node.node_id if self.id_field == "node_id" else hit.node.ref_doc_id
            if ident is None or ident in ids:
                continue
            ids.append(ident)
            texts.append(hit.node.get_content())
        return ids, texts

    def _result(self, query: str, expected_ids: Sequence[str], hits: list[NodeWithScore]) -> RetrievalEvalResult:
        for postprocessor in self.node_postprocessors:
            hits = postprocessor.postprocess_nodes(hits, query_bundle=QueryBundle(query_str=query))
        ids, texts = self._ids(hits)
        scores = {m.metric_name: m.compute(expected_ids=expected_ids, retrieved_ids=ids).score for m in self.metrics}
        return RetrievalEvalResult(
            query=query, expected_ids=list(expected_ids), retrieved_ids=ids, retrieved_texts=texts, metric_dict=scores
        )

    @staticmethod
    def _check(query: Any, expected_ids: Any) -> None:
        if not isinstance(query, str) or not query.strip():
            msg = "query must be a non-empty string"
            raise InvalidInputError(msg)
        if isinstance(expected_ids, str) or not isinstance(expected_ids, Sequence) or not expected_ids:
            msg = "expected_ids must be a non-empty list of ids"
            raise InvalidInputError(msg)

    def evaluate(self, query: str, expected_ids: Sequence[str]) -> RetrievalEvalResult:
        """Retrieve for ``query`` and score the ranking."""
        self._check(query, expected_ids)
        return self._result(query, expected_ids, self.retriever.retrieve(query))

    async def aevaluate(self, query: str, expected_ids: Sequence[str]) -> RetrievalEvalResult:
        """Async :meth:`evaluate`."""
        self._check(query, expected_ids)
        return self._result(query, expected_ids, await self.retriever.aretrieve(query))

    def evaluate_dataset(self, dataset: Any) -> list[RetrievalEvalResult]:
        """Evaluate every ``(question, expected ids)`` pair of ``dataset`` in order."""
        return [self.evaluate(query, expected) for query, expected in _pairs(dataset)]

    async def aevaluate_dataset(
        self, dataset: Any, workers: int = 2, show_progress: bool = False
    ) -> list[RetrievalEvalResult]:
        """Async :meth:`evaluate_dataset` with at most ``workers`` questions in flight (results in order);
        ``show_progress`` logs each finished question at INFO."""
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            msg = f"workers must be a positive int, got {workers!r}"
            raise InvalidInputError(msg)
        pairs = _pairs(dataset)

        done = 0

        async def evaluate(query: str, expected: list[str]) -> RetrievalEvalResult:
            nonlocal done
            result = await self.aevaluate(query, expected)
            done += 1
            if show_progress:
                logger.info("evaluated %d/%d questions", done, len(pairs))
            return result

        def job(query: str, expected: list[str]) -> Any:
            return lambda: evaluate(query, expected)

        return await gather_bounded([job(q, e) for q, e in pairs], workers)
