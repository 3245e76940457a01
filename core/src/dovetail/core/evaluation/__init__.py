"""Retrieval evaluation: hit rate, MRR, nDCG (and precision, recall, AP) over a labelled set of questions.

* :class:`RetrieverEvaluator` — runs a retriever on each question and scores the ranking against the expected ids.
* :class:`LabelledQuestions` — a labelled set read from ``questions.jsonl`` (``{"question": ..., "expected_ids":
  [...]}`` per line).
* Metrics: :class:`HitRate`, :class:`MRR`, :class:`NDCG`, :class:`Precision`, :class:`Recall`,
  :class:`AveragePrecision`, by name through :func:`resolve_metrics`.

Example:
    ```python
    from dovetail.core.evaluation import LabelledQuestions, RetrieverEvaluator

    evaluator = RetrieverEvaluator.from_metric_names(["hit_rate", "mrr", "ndcg"], retriever=index.as_retriever())
    summary = evaluator.evaluate_dataset(LabelledQuestions.from_jsonl("questions.jsonl"))
    print(summary.means)
    ```
"""

from dovetail.core.evaluation._dataset import LabelledQuestions
from dovetail.core.evaluation._evaluator import EvaluationSummary
from dovetail.core.evaluation._evaluator import RetrievalEvalResult
from dovetail.core.evaluation._evaluator import RetrieverEvaluator
from dovetail.core.evaluation._metrics import MRR
from dovetail.core.evaluation._metrics import NDCG
from dovetail.core.evaluation._metrics import AveragePrecision
from dovetail.core.evaluation._metrics import BaseRetrievalMetric
from dovetail.core.evaluation._metrics import HitRate
from dovetail.core.evaluation._metrics import Precision
from dovetail.core.evaluation._metrics import Recall
from dovetail.core.evaluation._metrics import RetrievalMetricResult
from dovetail.core.evaluation._metrics import resolve_metrics

__all__ = [
    "MRR",
    "NDCG",
    "AveragePrecision",
    "BaseRetrievalMetric",
    "EvaluationSummary",
    "HitRate",
    "LabelledQuestions",
    "Precision",
    "Recall",
    "RetrievalEvalResult",
    "RetrievalMetricResult",
    "RetrieverEvaluator",
    "resolve_metrics",
]
