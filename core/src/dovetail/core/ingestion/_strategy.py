"""Small building blocks of the ingestion pipeline: strategies and planning, progress reporting."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.schema import BaseNode

if TYPE_CHECKING:
    from dovetail.core.storage._docstore import SimpleDocumentStore

__all__ = ["DocstoreStrategy", "ProgressCallback", "Tally", "plan", "reporter", "unique_inputs"]

logger = logging.getLogger("dovetail.core.ingestion")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with the number of input documents handled so far."""


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
    hashes = store.get_all_document_hashes()
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


def reporter(total: int, callback: ProgressCallback | None, log: bool) -> Callable[[int], None]:
    """``report(done)``: log at INFO (with ``log``) and call ``callback(done, total)``."""

    def report(done: int) -> None:
        if log:
            logger.info("ingested %d/%d documents", done, total)
        if callback is not None:
            callback(done, total)

    return report


@dataclass
class Tally:
    """What a run has committed so far: the documents handled (and reported) and the nodes produced."""

    done: int
    report: Callable[[int], None]
    produced: list[BaseNode] = field(default_factory=list)

    def add(self, docs: list[BaseNode], nodes: list[BaseNode]) -> None:
        """Count committed ``docs`` and their ``nodes``, then report."""
        self.produced.extend(nodes)
        self.done += len(docs)
        self.report(self.done)
