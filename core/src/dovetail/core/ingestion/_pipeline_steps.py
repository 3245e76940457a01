"""How an ``IngestionPipeline`` moves documents through a run: plan, transform, embed, commit on count and time.

:class:`PipelineSteps` holds the work between the run drivers (``IngestionPipeline.run``/``arun``) and the
store (:class:`~dovetail.core.ingestion._pipeline_store.PipelineStore`): planning a run, transforming a
document (a section at a time when it is big), reusing the vectors of a partially stored document, and the
embed/commit loop with its deadlines (see the ``_pipeline`` module docstring, steps 1 to 4).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.concurrency import run_in_thread
from dovetail.core.ingestion._checkpoint import finish_shielded
from dovetail.core.ingestion._pending import Pending
from dovetail.core.ingestion._pending import Ready
from dovetail.core.ingestion._pipeline_store import PipelineStore
from dovetail.core.ingestion._progress import hooks_for
from dovetail.core.ingestion._sections import doc_sections
from dovetail.core.ingestion._sections import section_document
from dovetail.core.ingestion._sections import sectionable
from dovetail.core.ingestion._sections import text_length
from dovetail.core.ingestion._sections import whole
from dovetail.core.ingestion._strategy import PARTIAL_PREFIX
from dovetail.core.ingestion._strategy import Tally
from dovetail.core.ingestion._strategy import log_progress
from dovetail.core.ingestion._strategy import plan
from dovetail.core.ingestion._strategy import unique_inputs
from dovetail.core.ingestion._transform import arun_transformations
from dovetail.core.ingestion._transform import is_embedding
from dovetail.core.ingestion._transform import run_transformations
from dovetail.core.ingestion._transform import stabilise_ids
from dovetail.core.schema import BaseNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import TextNode

if TYPE_CHECKING:
    from dovetail.core.ingestion._cache import IngestionCache

__all__ = ["PipelineSteps", "chars_of", "default_transformations"]

_FIRST_COMMIT = 5.0  # seconds of work before the first commit of a run (at most commit_interval)
_CALL_SECONDS = 2.0  # an embedding call should last at most this long (commits wait for the call in progress)


def default_transformations(with_embedding: bool) -> list[Any]:
    """The transformations of a pipeline built without any: ``Settings``' (plus its embedding model when
    ``with_embedding``)."""
    from dovetail.core.settings import Settings

    if not with_embedding:
        return list(Settings.transformations)
    model = Settings.embed_model
    transformations = Settings.transformations_for(model)
    if not any(is_embedding(t) for t in transformations):
        transformations.append(model)
    return transformations


class PipelineSteps(PipelineStore):
    """The planning, transform and embed/commit-loop methods of ``IngestionPipeline`` (which sets these attributes)."""

    transformations: list[Any]
    documents: list[BaseNode]
    docs_per_batch: int
    stable_node_ids: bool
    keep_nodes: bool
    _last_commit: float
    _run_cache: IngestionCache | None

    # ---------------------------------------------------------------- transform
    def _split(self) -> tuple[list[Any], list[Any]]:
        for position, transformation in enumerate(self.transformations):
            if is_embedding(transformation):
                return self.transformations[:position], self.transformations[position:]
        return self.transformations, []

    def _start(
        self,
        documents: Iterable[BaseNode] | None,
        nodes: Sequence[BaseNode] | None,
        progress: Any,
        show_progress: bool,
        workers: int,
        read: Sequence[BaseNode] = (),
    ) -> tuple[list[BaseNode], list[str], Tally, Pending]:
        """Plan a run and report its starting point: documents to do, ids to delete, tally and queue."""
        self._hashes = {}
        given = documents if documents is not None else self.documents
        inputs = unique_inputs([*given, *(nodes or []), *read])
        todo, deletions = plan(inputs, self.docstore, self.docstore_strategy)
        hooks = hooks_for(progress, show_progress, log_progress)
        tally = Tally(len(inputs) - len(todo), hooks, keep=self.keep_nodes)
        hooks.start(len(todo), tally.done, sum(chars_of(doc) for doc in todo))
        rest = self._split()[1]
        pending = Pending(
            rest[0] if rest else None,
            self._run_cache,
            self.docs_per_batch,
            workers,
            hooks,
            call_seconds=self._call_target(),
        )
        # The first commit of a run comes after at most a few seconds of work: early, durable progress.
        self._last_commit = time.monotonic() - max(0.0, self.commit_interval - _FIRST_COMMIT)
        return todo, deletions, tally, pending

    def _parts(self, doc: BaseNode, per_doc: list[Any], **kwargs: Any) -> Iterator[tuple[list[BaseNode], int, bool]]:
        """``(nodes, chars, last)`` of ``doc``: one part, or one per section of a big document."""
        if not sectionable(doc, per_doc):
            nodes = run_transformations([whole(doc)], per_doc, self._run_cache, **kwargs)
            yield self._reuse(doc, stabilise_ids(doc, nodes, rename=self.stable_node_ids)), chars_of(doc), True
            return
        assert isinstance(doc, TextNode)
        source = doc.as_related_node_info()
        position = 0
        parts = doc_sections(doc)
        part: tuple[int, str] | None = next(parts)
        while part is not None:
            offset, text = part
            part = next(parts, None)
            piece = section_document(doc, text)
            nodes = run_transformations([piece], per_doc, self._run_cache, **kwargs)
            for node in nodes:
                _shift(node, offset, source)
            nodes = stabilise_ids(doc, nodes, rename=self.stable_node_ids, first_position=position)
            position += len(nodes)
            yield self._reuse(doc, nodes), len(text), part is None

    def _all_parts(
        self, todo: list[BaseNode], per_doc: list[Any], **kwargs: Any
    ) -> Iterator[tuple[BaseNode, list[BaseNode], int, bool]]:
        for doc in todo:
            for nodes, chars, last in self._parts(doc, per_doc, **kwargs):
                yield doc, nodes, chars, last

    def _reuse(self, doc: BaseNode, nodes: list[BaseNode]) -> list[BaseNode]:
        """Give the nodes of a partially committed document the vectors already stored for them."""
        if self.vector_store is None or self.docstore is None or not nodes:
            return nodes
        recorded = self.docstore.get_document_hash(doc.node_id)
        # the prefix first: hashing a 50 MB document for every section would cost seconds
        if recorded is None or not recorded.startswith(PARTIAL_PREFIX) or recorded != PARTIAL_PREFIX + self._hash(doc):
            return nodes
        try:
            stored = self.vector_store.get_nodes(node_ids=[node.node_id for node in nodes])
        except NotImplementedError:  # a store without reads by id: embed again
            return nodes
        vectors = {node.node_id: node.embedding for node in stored if node.embedding is not None}
        for node in nodes:
            if node.embedding is None and node.node_id in vectors:
                node.embedding = vectors[node.node_id]
        return nodes

    def _call_target(self) -> float:
        """Seconds one embedding call may last: a sixth of ``commit_interval``, at most ``_CALL_SECONDS``."""
        return min(_CALL_SECONDS, self.commit_interval / 6)

    def _deadline(self, pending: Pending) -> float:
        # Stop embedding one call and one checkpoint before the interval is up, so that the next checkpoint on
        # disk comes no later than the interval after the previous one.
        return self._last_commit + self.commit_interval - pending.call_seconds - self._checkpoint_cost

    def _step(self, pending: Pending, final: bool, tally: Tally, **kwargs: Any) -> None:
        """Embed what is due and commit what is ready, on count and on time (see the module docstring)."""
        while True:
            finished = pending.embed(final, self._deadline(pending))
            on_time = time.monotonic() >= self._deadline(pending)
            if (final and finished) or on_time or pending.ready_count() >= self.docs_per_batch:
                ready = pending.ready(partial=on_time)
                if ready:
                    self._commit_ready(ready, pending.workers, tally, on_time=on_time, **kwargs)
                self._last_commit = time.monotonic()
            if finished:
                return

    async def _astep(self, pending: Pending, final: bool, tally: Tally, **kwargs: Any) -> None:
        while True:
            finished = await pending.aembed(final, self._deadline(pending))
            on_time = time.monotonic() >= self._deadline(pending)
            if (final and finished) or on_time or pending.ready_count() >= self.docs_per_batch:
                ready = pending.ready(partial=on_time)
                if ready:
                    await self._acommit_ready(ready, pending.workers, tally, on_time=on_time, **kwargs)
                self._last_commit = time.monotonic()
            if finished:
                return

    def _commit_ready(self, ready: Ready, workers: int, tally: Tally, on_time: bool = False, **kwargs: Any) -> None:
        """Store ``ready`` (the stages after the embedding model run here), then checkpoint (always when the
        commit is due by time: the interval bounds what is lost)."""
        after = self._split()[1][1:]
        stored: list[tuple[list[BaseNode], list[BaseNode]]] = []
        if ready.partial is not None:
            doc, nodes = ready.partial
            nodes = run_transformations(nodes, after, self._run_cache, num_workers=workers, **kwargs)
            self._commit_partial(doc, nodes)
            stored.append(([], nodes))
        if ready.docs:
            nodes = run_transformations(ready.nodes, after, self._run_cache, num_workers=workers, **kwargs)
            self._commit(ready.docs, nodes, ready.prior)
            stored.append((ready.docs, nodes))
        self._checkpoint(force=on_time)
        for docs, nodes in stored:  # reported once persisted (when the checkpoint is due)
            tally.add(docs, nodes)

    async def _acommit_ready(
        self, ready: Ready, workers: int, tally: Tally, on_time: bool = False, **kwargs: Any
    ) -> None:
        """Async :meth:`_commit_ready`: the vector store's async methods, a shielded checkpoint."""
        after = self._split()[1][1:]
        stored: list[tuple[list[BaseNode], list[BaseNode]]] = []
        if ready.partial is not None:
            doc, nodes = ready.partial
            nodes = await arun_transformations(nodes, after, self._run_cache, num_workers=workers, **kwargs)
            await self._acommit_partial(doc, nodes)
            stored.append(([], nodes))
        if ready.docs:
            nodes = await arun_transformations(ready.nodes, after, self._run_cache, num_workers=workers, **kwargs)
            await self._acommit(ready.docs, nodes, ready.prior)
            stored.append((ready.docs, nodes))
        await finish_shielded(run_in_thread(self._checkpoint, on_time))
        for docs, nodes in stored:
            tally.add(docs, nodes)


def chars_of(doc: BaseNode) -> int:
    """Characters of a document's text (0 for nodes without text), for progress."""
    return text_length(doc) if isinstance(doc, TextNode) else 0


def _shift(node: BaseNode, offset: int, source: Any) -> None:
    """Make a node cut from a section look cut from the whole document: offsets, source, no cross-section links."""
    if isinstance(node, TextNode):
        if node.start_char_idx is not None:
            node.start_char_idx += offset
        if node.end_char_idx is not None:
            node.end_char_idx += offset
    node.relationships[NodeRelationship.SOURCE] = source
