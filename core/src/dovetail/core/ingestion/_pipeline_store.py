"""How an ``IngestionPipeline`` stores its work: commits to the vector store and docstore, deletions, checkpoints.

:class:`PipelineStore` holds the pipeline's write side (see the ``_pipeline`` module docstring, steps 4 and 5):
a batch's nodes are stored before its documents' hashes are recorded, stale nodes of re-processed documents
are removed, an unfinished document is stored as *partial*, and docstore + vector store are persisted
together at checkpoints. The runner seam (``_runner``) commits through the same methods.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.ingestion._run_options import RunOptions
from dovetail.core.ingestion._strategy import PARTIAL_PREFIX
from dovetail.core.ingestion._strategy import DocstoreStrategy
from dovetail.core.schema import BaseNode

if TYPE_CHECKING:
    from dovetail.core.storage._context import StorageContext
    from dovetail.core.storage._docstore import SimpleDocumentStore
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["PipelineStore"]

# The pipeline's records keep the logger name they have always had.
logger = logging.getLogger("dovetail.core.ingestion._pipeline")


class PipelineStore:
    """The commit, deletion and checkpoint methods of ``IngestionPipeline`` (which sets these attributes)."""

    vector_store: BasePydanticVectorStore | None
    docstore: SimpleDocumentStore | None
    docstore_strategy: DocstoreStrategy
    storage_context: StorageContext | None
    checkpoint_dir: Path | None
    checkpoint_interval: float
    commit_interval: float
    store_nodes: bool
    _dirty: bool
    _last_checkpoint: float
    _checkpoint_cost: float
    _checkpoint_lock: threading.Lock
    _hashes: dict[str, tuple[BaseNode, str]]
    _options: RunOptions

    # ---------------------------------------------------------------- commit
    def _hash(self, doc: BaseNode) -> str:
        """``doc.hash``, computed once per run (a big document's hash costs a pass over its whole text)."""
        known = self._hashes.get(doc.node_id)
        if known is None or known[0] is not doc:
            known = (doc, doc.hash)
            self._hashes[doc.node_id] = known
        return known[1]

    def _validate(self, nodes: list[BaseNode]) -> None:
        if self.vector_store is None:
            return
        missing = [node.node_id for node in nodes if node.embedding is None]
        if missing:
            msg = (
                f"{len(missing)} node(s) have no embedding (e.g. {missing[0]}); a pipeline with a vector store needs "
                "an embedding model as its last transformation (e.g. Settings.embed_model)"
            )
            raise InvalidInputError(msg)

    def _stale(
        self, batch: list[BaseNode], nodes: list[BaseNode], prior: dict[str, set[str]] | None = None
    ) -> list[str]:
        """Ids of nodes of the batch's documents that the new nodes (and those stored earlier) do not replace."""
        if self.docstore is None or self.docstore_strategy is DocstoreStrategy.DUPLICATES_ONLY:
            return []
        fresh = {node.node_id for node in nodes}.union(*(prior or {}).values())
        stale: list[str] = []
        for doc in batch:
            info = self.docstore.get_ref_doc_info(doc.node_id)
            if info is not None:
                stale.extend(node_id for node_id in info.node_ids if node_id not in fresh)
        return stale

    def _record(
        self, batch: list[BaseNode], nodes: list[BaseNode], stale: list[str], prior: dict[str, set[str]] | None = None
    ) -> None:
        store = self.docstore
        if store is not None:
            for node_id in stale:
                store.delete_document(node_id, raise_error=False)
            if self.docstore_strategy is not DocstoreStrategy.DUPLICATES_ONLY:
                for doc in batch:
                    if not prior or doc.node_id not in prior:  # partially stored ones keep their stored nodes
                        store.delete_ref_doc(doc.node_id, raise_error=False)
            keep_text = self._keeps_text()
            store.add_documents(nodes, store_text=keep_text)
            store.set_document_hashes({doc.node_id: self._hash(doc) for doc in batch})
        self._dirty = True

    def _keeps_text(self) -> bool:
        """Whether the docstore gets the nodes' text, not only the ledger (see ``_run_options``)."""
        if not self._options.store_doc_text:
            return False
        return self.store_nodes or self.vector_store is None or not self.vector_store.stores_text

    def _commit(self, batch: list[BaseNode], nodes: list[BaseNode], prior: dict[str, set[str]] | None = None) -> None:
        self._validate(nodes)
        stale = self._stale(batch, nodes, prior)
        if self.vector_store is not None:
            if nodes:
                self.vector_store.add(nodes)
            if stale:
                self.vector_store.delete_nodes(node_ids=stale)
        self._record(batch, nodes, stale, prior)

    def _commit_partial(self, doc: BaseNode, nodes: list[BaseNode]) -> None:
        """Store the embedded nodes of an unfinished document and mark it partial (its old nodes stay)."""
        self._validate(nodes)
        if self.vector_store is not None:
            self.vector_store.add(nodes)
        self._record_partial(doc, nodes)

    async def _acommit_partial(self, doc: BaseNode, nodes: list[BaseNode]) -> None:
        self._validate(nodes)
        if self.vector_store is not None:
            await self.vector_store.async_add(nodes)
        self._record_partial(doc, nodes)

    def _record_partial(self, doc: BaseNode, nodes: list[BaseNode]) -> None:
        store = self.docstore
        if store is not None:
            keep_text = self._keeps_text()
            store.add_documents(nodes, store_text=keep_text)
            if self.docstore_strategy is not DocstoreStrategy.DUPLICATES_ONLY:
                store.set_document_hash(doc.node_id, PARTIAL_PREFIX + self._hash(doc))
        self._dirty = True
        logger.debug("stored %d node(s) of unfinished document %s", len(nodes), doc.node_id)

    async def _acommit(
        self, batch: list[BaseNode], nodes: list[BaseNode], prior: dict[str, set[str]] | None = None
    ) -> None:
        self._validate(nodes)
        stale = self._stale(batch, nodes, prior)
        if self.vector_store is not None:
            if nodes:
                await self.vector_store.async_add(nodes)
            if stale:
                await self.vector_store.adelete_nodes(node_ids=stale)
        self._record(batch, nodes, stale, prior)

    def _delete_documents(self, doc_ids: list[str]) -> None:
        for doc_id in doc_ids:
            logger.info("removing document %s: it is no longer among the inputs", doc_id)
            if self.vector_store is not None:
                self.vector_store.delete(doc_id)
            if self.docstore is not None:
                self.docstore.delete_ref_doc(doc_id, raise_error=False)
        self._dirty = True

    # ---------------------------------------------------------------- checkpoints
    def _checkpoint(self, force: bool = False) -> None:
        with self._checkpoint_lock:  # one checkpoint at a time, whichever thread asks
            self._checkpoint_locked(force)

    def _checkpoint_locked(self, force: bool) -> None:
        if self.checkpoint_dir is None or not self._dirty:
            return
        gap = (
            min(max(self.checkpoint_interval, 4 * self._checkpoint_cost), self.commit_interval)
            if self.checkpoint_interval
            else 0.0
        )
        if not force and time.monotonic() - self._last_checkpoint < gap:
            return
        context = self.storage_context
        if context is None:  # pragma: no cover - built in __init__ whenever checkpoint_dir is set
            return
        started = time.monotonic()
        context.persist(self.checkpoint_dir)
        self._dirty = False
        self._last_checkpoint = time.monotonic()
        self._checkpoint_cost = self._last_checkpoint - started
        logger.debug("checkpoint written to %s", self.checkpoint_dir)
