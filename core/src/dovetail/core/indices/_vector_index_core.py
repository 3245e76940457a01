"""The storage side of ``VectorStoreIndex``: its vector store, its embedding model and ingestion of documents.

:class:`VectorIndexCore` holds the properties (``vector_store``, ``stores_nodes``, ``index_struct``,
``embed_model``), the record of the embedding model that built the index, and :meth:`~VectorIndexCore.ingest`,
which runs documents through an :class:`~dovetail.core.ingestion.IngestionPipeline`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from dovetail.core.indices._base import BaseIndex
from dovetail.core.indices._shared_docstore import aindex_here
from dovetail.core.indices._shared_docstore import index_here
from dovetail.core.indices._shared_docstore import missing_here
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.schema import BaseNode
from dovetail.core.storage import IndexDict
from dovetail.core.storage import IndexStruct

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.ingestion import ProgressCallback
    from dovetail.core.ingestion._progress import ProgressHooks
    from dovetail.core.ingestion._runner import Runner
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["VectorIndexCore", "embed_model_for"]


def embed_model_for(index_struct: IndexStruct) -> BaseEmbedding:
    """The model that embeds queries of an index without an explicit one: the model set in ``Settings``, else the
    one recorded in the index when it was built (a remote one only with the user's consent), else the ``Settings``
    default.

    Raises:
        ConfigurationError: the recorded model cannot be loaded here, or is remote and not confirmed.
    """
    from dovetail.core.indices._recorded_model import resolve_recorded_embed_model
    from dovetail.core.settings import Settings

    if Settings.embed_model_is_set:
        return Settings.embed_model
    spec = (index_struct.extra.get("embed_model") or {}).get("spec")
    if isinstance(spec, str):
        return resolve_recorded_embed_model(spec)  # a remote spec needs the user's consent
    return Settings.embed_model


class VectorIndexCore(BaseIndex):
    """Storage, embedding model and ingestion of :class:`~dovetail.core.indices.VectorStoreIndex` (which sets
    ``_embed_model`` and ``_store_nodes_override`` before ``_init_index``)."""

    _embed_model: BaseEmbedding | None
    _store_nodes_override: bool

    # ---------------------------------------------------------------- properties

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The vector store."""
        return self._storage_context.vector_store

    @property
    def stores_nodes(self) -> bool:
        """Whether nodes are kept in the docstore: always with the in-process store, else on request or when the
        vector store keeps no text."""
        from dovetail.core.vector_stores import SimpleVectorStore

        store = self.vector_store
        return self._store_nodes_override or not store.stores_text or isinstance(store, SimpleVectorStore)

    @property
    def index_struct(self) -> IndexDict:
        """The index's record; ``index_struct.nodes_dict`` lists the nodes kept in the docstore, as in LlamaIndex."""
        return cast("IndexDict", self._index_struct)  # made an IndexDict by _init_index

    def _nodes_dict(self) -> dict[str, str]:
        """``index_struct.nodes_dict``: the ids in the vector store, when the docstore keeps the nodes.

        Read from the vector store on each access (one read of the whole store), so it cannot go stale.
        """
        if not self.stores_nodes:
            return {}
        try:
            ids = self.vector_store.node_ids()
        except NotImplementedError:  # a store that cannot list its nodes: the docstore holds them all
            ids = self.docstore.node_ids()
        return {node_id: node_id for node_id in ids}

    @property
    def embed_model(self) -> BaseEmbedding:
        """The embedding model: explicit > set in ``Settings`` > recorded in the index > ``Settings`` default."""
        if self._embed_model is None:
            self._embed_model = self._pick_embed_model()
        return self._embed_model

    def _pick_embed_model(self) -> BaseEmbedding:
        return embed_model_for(self._index_struct)

    def _record_embed_model(self, model: BaseEmbedding) -> None:
        if "embed_model" in self._index_struct.extra:
            return
        from dovetail.core.settings import embed_spec_of

        self._index_struct.extra["embed_model"] = {
            "spec": embed_spec_of(model),
            "class": f"{type(model).__module__}.{type(model).__qualname__}",
            "model_name": getattr(model, "model_name", None),
        }
        self._storage_context.index_store.add_index_struct(self._index_struct)

    # ---------------------------------------------------------------- writing
    def _transformations_for_documents(self) -> list[Any]:
        """The steps from documents to nodes (without the embedding model)."""
        from dovetail.core.settings import Settings

        if self._transformations is not None:
            return list(self._transformations)
        return Settings.transformations_for(self.embed_model)

    def _pipeline(self, **overrides: Any) -> IngestionPipeline:
        model = self.embed_model
        transformations = self._transformations_for_documents()
        self._record_embed_model(model)
        # No transformation cache: the docstore already skips unchanged documents, and a per-call cache would
        # only hold every node and vector of the run in memory without ever being hit.
        pipeline = IngestionPipeline(
            transformations=[*transformations, model],
            storage_context=self._storage_context,
            disable_cache=True,
            **overrides,
        )
        pipeline.store_nodes = self.stores_nodes
        return pipeline

    def ingest(
        self,
        documents: Sequence[BaseNode],
        progress: ProgressCallback | ProgressHooks | None = None,
        checkpoint_dir: str | Path | None = None,
        prune: bool = False,
        num_workers: int | None = None,
        commit_interval: float = 15.0,
        keep_nodes: bool = True,
        runner: Runner | None = None,
    ) -> list[BaseNode]:
        """Add new documents and replace changed ones, skipping unchanged ones; returns the new nodes.

        Args:
            documents: the documents.
            progress: an :class:`~dovetail.core.ingestion.IngestProgress` or a ``progress(done, total)`` callback.
            checkpoint_dir: persist the storage there as the run goes, so a killed run resumes (see
                :class:`~dovetail.core.ingestion.IngestionPipeline`).
            prune: also remove documents that are not among ``documents``.
            num_workers: embedding calls in flight at once.
            commit_interval: commit (and checkpoint) at least this often, in seconds (default 15).
            keep_nodes: return the new nodes; ``False`` returns ``[]`` and keeps memory flat on big inputs.
            runner: run transform + embed with this :class:`~dovetail.core.ingestion.Runner` (e.g. a
                ``RayRunner``); ``documents`` may then be any iterable.
        """
        pipeline = self._pipeline(
            docstore_strategy="upserts_and_delete" if prune else "upserts",
            checkpoint_dir=checkpoint_dir,
            num_workers=num_workers,
            commit_interval=commit_interval,
        )
        pipeline.keep_nodes = keep_nodes
        inputs = documents if runner is not None else list(documents)
        elsewhere = missing_here(self, inputs) if runner is None else []
        added = pipeline.run(documents=inputs, show_progress=self._show_progress, progress=progress, runner=runner)
        here = index_here(self, elsewhere)
        return [*added, *here] if keep_nodes else added

    def _ingest(
        self, documents: list[BaseNode], progress: ProgressCallback | ProgressHooks | None = None
    ) -> list[BaseNode]:
        return self.ingest(documents, progress=progress)

    async def _aingest(self, documents: list[BaseNode]) -> list[BaseNode]:
        pipeline = self._pipeline(docstore_strategy="upserts")
        elsewhere = missing_here(self, documents)
        added = await pipeline.arun(documents=documents, show_progress=self._show_progress)
        return [*added, *await aindex_here(self, elsewhere)]
