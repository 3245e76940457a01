"""The Ray actor that runs a pipeline's "transform + embed" stage: models built once, batches run many times."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from dovetail.core.ingestion import BatchResult
from dovetail.core.ingestion import BatchWork
from dovetail.core.schema import BaseNode
from dovetail.ingestion.ray._ship import rebuild
from dovetail.ingestion.ray._ship import safe_error

__all__ = ["IngestWorker"]

logger = logging.getLogger(__name__)


class IngestWorker:
    """Holds one :class:`BatchWork` (its embedding model built here, once) and applies it to batches."""

    def __init__(self, work: BatchWork) -> None:
        self._work = rebuild(work)
        self._batches = 0
        self._documents = 0
        self._nodes = 0
        self._seconds = 0.0

    def process(self, documents: list[BaseNode]) -> BatchResult:
        """Transform and embed ``documents``; a failing document is reported in the result, not raised."""
        started = time.perf_counter()
        result = self._work(documents)
        self._seconds += time.perf_counter() - started
        self._batches += 1
        self._documents += result.done
        self._nodes += len(result.nodes)
        if result.error is not None:
            logger.warning("document %s failed on a Ray worker: %s", result.failed_id, result.error)
            result.error = safe_error(result.error)
        return result

    def stats(self) -> dict[str, Any]:
        """Where this actor runs and what it did.

        Keys: ``node_id``, ``pid``, ``batches``, ``documents``, ``nodes`` and ``seconds`` spent processing.
        """
        import ray

        return {
            "node_id": ray.get_runtime_context().get_node_id(),
            "pid": os.getpid(),
            "batches": self._batches,
            "documents": self._documents,
            "nodes": self._nodes,
            "seconds": round(self._seconds, 3),
        }
