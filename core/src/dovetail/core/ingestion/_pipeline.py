"""``IngestionPipeline``: documents → transformations → vector store + docstore, incremental and resumable.

How a run works:

1. **Plan.** Each input document is compared with the docstore's ledger (document id → content hash). With
   ``UPSERTS`` an unchanged document is skipped, a changed one is re-processed and replaces its old nodes;
   ``UPSERTS_AND_DELETE`` also removes documents that are no longer among the inputs; ``DUPLICATES_ONLY``
   skips any document whose hash was already ingested, whatever its id.
2. **Transform** each document: the transformations before the embedding model run (cached), the nodes get ids
   derived from document id + position + content, and their texts that are not cached join a queue.
   A document over a million characters is transformed a section at a time (see ``_sections``).
3. **Embed** in whole ``embed_batch_size`` batches (at most ``num_workers`` calls in flight) once the queue
   holds ``num_workers`` of them; texts that do not fill a batch wait for the next documents'. Short batches
   go out only at the end, before a transformation error propagates, and when more than
   ``max(docs_per_batch, num_workers * embed_batch_size)`` documents wait. Why: embedding each step on its own
   gave the model batches as small as the step (≈ 32 texts where it was set to 64), which a local model pads
   more: 0.77x the direct path's speed in ``bench/``, now 0.95x. A step's texts go out in calls that last at
   most about 2 s at the model's measured speed (see ``_pending``), so a slow model cannot delay a commit.
4. **Commit** the leading documents none of whose texts waits, in input order, every ``docs_per_batch``
   documents and at least every ``commit_interval`` seconds: the transformations after the embedding model
   run, new nodes are upserted into the vector store, stale nodes of the same documents are deleted, and only
   then are the documents' hashes recorded. A document is never marked done before all of its nodes are
   stored. When the interval is up, the embedded nodes of the first unfinished document are stored too and the
   document is marked *partial* in the ledger (``"partial:<hash>"``); a later run reuses their stored vectors.
5. **Checkpoint** (with ``checkpoint_dir``): docstore + vector store are persisted together through a staged
   commit every ``checkpoint_interval`` seconds (at most ``commit_interval``) and at the end. A run killed at
   any point and started again skips the committed documents and redoes the rest; the stable node ids make
   redoing idempotent, so the result is identical to an uninterrupted run, and at most about
   ``commit_interval`` seconds of embedding are lost.

This module holds construction, the ``run``/``arun`` drivers and :meth:`~IngestionPipeline.persist`/``load``;
steps 1 to 4 live in ``_pipeline_steps``, the commits and checkpoints in ``_pipeline_store``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.concurrency import run_in_thread
from dovetail.core.ingestion._cache import DEFAULT_CACHE_FILE
from dovetail.core.ingestion._cache import IngestionCache
from dovetail.core.ingestion._checkpoint import finish_shielded
from dovetail.core.ingestion._keywords import check_run_keywords
from dovetail.core.ingestion._labels import DEFAULT_PIPELINE_NAME
from dovetail.core.ingestion._labels import DEFAULT_PROJECT_NAME
from dovetail.core.ingestion._labels import check_labels
from dovetail.core.ingestion._labels import check_readers
from dovetail.core.ingestion._labels import read_all
from dovetail.core.ingestion._persist import DEFAULT_PERSIST_DIR
from dovetail.core.ingestion._persist import persist_paths
from dovetail.core.ingestion._pipeline_steps import PipelineSteps
from dovetail.core.ingestion._pipeline_steps import chars_of
from dovetail.core.ingestion._pipeline_steps import default_transformations
from dovetail.core.ingestion._prefetch import prefetched
from dovetail.core.ingestion._progress import ProgressHooks
from dovetail.core.ingestion._progress import hooks_for
from dovetail.core.ingestion._run_options import RunOptions
from dovetail.core.ingestion._sections import whole
from dovetail.core.ingestion._strategy import DocstoreStrategy
from dovetail.core.ingestion._strategy import ProgressCallback
from dovetail.core.ingestion._strategy import log_progress
from dovetail.core.ingestion._transform import arun_transformations
from dovetail.core.ingestion._transform import is_embedding
from dovetail.core.ingestion._transform import stabilise_ids
from dovetail.core.schema import BaseNode
from dovetail.core.storage._context import StorageContext
from dovetail.core.storage._docstore import DEFAULT_DOCSTORE_FILE
from dovetail.core.storage._docstore import SimpleDocumentStore
from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE

if TYPE_CHECKING:
    from dovetail.core.ingestion._runner import Runner
    from dovetail.core.readers import ReaderConfig
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["DocstoreStrategy", "IngestionPipeline", "ProgressCallback"]


class IngestionPipeline(PipelineSteps):
    """Turn documents into embedded nodes in a vector store, doing only the work that changed.

    Args:
        transformations: node parsers, extractors and (last) an embedding model; default: ``Settings``'
            node parser plus, when there is a vector store, ``Settings.embed_model``.
        documents: documents to ingest when :meth:`run` is called without any.
        vector_store: where embedded nodes go (nodes must then carry embeddings).
        docstore: the ledger of ingested documents (and the nodes, unless the vector store keeps text).
        cache: transformation/embedding cache; default an in-memory :class:`IngestionCache`.
        docstore_strategy: see :class:`DocstoreStrategy` (default ``UPSERTS``).
        disable_cache: run without any cache.
        storage_context: take docstore and vector store from here (and persist it at checkpoints).
        checkpoint_dir: persist docstore + vector store there during the run (and resume from it when it
            already holds a storage context).
        checkpoint_interval: minimum seconds between checkpoints (0: after every commit). When it is positive,
            the gap also grows to 4x the duration of the last checkpoint, so persisting a large store never
            takes more than about a fifth of the run, but never beyond ``commit_interval``.
        commit_interval: commit (and checkpoint) at least this often, in seconds of work (default 15), also in
            the middle of a big document; what an interrupted run loses is bounded by it. A commit waits for the
            embedding call in progress, so calls are sized by the model's measured speed to last at most a sixth
            of it (2 s at most): a slow model gets fewer texts per call, a fast one whole batches.
        docs_per_batch: documents transformed between two embedding steps (default 32). The embedding model
            still gets whole ``embed_batch_size`` batches: texts that do not fill one wait for the next
            documents', so a commit may cover more documents and progress may move in other steps.
        num_workers: embedding calls in flight at once (default 1; ``arun`` default 4). A step embeds once it
            can give every worker a whole batch. With a local model that already uses every core (e.g.
            ``OnnxEmbedding(threads=2)`` on 2 cores) keep it at 1: more calls only contend for the cores.
        stable_node_ids: derive node ids from document id, position and content (default ``True``).
        runner: where transform + embed run (default: in process); e.g. ``dovetail.ingestion.ray.RayRunner``.
            Dedup, commits and checkpoints stay here (see ``dovetail.core.ingestion._runner``).
        name: the pipeline's name (LlamaIndex's label, default ``"default"``), shown in its ``repr``.
        project_name: the project the pipeline belongs to (LlamaIndex's label, default ``"default"``).
        readers: :class:`~dovetail.core.readers.ReaderConfig` s read at the start of every run; their documents
            are ingested after the run's own inputs.

    Example:
        ```python
        pipeline = IngestionPipeline(
            transformations=[SentenceSplitter(chunk_size=512, chunk_overlap=32), embed_model],
            vector_store=SimpleVectorStore(),
            docstore=SimpleDocumentStore(),
        )
        nodes = pipeline.run(documents=SimpleDirectoryReader("docs").load_data())
        pipeline.run(documents=SimpleDirectoryReader("docs").load_data())  # unchanged: embeds nothing
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        transformations: Sequence[Any] | None = None,
        documents: Sequence[BaseNode] | None = None,
        vector_store: BasePydanticVectorStore | None = None,
        docstore: SimpleDocumentStore | None = None,
        cache: IngestionCache | None = None,
        docstore_strategy: DocstoreStrategy | str = DocstoreStrategy.UPSERTS,
        disable_cache: bool = False,
        storage_context: StorageContext | None = None,
        checkpoint_dir: str | Path | None = None,
        checkpoint_interval: float = 2.0,
        docs_per_batch: int = 32,
        num_workers: int | None = None,
        stable_node_ids: bool = True,
        commit_interval: float = 15.0,
        runner: Runner | None = None,
        name: str = DEFAULT_PIPELINE_NAME,
        project_name: str = DEFAULT_PROJECT_NAME,
        readers: Sequence[ReaderConfig] | None = None,
    ) -> None:
        self.name, self.project_name = check_labels(name, project_name)
        self.readers = check_readers(readers)
        try:
            self.docstore_strategy = DocstoreStrategy(docstore_strategy)
        except ValueError as exc:
            valid = ", ".join(s.value for s in DocstoreStrategy)
            msg = f"unknown docstore_strategy {docstore_strategy!r}; use one of {valid}"
            raise InvalidInputError(msg) from exc
        if docs_per_batch < 1 or checkpoint_interval < 0 or (num_workers is not None and num_workers < 1):
            msg = "docs_per_batch and num_workers must be >= 1 and checkpoint_interval >= 0"
            raise InvalidInputError(msg)
        if isinstance(commit_interval, bool) or not isinstance(commit_interval, (int, float)) or commit_interval <= 0:
            msg = f"commit_interval must be a positive number of seconds, got {commit_interval!r}"
            raise InvalidInputError(msg)
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir is not None else None
        if storage_context is None and self.checkpoint_dir is not None:
            persisted = (self.checkpoint_dir / DEFAULT_INDEX_STORE_FILE).is_file()
            storage_context = StorageContext.from_defaults(
                docstore=docstore,
                vector_store=vector_store,
                persist_dir=self.checkpoint_dir if persisted else None,
            )
        self.storage_context = storage_context
        if storage_context is not None:
            # ``is None``, not ``or``: an empty store is falsy (``len() == 0``) and must still be the one used
            docstore = docstore if docstore is not None else storage_context.docstore
            vector_store = vector_store if vector_store is not None else storage_context.vector_store
        self.vector_store = vector_store
        self.docstore = docstore
        self.transformations = (
            list(transformations) if transformations is not None else default_transformations(vector_store is not None)
        )
        self.documents = list(documents or [])
        self.cache = None if disable_cache else (cache if cache is not None else IngestionCache())
        self.checkpoint_interval = checkpoint_interval
        self.docs_per_batch = docs_per_batch
        self.num_workers = num_workers
        self.stable_node_ids = stable_node_ids
        self.commit_interval = float(commit_interval)
        self.runner = runner
        self.keep_nodes = True  # run() returns the nodes; VectorStoreIndex turns it off to bound memory
        # Split the next document in a worker thread while the model embeds (only when there is a model to wait on)
        self.prefetch = any(is_embedding(t) for t in self.transformations)
        self._last_commit = time.monotonic()
        # Keep the nodes in the docstore even when the vector store keeps their text (VectorStoreIndex sets it).
        self.store_nodes = False
        self._dirty = False
        self._last_checkpoint = time.monotonic()
        self._checkpoint_cost = 0.0
        self._checkpoint_lock = threading.Lock()
        self._hashes: dict[str, tuple[BaseNode, str]] = {}
        self._options = RunOptions()  # the LlamaIndex options of the run in progress
        self._run_cache = self.cache  # the cache (or cache collection) of the run in progress

    def __repr__(self) -> str:
        names = ", ".join(type(t).__name__ for t in self.transformations)
        named = "" if self.name == DEFAULT_PIPELINE_NAME else f"name={self.name!r}, "
        return f"IngestionPipeline({named}transformations=[{names}], strategy={self.docstore_strategy.value})"

    # ---------------------------------------------------------------- public API
    def run(
        self,
        show_progress: bool = False,
        documents: Iterable[BaseNode] | None = None,
        nodes: Sequence[BaseNode] | None = None,
        num_workers: int | None = None,
        progress: ProgressCallback | ProgressHooks | None = None,
        runner: Runner | None = None,
        *,
        cache_collection: str | None = None,
        in_place: bool = True,
        store_doc_text: bool = True,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Ingest ``documents`` (and/or ready ``nodes``); returns the nodes produced by this run.

        Args:
            show_progress: show a progress bar on stderr (documents, chunks, chunks/s, ETA; a plain line every
                10 s when stderr is not a terminal).
            documents: the documents (default: those given to the constructor).
            nodes: nodes to treat like documents.
            num_workers: embedding calls in flight at once (overrides the constructor's).
            progress: a :class:`~dovetail.core.ingestion.IngestProgress` (or other progress hooks), or a
                ``progress(done, total)`` callback called after the plan and after each committed batch.
            runner: run transform + embed with this :class:`~dovetail.core.ingestion.Runner` (overrides the
                constructor's); ``documents`` may then be any iterable (a generator is streamed).
            cache_collection: read and write the cache's entries in this named collection (LlamaIndex's
                keyword; default: the cache's own entries).
            in_place: LlamaIndex's keyword (``True`` or ``False``): each transformation call gets a list of its
                own either way, so the result is the same.
            store_doc_text: ``False`` keeps the docstore to the ledger of ingested documents, without the nodes'
                text (refused when the vector store keeps no text either).

        Raises:
            TypeError: a keyword that neither ``run`` nor every transformation takes (extra keywords are passed
                to every transformation, as in LlamaIndex); the message names the closest valid one.
            InvalidInputError: an input is not a node, a transformation returned something else, nodes bound
                for the vector store lack embeddings, or an option above cannot be honoured (checked first).
                Documents committed before the error stay committed; when a transformation fails on a
                document, the documents transformed before it are committed first.
        """
        check_run_keywords("IngestionPipeline.run", kwargs, self.transformations)
        self._begin("IngestionPipeline.run", RunOptions(cache_collection, in_place, store_doc_text), runner)
        read = read_all(self.readers)
        if (runner or self.runner) is not None:
            nodes = [*(nodes or []), *read] if read else nodes
            return self._run_with(runner or self.runner, documents, nodes, num_workers, progress, show_progress, kwargs)
        workers = num_workers or self.num_workers or 1
        todo, deletions, tally, pending = self._start(documents, nodes, progress, show_progress, workers, read)
        if deletions:
            self._delete_documents(deletions)
        per_doc = self._split()[0]
        parts = self._all_parts(todo, per_doc, **kwargs)
        if self.prefetch:
            parts = prefetched(parts)
        try:
            while True:
                try:
                    part = next(parts, None)
                except Exception:
                    self._step(pending, True, tally, **kwargs)  # keep the work done before the failure
                    raise
                if part is None:
                    break
                doc, nodes, chars, last = part
                pending.add(doc, nodes, chars, last)
                self._step(pending, last and doc is todo[-1], tally, **kwargs)
        finally:
            self._hashes = {}
            try:
                self._checkpoint(force=True)
            finally:
                tally.report.finish()
        return tally.produced

    async def arun(
        self,
        show_progress: bool = False,
        documents: Sequence[BaseNode] | None = None,
        nodes: Sequence[BaseNode] | None = None,
        num_workers: int | None = None,
        progress: ProgressCallback | None = None,
        runner: Runner | None = None,
        *,
        cache_collection: str | None = None,
        in_place: bool = True,
        store_doc_text: bool = True,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Async :meth:`run`: transformations' ``acall`` and async embedding with bounded concurrency.

        With a ``runner`` the driver's work runs in a worker thread while the runner's workers do the rest.
        """
        check_run_keywords("IngestionPipeline.arun", kwargs, self.transformations)
        self._begin("IngestionPipeline.arun", RunOptions(cache_collection, in_place, store_doc_text), runner)
        read = await run_in_thread(read_all, self.readers) if self.readers else []
        if (runner or self.runner) is not None:
            nodes = [*(nodes or []), *read] if read else nodes
            args = (runner or self.runner, documents, nodes, num_workers, progress, show_progress, kwargs)
            return await run_in_thread(self._run_with, *args)
        workers = num_workers or self.num_workers or 4
        todo, deletions, tally, pending = self._start(documents, nodes, progress, show_progress, workers, read)
        if deletions:
            await run_in_thread(self._delete_documents, deletions)
        per_doc = self._split()[0]
        try:
            for position, doc in enumerate(todo, start=1):
                try:
                    nodes = await arun_transformations([whole(doc)], per_doc, self._run_cache, **kwargs)
                except Exception:
                    await self._astep(pending, True, tally, **kwargs)  # keep the work done before the failure
                    raise
                nodes = self._reuse(doc, stabilise_ids(doc, nodes, rename=self.stable_node_ids))
                pending.add(doc, nodes, chars_of(doc))
                await self._astep(pending, position == len(todo), tally, **kwargs)
        finally:
            self._hashes = {}
            try:
                await finish_shielded(run_in_thread(self._checkpoint, True))
            finally:
                tally.report.finish()
        return tally.produced

    def _begin(self, owner: str, options: RunOptions, runner: Runner | None) -> None:
        """Check the run's LlamaIndex options and make them the ones in force (before any work)."""
        options.check(owner, self.cache, self.vector_store, runner or self.runner)
        self._options = options
        self._run_cache = options.cache_for(self.cache)

    def _run_with(
        self, runner: Any, documents: Any, nodes: Any, workers: Any, progress: Any, show: bool, kwargs: Any
    ) -> list[BaseNode]:
        """Hand transform + embed to ``runner`` (see ``_runner``); the in-process path never comes here."""
        from dovetail.core.ingestion._runner import drive
        from dovetail.core.ingestion._runner import inputs_for

        return drive(
            self, runner, inputs_for(self, documents, nodes, workers), hooks_for(progress, show, log_progress), **kwargs
        )

    @suggest_keywords
    def persist(
        self,
        persist_dir: str | Path = DEFAULT_PERSIST_DIR,
        fs: object | None = None,
        cache_name: str = DEFAULT_CACHE_FILE,
        docstore_name: str = DEFAULT_DOCSTORE_FILE,
    ) -> None:
        """Write the cache (``cache_name``) and the docstore (``docstore_name``) to ``persist_dir``.

        Raises:
            InvalidInputError: ``fs`` other than ``None`` (local files only), or a name that is not a plain
                file name; nothing is written then.
        """
        cache_path, docstore_path = persist_paths(
            "IngestionPipeline.persist", persist_dir, fs, cache_name, docstore_name
        )
        if self.cache is not None:
            self.cache.persist(cache_path)
        if self.docstore is not None:
            self.docstore.persist(docstore_path)

    @suggest_keywords
    def load(
        self,
        persist_dir: str | Path = DEFAULT_PERSIST_DIR,
        fs: object | None = None,
        cache_name: str = DEFAULT_CACHE_FILE,
        docstore_name: str = DEFAULT_DOCSTORE_FILE,
    ) -> None:
        """Load the cache and docstore written by :meth:`persist` with the same names (missing files are skipped).

        Raises:
            InvalidInputError: as :meth:`persist`, before anything is loaded.
        """
        cache_path, docstore_path = persist_paths("IngestionPipeline.load", persist_dir, fs, cache_name, docstore_name)
        if cache_path.is_file():
            self.cache = IngestionCache(cache_path)
        if docstore_path.is_file():
            self.docstore = SimpleDocumentStore.from_persist_path(docstore_path)
