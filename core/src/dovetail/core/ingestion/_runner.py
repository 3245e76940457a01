"""The runner seam: where the "transform + embed" stage of an ``IngestionPipeline`` runs.

By default everything runs in process (:meth:`IngestionPipeline.run` without ``runner``). A :class:`Runner`
(e.g. ``dovetail.ingestion.ray.RayRunner``) takes that stage elsewhere while the pipeline keeps the rest:

1. the driver streams the input (a list or any iterable: a generator, ``lazy_load_data()``), and decides per
   document, from the docstore's ledger, whether it needs work (id + hash, the same rule as the local run);
2. it hands batches of those documents to :meth:`Runner.map_batches`, which applies :class:`BatchWork` to
   each (transformations, stable node ids, embedding, the transformations after the model) wherever it
   likes and gives back one :class:`BatchResult` per batch, in batch order;
3. the driver commits each result through the pipeline's commit (stale nodes removed, ledger written after
   the nodes are stored) and checkpoint, so resuming, dedup and the final store are those of the local run.

A document that fails ends its batch: the documents before it in the batch come back embedded, are committed
with everything before them, and the error names the document.
"""

from __future__ import annotations

import copy
import itertools
import logging
from abc import ABC
from abc import abstractmethod
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sized
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import DovetailError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core.ingestion._strategy import DocstoreStrategy
from dovetail.core.ingestion._strategy import Tally
from dovetail.core.ingestion._strategy import unique_inputs
from dovetail.core.ingestion._transform import is_embedding
from dovetail.core.ingestion._transform import run_transformations
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode

if TYPE_CHECKING:
    from dovetail.core.ingestion._pipeline import IngestionPipeline

__all__ = ["BatchResult", "BatchWork", "Runner", "drive", "inputs_for"]

logger = logging.getLogger(__name__)


@dataclass
class BatchResult:
    """What :class:`BatchWork` made of one batch.

    ``done`` leading documents of the batch were processed into ``nodes`` (embedded, in input order). When a
    document failed, ``failed_id`` names it, ``error`` is what it raised and ``done`` counts the ones before it.
    """

    done: int
    nodes: list[BaseNode] = field(default_factory=list)
    failed_id: str | None = None
    error: BaseException | None = None


@dataclass
class BatchWork:
    """The "transform + embed" stage of a pipeline, as a picklable value that runs anywhere.

    ``transformations`` are the pipeline's (node parsers, extractors, the embedding model, what follows it);
    ``kwargs`` are the extra keyword arguments given to ``run``.
    """

    transformations: list[Any]
    stable_node_ids: bool = True
    kwargs: dict[str, Any] = field(default_factory=dict)

    def split(self) -> tuple[list[Any], list[Any]]:
        """The transformations before the embedding model, and the model with those after it."""
        for position, transformation in enumerate(self.transformations):
            if is_embedding(transformation):
                return self.transformations[:position], self.transformations[position:]
        return list(self.transformations), []

    def __call__(self, documents: list[BaseNode]) -> BatchResult:
        """Transform each document (as the local run does, big ones a section at a time), then embed them all."""
        from dovetail.core.ingestion._pipeline import IngestionPipeline

        before = self.split()[0]
        # A store-less, cache-less pipeline gives the local run's per-document stage (sections, stable ids).
        local = IngestionPipeline(transformations=self.transformations, disable_cache=True)
        local.stable_node_ids = self.stable_node_ids
        nodes: list[BaseNode] = []
        for done, doc in enumerate(documents):
            kept = len(nodes)
            try:
                for part, _chars, _last in local._parts(doc, before, **self.kwargs):
                    nodes.extend(part)
            except Exception as exc:  # named to the driver, which commits the documents before it
                return self._finish(documents[:done], nodes[:kept], BatchResult(done, [], doc.node_id, exc))
        return self._finish(documents, nodes, BatchResult(len(documents)))

    def _finish(self, documents: list[BaseNode], nodes: list[BaseNode], result: BatchResult) -> BatchResult:
        """Embed ``nodes`` (and run what follows the model) into ``result``; a failure there fails the batch."""
        rest = self.split()[1]
        if not nodes or not rest:
            result.nodes = nodes
            return result
        try:
            result.nodes = run_transformations(nodes, rest, None, **self.kwargs)
        except Exception as exc:
            return BatchResult(0, [], documents[0].node_id, exc)
        return result


class Runner(ABC):
    """Runs the "transform + embed" stage of :class:`~dovetail.core.ingestion.IngestionPipeline` somewhere else.

    The pipeline calls :meth:`map_batches` once per run with the work and a lazy iterator of document batches;
    the runner yields one :class:`BatchResult` per batch, in batch order, pulling batches only as it has room
    for them (so the driver never holds more than the batches in flight).
    """

    batch_size: int = 64
    """Documents per batch handed to :meth:`map_batches`."""

    @abstractmethod
    def map_batches(self, work: BatchWork, batches: Iterator[list[BaseNode]]) -> Iterator[BatchResult]:
        """Apply ``work`` to every batch; yield the results in batch order."""

    def progress_hint(self) -> str:
        """A short description for logs (e.g. ``"ray: 4 actors"``)."""
        return type(self).__name__


def _needs_work(pipeline: IngestionPipeline, doc: BaseNode, seen: set[str] | None) -> bool:
    """The local plan's rule for one document: skip it when the ledger already holds it (id + hash)."""
    store = pipeline.docstore
    if store is None:
        return True
    if pipeline.docstore_strategy is DocstoreStrategy.DUPLICATES_ONLY:
        assert seen is not None
        if doc.hash in seen:
            return False
        seen.add(doc.hash)
        return True
    return store.get_document_hash(doc.node_id) != doc.hash


def _batches(
    pipeline: IngestionPipeline, documents: Iterable[object], size: int, tally: Tally, wanted: set[str] | None
) -> Iterator[list[BaseNode]]:
    """The documents that need work, in batches of ``size``; skipped ones are counted as done."""
    seen: set[str] | None = None
    if pipeline.docstore is not None and pipeline.docstore_strategy is DocstoreStrategy.DUPLICATES_ONLY:
        seen = set(pipeline.docstore.hashes_by_document_id().values())
    batch: list[BaseNode] = []
    skipped: list[BaseNode] = []
    for item in documents:
        if not isinstance(item, BaseNode):
            msg = f"IngestionPipeline.run takes Documents/nodes, got {type(item).__name__}"
            raise InvalidInputError(msg)
        if wanted is not None:
            wanted.add(item.node_id)
        if not _needs_work(pipeline, item, seen):
            skipped.append(item)
            if len(skipped) >= size:  # reported in groups: a rerun over a big corpus is not one report per document
                _skip(tally, skipped)
            continue
        batch.append(item)
        if len(batch) >= size:
            _skip(tally, skipped)
            yield batch
            batch = []
    _skip(tally, skipped)
    if batch:
        yield batch


def _skip(tally: Tally, skipped: list[BaseNode]) -> None:
    """Report unchanged documents as done (and their characters as covered, for the progress bar)."""
    if skipped:
        tally.report.embedded(0, float(sum(_chars(doc) for doc in skipped)))
        tally.add(list(skipped), [])
        skipped.clear()


def _named(error: BaseException, doc_id: str, committed: int) -> BaseException:
    """``error`` with a message naming the failed document (a dovetail error keeps its class)."""
    text = (
        f"document {doc_id!r} failed: {type(error).__name__}: {error}. The {committed} document(s) before it in "
        "this run are committed; fix or leave out this document and run again (committed ones are not redone)"
    )
    if isinstance(error, DovetailError):
        named = copy.copy(error)
        named.args = (text,)
        return named
    return InvalidInputError(text)


def inputs_for(pipeline: IngestionPipeline, documents: Any, nodes: Any, num_workers: int | None) -> Iterable[object]:
    """The input of a runner's run: a list stays a list (ids made unique as locally), an iterable is streamed."""
    if num_workers is not None:
        msg = "num_workers sets in-process embedding calls; with a runner, size its workers instead (e.g. num_actors)"
        raise InvalidInputError(msg)
    if documents is None:
        documents = pipeline.documents
    if isinstance(documents, (list, tuple)) and isinstance(nodes, (list, tuple, type(None))):
        return unique_inputs([*documents, *(nodes or [])])
    return itertools.chain(documents, nodes or [])


def drive(
    pipeline: IngestionPipeline,
    runner: Runner,
    documents: Iterable[object],
    hooks: Any,
    **kwargs: Any,
) -> list[BaseNode]:
    """Run ``pipeline`` over ``documents`` with ``runner`` doing transform + embed; commit on the driver."""
    total = len(documents) if isinstance(documents, Sized) else 0
    tally = Tally(0, hooks, keep=pipeline.keep_nodes)
    hooks.start(total, 0, sum(_chars(doc) for doc in documents) if isinstance(documents, list) else 0)
    wanted: set[str] | None = set() if pipeline.docstore_strategy is DocstoreStrategy.UPSERTS_AND_DELETE else None
    work = BatchWork(list(pipeline.transformations), pipeline.stable_node_ids, dict(kwargs))
    queued: list[list[BaseNode]] = []

    def remember(batches: Iterator[list[BaseNode]]) -> Iterator[list[BaseNode]]:
        for batch in batches:  # the driver keeps only the batches in flight
            queued.append(batch)
            yield batch

    logger.info("ingesting with %s", runner.progress_hint())
    results = runner.map_batches(work, remember(_batches(pipeline, documents, runner.batch_size, tally, wanted)))
    try:
        for result in results:
            batch = queued.pop(0)
            done = batch[: result.done]
            if done:
                pipeline._commit(done, result.nodes)
                pipeline._checkpoint()
                hooks.embedded(len(result.nodes), float(sum(_chars(doc) for doc in done)))
                tally.add(done, result.nodes)
            if result.error is not None:
                assert result.failed_id is not None
                raise _named(result.error, result.failed_id, tally.done) from result.error
        if wanted is not None and pipeline.docstore is not None:
            known = set(pipeline.docstore.hashes_by_document_id()) | set(pipeline.docstore.get_all_ref_doc_info())
            gone = sorted(known - wanted)
            if gone:
                pipeline._delete_documents(gone)
    finally:
        try:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # the runner releases its workers now, not when the generator is collected
            pipeline._checkpoint(force=True)
        finally:
            hooks.finish()
    return tally.produced


def _chars(doc: object) -> int:
    return len(doc.text) if isinstance(doc, TextNode) else 0
