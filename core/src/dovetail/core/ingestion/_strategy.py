"""Small building blocks of the ingestion pipeline: strategies, progress reporting, batching."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from enum import Enum

from dovetail.core.schema import BaseNode

__all__ = ["DocstoreStrategy", "ProgressCallback", "batches", "reporter"]

logger = logging.getLogger("dovetail.core.ingestion")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with the number of input documents handled so far."""


class DocstoreStrategy(str, Enum):
    """How a pipeline with a docstore treats documents it has seen before."""

    UPSERTS = "upserts"
    DUPLICATES_ONLY = "duplicates_only"
    UPSERTS_AND_DELETE = "upserts_and_delete"


def batches(items: list[BaseNode], size: int) -> Iterable[list[BaseNode]]:
    """Consecutive slices of ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def reporter(total: int, callback: ProgressCallback | None, log: bool) -> Callable[[int], None]:
    """``report(done)``: log at INFO (with ``log``) and call ``callback(done, total)``."""

    def report(done: int) -> None:
        if log:
            logger.info("ingested %d/%d documents", done, total)
        if callback is not None:
            callback(done, total)

    return report
