"""``VectorStoreIndex``: nodes embedded into a vector store, with the docstore as the ingestion ledger.

Documents go in through an :class:`~dovetail.core.ingestion.IngestionPipeline` (so re-inserting an unchanged
document does nothing and a changed one replaces its nodes). The index records which embedding model built it
(``index_struct.extra["embed_model"]``), so a reloaded index embeds queries with the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._ids import id_list
from dovetail.core._ids import one_id
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.indices._base import BaseIndex
from dovetail.core.indices._engines import build_query_engine
from dovetail.core.indices._kwargs import RETRIEVER_KWARGS
from dovetail.core.indices._kwargs import not_offered
from dovetail.core.indices._kwargs import reject_unknown
from dovetail.core.indices._shared_docstore import aindex_here
from dovetail.core.indices._shared_docstore import index_here
from dovetail.core.indices._shared_docstore import missing_here
from dovetail.core.indices._shared_docstore import serve
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.ingestion import aembed_nodes
from dovetail.core.ingestion import embed_nodes
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.storage import IndexDict
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.ingestion import ProgressCallback
    from dovetail.core.ingestion._progress import ProgressHooks
    from dovetail.core.ingestion._runner import Runner
    from dovetail.core.llms import LLM
    from dovetail.core.query_engine import RetrieverQueryEngine
    from dovetail.core.retrievers import VectorIndexRetriever
    from dovetail.core.vector_stores import BasePydanticVectorStore
    from dovetail.core.vector_stores import MetadataFilters

__all__ = ["VectorStoreIndex"]

logger = logging.getLogger(__name__)


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


class VectorStoreIndex(BaseIndex):
    """An index over embedded nodes in a vector store.

    Args:
        nodes: nodes to insert now (embedded if they have no embedding).
        storage_context: where the data lives; default an in-memory context (SimpleVectorStore).
        embed_model: the embedding model (object or ``"provider:model"``); default the one recorded in the
            index, else ``Settings.embed_model``.
        transformations: ingestion transformations for documents; default ``Settings.transformations``.
        index_struct: the record of an existing index (used by :func:`load_index_from_storage`).
        callback_manager: receives events; default ``Settings.callback_manager``.
        show_progress: show an ingestion progress bar on stderr.
        store_nodes_override: keep the nodes in ``index.docstore`` even when the vector store keeps their text
            (nodes always go there with the in-process ``SimpleVectorStore``, as in LlamaIndex).

    Example:
        ```python
        index = VectorStoreIndex.from_documents(SimpleDirectoryReader("docs").load_data())
        index.storage_context.persist("./index")
        answer = index.as_query_engine(similarity_top_k=3).query("How is a dovetail cut?")
        ```
    """

    retriever_keywords: tuple[str, ...] = ("similarity_top_k", "filters", *RETRIEVER_KWARGS)
    """Keywords :meth:`as_retriever` (and so :meth:`as_query_engine`) accepts."""

    @not_offered("use_async", "insert_batch_size", "skip_embedding", "service_context")
    @suggest_keywords
    def __init__(
        self,
        nodes: Sequence[BaseNode] | None = None,
        storage_context: StorageContext | None = None,
        embed_model: BaseEmbedding | str | None = None,
        transformations: Sequence[Any] | None = None,
        index_struct: IndexStruct | None = None,
        callback_manager: CallbackManager | None = None,
        show_progress: bool = False,
        store_nodes_override: bool = False,
        objects: Sequence[IndexNode] | None = None,
    ) -> None:
        from dovetail.core.settings import resolve_embed_model

        self._embed_model = resolve_embed_model(embed_model) if embed_model is not None else None
        self._store_nodes_override = bool(store_nodes_override)
        self._init_index(
            nodes, storage_context, transformations, index_struct, callback_manager, show_progress, IndexDict(), objects
        )
        self.index_struct.bind(self)
        serve(self)

    # ---------------------------------------------------------------- construction
    @classmethod
    @not_offered("use_async", "insert_batch_size", "skip_embedding", "service_context")
    @suggest_keywords
    def from_documents(
        cls,
        documents: Sequence[Document],
        storage_context: StorageContext | None = None,
        embed_model: BaseEmbedding | str | None = None,
        transformations: Sequence[Any] | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        store_nodes_override: bool = False,
        progress: Any = None,
    ) -> VectorStoreIndex:
        """Split, embed and store ``documents`` (``progress``: a ``progress(done, total)`` callback).

        Raises:
            InvalidInputError: an item is not a Document/node.
            ConfigurationError: no embedding model is available (see ``Settings.embed_model``).
        """
        index = cls(
            storage_context=storage_context,
            embed_model=embed_model,
            transformations=transformations,
            callback_manager=callback_manager,
            show_progress=show_progress,
            store_nodes_override=store_nodes_override,
        )
        index.ingest(list(documents), progress=progress, keep_nodes=False)
        return index

    @classmethod
    @not_offered("use_async", "insert_batch_size", "skip_embedding", "service_context")
    @suggest_keywords
    def from_vector_store(
        cls,
        vector_store: BasePydanticVectorStore,
        embed_model: BaseEmbedding | str | None = None,
        callback_manager: CallbackManager | None = None,
        transformations: Sequence[Any] | None = None,
        show_progress: bool = False,
        store_nodes_override: bool = False,
    ) -> VectorStoreIndex:
        """An index over an existing vector store (which must keep node text, e.g. a remote store).

        Raises:
            InvalidInputError: the store does not keep text, so nodes could not be returned.
        """
        if not vector_store.stores_text:
            msg = f"{type(vector_store).__name__} does not store text; build the index with a StorageContext instead"
            raise InvalidInputError(msg)
        storage_context = StorageContext.from_defaults(vector_store=vector_store)
        return cls(
            storage_context=storage_context,
            embed_model=embed_model,
            callback_manager=callback_manager,
            transformations=transformations,
            show_progress=show_progress,
            store_nodes_override=store_nodes_override,
        )

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
        list_ids = getattr(self.vector_store, "node_ids", None)
        if callable(list_ids):  # SimpleVectorStore: the ids without rebuilding every node
            return {node_id: node_id for node_id in list_ids()}
        try:
            ids = [node.node_id for node in self.vector_store.get_nodes()]
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

    def insert(self, document: Document, **insert_kwargs: Any) -> None:
        """Add (or, if it changed, replace) one document."""
        reject_unknown("insert", insert_kwargs, ())
        self._ingest([_one_document(document, "insert")])

    async def ainsert(self, document: Document, **insert_kwargs: Any) -> None:
        """Async :meth:`insert` (async transformations and embedding)."""
        reject_unknown("ainsert", insert_kwargs, ())
        await self._aingest([_one_document(document, "ainsert")])

    def _nodes_to_insert(
        self, method: str, nodes: Sequence[BaseNode], insert_kwargs: dict[str, Any]
    ) -> tuple[list[BaseNode], BaseEmbedding | None]:
        """The checked nodes of an ``insert_nodes`` call and the model to embed them with (see :meth:`_model_for`).

        Raises:
            InvalidInputError: an item is not a node.
            TypeError: an unknown keyword.
        """
        reject_unknown(method, insert_kwargs, ())
        nodes = list(nodes)
        if not all(isinstance(node, BaseNode) for node in nodes):
            msg = "insert_nodes takes nodes (TextNode, ...); use insert()/from_documents for documents"
            raise InvalidInputError(msg)
        return nodes, self._model_for(nodes) if nodes else None

    def _model_for(self, nodes: list[BaseNode]) -> BaseEmbedding | None:
        """The model to embed ``nodes`` with (recorded in the index), or ``None`` when all carry embeddings."""
        if all(node.embedding is not None for node in nodes):
            return None
        model = self.embed_model
        self._record_embed_model(model)
        return model

    def insert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Embed (where needed) and store ready-made nodes.

        Raises:
            InvalidInputError: an item is not a node; nothing is stored.
        """
        nodes, model = self._nodes_to_insert("insert_nodes", nodes, insert_kwargs)
        if not nodes:
            return
        if model is not None:
            nodes = embed_nodes(model, nodes)
        self.vector_store.add(nodes)
        self.docstore.add_documents(nodes, store_text=self.stores_nodes)

    async def ainsert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Async :meth:`insert_nodes`."""
        nodes, model = self._nodes_to_insert("ainsert_nodes", nodes, insert_kwargs)
        if not nodes:
            return
        if model is not None:
            nodes = await aembed_nodes(model, nodes)
        await self.vector_store.async_add(nodes)
        self.docstore.add_documents(nodes, store_text=self.stores_nodes)

    def delete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove every node of document ``ref_doc_id`` from the vector store (unknown ids are a no-op).

        Args:
            ref_doc_id: the document.
            delete_from_docstore: also forget the document in the docstore (its nodes, node list and hash). With
                ``False`` the docstore keeps them, so re-inserting the unchanged document is skipped.
            **delete_kwargs: passed to the vector store's ``delete``.
        """
        one_id(ref_doc_id, "ref_doc_id")
        self.vector_store.delete(ref_doc_id, **delete_kwargs)
        if delete_from_docstore:
            self.docstore.delete_ref_doc(ref_doc_id, raise_error=False)

    async def adelete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Async :meth:`delete_ref_doc`."""
        one_id(ref_doc_id, "ref_doc_id")
        await self.vector_store.adelete(ref_doc_id, **delete_kwargs)
        if delete_from_docstore:
            self.docstore.delete_ref_doc(ref_doc_id, raise_error=False)

    def delete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove nodes by id from the vector store and (with ``delete_from_docstore``) the docstore.

        A document whose last node goes is forgotten by the docstore (no empty ``ref_doc_info`` entry stays).

        Raises:
            InvalidInputError: ``node_ids`` is a string (not a list of ids) or holds a non-string.
        """
        ids = id_list(node_ids, "node_ids") or []
        self.vector_store.delete_nodes(node_ids=ids, **delete_kwargs)
        if delete_from_docstore:
            for node_id in ids:
                self.docstore.delete_document(node_id, raise_error=False)

    async def adelete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Async :meth:`delete_nodes`."""
        ids = id_list(node_ids, "node_ids") or []
        await self.vector_store.adelete_nodes(node_ids=ids, **delete_kwargs)
        if delete_from_docstore:
            for node_id in ids:
                self.docstore.delete_document(node_id, raise_error=False)

    def update_ref_doc(self, document: Document, **update_kwargs: Any) -> None:
        """Replace a document: delete its nodes, then insert it again (re-embedding it even if unchanged).

        Args:
            document: the new version (matched by ``doc_id``).
            **update_kwargs: ``delete_kwargs={...}`` is passed to the vector store's ``delete``.
        """
        reject_unknown("update_ref_doc", update_kwargs, ("delete_kwargs", "insert_kwargs"))
        document = _one_document(document, "update_ref_doc")
        self.delete_ref_doc(document.node_id, delete_from_docstore=True, **update_kwargs.get("delete_kwargs", {}))
        self.insert(document, **update_kwargs.get("insert_kwargs", {}))

    async def aupdate_ref_doc(self, document: Document, **update_kwargs: Any) -> None:
        """Async :meth:`update_ref_doc`."""
        reject_unknown("aupdate_ref_doc", update_kwargs, ("delete_kwargs", "insert_kwargs"))
        document = _one_document(document, "aupdate_ref_doc")
        await self.adelete_ref_doc(
            document.node_id, delete_from_docstore=True, **update_kwargs.get("delete_kwargs", {})
        )
        await self.ainsert(document, **update_kwargs.get("insert_kwargs", {}))

    def _changed(self, documents: Sequence[Document]) -> tuple[list[Document], list[bool]]:
        """The checked documents and, per document, whether this index must (re)index it: its hash changed, or
        a docstore shared with another vector index records it while this index's vector store lacks its nodes."""
        documents = [_one_document(doc, "refresh_ref_docs") for doc in documents]
        elsewhere = {doc.node_id for doc in missing_here(self, documents)}
        return documents, [
            doc.node_id in elsewhere or self.docstore.get_document_hash(doc.node_id) != doc.hash for doc in documents
        ]

    def refresh_ref_docs(self, documents: Sequence[Document], **update_kwargs: Any) -> list[bool]:
        """Insert new documents and replace changed ones; returns, per document, whether it was (re)indexed."""
        reject_unknown("refresh_ref_docs", update_kwargs, ())
        documents, refreshed = self._changed(documents)
        self._ingest([doc for doc, changed in zip(documents, refreshed, strict=True) if changed])
        return refreshed

    async def arefresh_ref_docs(self, documents: Sequence[Document], **update_kwargs: Any) -> list[bool]:
        """Async :meth:`refresh_ref_docs`."""
        reject_unknown("arefresh_ref_docs", update_kwargs, ())
        documents, refreshed = self._changed(documents)
        await self._aingest([doc for doc, changed in zip(documents, refreshed, strict=True) if changed])
        return refreshed

    refresh = refresh_ref_docs

    # ---------------------------------------------------------------- reading
    def as_retriever(
        self,
        similarity_top_k: int = 2,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> VectorIndexRetriever:
        """A retriever returning the ``similarity_top_k`` closest nodes (``filters``: metadata filters).

        Other keywords (``vector_store_query_mode``, ``node_ids``, ``doc_ids``, ``alpha``, ``sparse_top_k``,
        ``hybrid_top_k``, ``embed_model``, ``object_map``, ``verbose``, ``vector_store_kwargs``,
        ``callback_manager``) go to :class:`~dovetail.core.retrievers.VectorIndexRetriever`.

        Raises:
            TypeError: an unknown keyword (the message names the closest valid one).
            InvalidInputError: ``similarity_top_k`` is not a positive integer.
        """
        from dovetail.core.retrievers import VectorIndexRetriever

        reject_unknown("as_retriever", kwargs, self.retriever_keywords)
        if isinstance(similarity_top_k, bool) or not isinstance(similarity_top_k, int) or similarity_top_k < 1:
            msg = f"similarity_top_k must be a positive integer, got {similarity_top_k!r}"
            raise InvalidInputError(msg)
        return VectorIndexRetriever(
            self, similarity_top_k=similarity_top_k, filters=filters, **self._with_objects(kwargs)
        )

    def as_query_engine(self, llm: LLM | str | None = None, **kwargs: Any) -> RetrieverQueryEngine:
        """A query engine: retrieve nodes (keywords of :meth:`as_retriever`) and answer.

        Keywords of the engine: ``response_mode`` (see
        :class:`~dovetail.core.response_synthesizers.ResponseMode`), ``streaming``, ``text_qa_template``,
        ``refine_template``, ``summary_template``, ``simple_template``, ``node_postprocessors``,
        ``response_synthesizer``, ``use_async``, ``verbose``, ``output_cls``, ``callback_manager``.

        Args:
            llm: an LLM or ``"provider:model"``; default ``Settings.llm``. With no LLM the answer is extractive.
            **kwargs: retriever and engine keywords (above).

        Raises:
            TypeError: an unknown keyword (the message names the closest valid one).
        """
        return build_query_engine(self, llm, kwargs)


def _one_document(document: Any, where: str) -> Any:
    if not isinstance(document, BaseNode):
        msg = f"{where} takes a Document, got {type(document).__name__}; build Document(text=..., doc_id=...) first"
        raise InvalidInputError(msg)
    return document  # a node works too: it is ingested as its own document
