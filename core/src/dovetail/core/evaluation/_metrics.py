"""Ranking metrics over ``expected_ids`` (the relevant ids) and ``retrieved_ids`` (the ranking, best first).

Relevance is binary. Every metric is in [0, 1] and computed over the whole retrieved list, so ``k`` is the number
of ids retrieved.
"""

from __future__ import annotations

import math
from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from dovetail.core._exceptions import InvalidInputError

__all__ = [
    "MRR",
    "NDCG",
    "AveragePrecision",
    "BaseRetrievalMetric",
    "HitRate",
    "Precision",
    "Recall",
    "RetrievalMetricResult",
    "resolve_metrics",
]


@dataclass(frozen=True)
class RetrievalMetricResult:
    """A metric's value for one question."""

    score: float


def _check(expected_ids: Sequence[str] | None, retrieved_ids: Sequence[str] | None) -> tuple[list[str], list[str]]:
    for name, ids in (("expected_ids", expected_ids), ("retrieved_ids", retrieved_ids)):
        if ids is None or isinstance(ids, str) or not isinstance(ids, Sequence):
            msg = f"{name} must be a list of ids, got {type(ids).__name__}"
            raise InvalidInputError(msg)
    if not expected_ids:
        msg = "expected_ids is empty; every labelled question needs at least one expected id"
        raise InvalidInputError(msg)
    return list(expected_ids), list(retrieved_ids or [])


class BaseRetrievalMetric(ABC):
    """A ranking metric: ``compute(expected_ids=..., retrieved_ids=...)`` returns a score in [0, 1]."""

    metric_name: str = ""

    def compute(
        self, expected_ids: Sequence[str] | None = None, retrieved_ids: Sequence[str] | None = None
    ) -> RetrievalMetricResult:
        """Score one ranking.

        Raises:
            InvalidInputError: the ids are not lists, or ``expected_ids`` is empty.
        """
        expected, retrieved = _check(expected_ids, retrieved_ids)
        return RetrievalMetricResult(score=self._score(set(expected), retrieved))

    @abstractmethod
    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        """The score of ``retrieved`` given the relevant set."""


class HitRate(BaseRetrievalMetric):
    """1 when any expected id was retrieved, else 0."""

    metric_name = "hit_rate"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        return 1.0 if any(i in expected for i in retrieved) else 0.0


class MRR(BaseRetrievalMetric):
    """Reciprocal rank of the first relevant id (0 when none was retrieved)."""

    metric_name = "mrr"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        return next((1.0 / rank for rank, i in enumerate(retrieved, 1) if i in expected), 0.0)


class Precision(BaseRetrievalMetric):
    """Share of the retrieved ids that are relevant."""

    metric_name = "precision"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        return sum(i in expected for i in retrieved) / len(retrieved) if retrieved else 0.0


class Recall(BaseRetrievalMetric):
    """Share of the relevant ids that were retrieved."""

    metric_name = "recall"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        return len(expected.intersection(retrieved)) / len(expected)


class AveragePrecision(BaseRetrievalMetric):
    """Mean of the precision at each relevant position, over the number of relevant ids."""

    metric_name = "ap"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        hits = 0
        total = 0.0
        for rank, i in enumerate(retrieved, 1):
            if i in expected:
                hits += 1
                total += hits / rank
        return total / len(expected)


class NDCG(BaseRetrievalMetric):
    """Normalised discounted cumulative gain with binary relevance, ``k`` = the number retrieved."""

    metric_name = "ndcg"

    def _score(self, expected: set[str], retrieved: list[str]) -> float:
        dcg = sum(1.0 / math.log2(rank + 1) for rank, i in enumerate(retrieved, 1) if i in expected)
        ideal_hits = min(len(expected), len(retrieved))
        idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, ideal_hits + 1))
        return dcg / idcg if idcg else 0.0


_METRICS: dict[str, type[BaseRetrievalMetric]] = {
    cls.metric_name: cls for cls in (HitRate, MRR, NDCG, Precision, Recall, AveragePrecision)
}


def resolve_metrics(names: Sequence[str]) -> list[BaseRetrievalMetric]:
    """Metric objects for names such as ``["hit_rate", "mrr", "ndcg"]``.

    Raises:
        InvalidInputError: an unknown name (the message lists the known ones).
    """
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        msg = "metric names must be a non-empty list such as ['hit_rate', 'mrr', 'ndcg']"
        raise InvalidInputError(msg)
    out = []
    for name in names:
        cls = _METRICS.get(name) if isinstance(name, str) else None
        if cls is None:
            msg = f"unknown retrieval metric {name!r}; known: {', '.join(sorted(_METRICS))}"
            raise InvalidInputError(msg)
        out.append(cls())
    return out
