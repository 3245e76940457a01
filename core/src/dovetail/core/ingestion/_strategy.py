"""Small building blocks of the ingestion pipeline: strategies and planning, progress reporting."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from enum import Enum
from typing import TYPE_CHECKING

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.schema import BaseNode

if TYPE_CHECKING:
    from dovetail.core.ingestion._progress import ProgressHooks
    from dovetail.core.storage._docstore import SimpleDocumentStore

__all__ = [
    "PARTIAL_PREFIX",
    "DocstoreStrategy",
    "ProgressCallback",
    "Tally",
    "log_progress",
    "plan",
    "unique_inputs",
]

logger = logging.getLogger("dovetail.core.ingestion")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with the number of input documents handled so far."""

PARTIAL_PREFIX = "partial:"
"""Ledger hash prefix of a document whose first nodes are stored but which is not finished."""


class DocstoreStrategy(str, Enum):
    """How a pipeline with a docstore treats documents it has seen before."""

    UPSERTS = "upserts"
    DUPLICATES_ONLY = "duplicates_only"
    UPSERTS_AND_DELETE = "upserts_and_delete"


def unique_inputs(items: Sequence[object]) -> list[BaseNode]:
    """The input nodes, one per id (the last one wins); anything else is an ``InvalidInputError``."""
    unique: dict[str, BaseNode] = {}
    for item in items:
        if not isinstance(item, BaseNode):
            msg = f"IngestionPipeline.run takes Documents/nodes, got {type(item).__name__}"
            raise InvalidInputError(msg)
        if item.node_id in unique:
            logger.warning("document id %s appears twice in the input; keeping the last one", item.node_id)
        unique[item.node_id] = item
    return list(unique.values())


def plan(
    inputs: list[BaseNode], store: SimpleDocumentStore | None, strategy: DocstoreStrategy
) -> tuple[list[BaseNode], list[str]]:
    """The documents to process and the document ids to delete, from the docstore's ledger."""
    if store is None:
        return inputs, []
    hashes = store.hashes_by_document_id()
    if strategy is DocstoreStrategy.DUPLICATES_ONLY:
        seen = set(hashes.values())
        todo = []
        for doc in inputs:
            if doc.hash not in seen:
                todo.append(doc)
                seen.add(doc.hash)
        return todo, []
    todo = [doc for doc in inputs if hashes.get(doc.node_id) != doc.hash]
    deletions: list[str] = []
    if strategy is DocstoreStrategy.UPSERTS_AND_DELETE:
        wanted = {doc.node_id for doc in inputs}
        known = set(hashes) | set(store.get_all_ref_doc_info())
        deletions = sorted(known - wanted)
    return todo, deletions


def log_progress(done: int, total: int) -> None:
    """Log ``ingested done/total documents`` at INFO."""
    logger.info("ingested %d/%d documents", done, total)


@dataclass
class Tally:
    """What a run has committed so far: the documents handled (and reported) and the nodes produced.

    With ``keep`` false the nodes are only counted (``chunks``), so a big run does not hold them all.
    """

    done: int
    report: ProgressHooks
    keep: bool = True
    produced: list[BaseNode] = field(default_factory=list)
    chunks: int = 0

    def add(self, docs: list[BaseNode], nodes: list[BaseNode]) -> None:
        """Count committed ``docs`` and their ``nodes``, then report."""
        if self.keep:
            self.produced.extend(nodes)
        self.chunks += len(nodes)
        self.done += len(docs)
        self.report.committed(len(docs), len(nodes))
