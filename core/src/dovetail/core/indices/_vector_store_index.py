"""``VectorStoreIndex``: nodes embedded into a vector store, with the docstore as the ingestion ledger.

Documents go in through an :class:`~dovetail.core.ingestion.IngestionPipeline` (so re-inserting an unchanged
document does nothing and a changed one replaces its nodes). The index records which embedding model built it
(``index_struct.extra["embed_model"]``), so a reloaded index embeds queries with the same model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._ids import id_list, one_id
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.ingestion import IngestionPipeline, embed_nodes
from dovetail.core.schema import BaseNode, Document
from dovetail.core.storage import IndexStruct, RefDocInfo, SimpleDocumentStore, StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.ingestion import ProgressCallback
    from dovetail.core.llms import LLM
    from dovetail.core.query_engine import RetrieverQueryEngine
    from dovetail.core.retrievers import VectorIndexRetriever
    from dovetail.core.vector_stores import BasePydanticVectorStore, MetadataFilters

__all__ = ["VectorStoreIndex"]

# Keywords of VectorIndexRetriever that as_retriever / as_query_engine pass on (LlamaIndex splits them alike).
_RETRIEVER_KEYWORDS = frozenset(
    {"node_ids", "doc_ids", "vector_store_query_mode", "vector_store_kwargs", "embed_model", "object_map", "verbose"}
)
# Keywords of the query engine that as_query_engine passes on.
_ENGINE_KEYWORDS = frozenset({"text_qa_template", "refine_template", "node_postprocessors", "callback_manager"})

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


class VectorStoreIndex:
    """An index over embedded nodes in a vector store.

    Args:
        nodes: nodes to insert now (embedded if they have no embedding).
        storage_context: where the data lives; default an in-memory context (SimpleVectorStore).
        embed_model: the embedding model (object or ``"provider:model"``); default the one recorded in the
            index, else ``Settings.embed_model``.
        transformations: ingestion transformations for documents; default ``Settings.transformations``.
        index_struct: the record of an existing index (used by :func:`load_index_from_storage`).
        callback_manager: receives events; default ``Settings.callback_manager``.
        show_progress: log ingestion progress.

    Example:
        ```python
        index = VectorStoreIndex.from_documents(SimpleDirectoryReader("docs").load_data())
        index.storage_context.persist("./index")
        answer = index.as_query_engine(similarity_top_k=3).query("How is a dovetail cut?")
        ```
    """

    def __init__(
        self,
        nodes: Sequence[BaseNode] | None = None,
        storage_context: StorageContext | None = None,
        embed_model: BaseEmbedding | str | None = None,
        transformations: Sequence[Any] | None = None,
        index_struct: IndexStruct | None = None,
        callback_manager: CallbackManager | None = None,
        show_progress: bool = False,
        **kwargs: Any,
    ) -> None:
        from dovetail.core.settings import Settings, resolve_embed_model

        reject_unknown_keywords("VectorStoreIndex", kwargs, ())
        self._storage_context = storage_context or StorageContext.from_defaults()
        self._embed_model = resolve_embed_model(embed_model) if embed_model is not None else None
        self._transformations = list(transformations) if transformations is not None else None
        self.callback_manager = callback_manager or Settings.callback_manager
        self._show_progress = show_progress
        if index_struct is None:
            index_struct = IndexStruct()
            self._storage_context.index_store.add_index_struct(index_struct)
        self._index_struct = index_struct
        if nodes:
            self.insert_nodes(nodes)

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_documents(
        cls,
        documents: Sequence[Document],
        storage_context: StorageContext | None = None,
        embed_model: BaseEmbedding | str | None = None,
        transformations: Sequence[Any] | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        **kwargs: Any,
    ) -> VectorStoreIndex:
        """Split, embed and store ``documents``.

        Raises:
            InvalidInputError: an item is not a Document/node.
            ConfigurationError: no embedding model is available (see ``Settings.embed_model``).
        """
        progress = kwargs.pop("progress", None)
        reject_unknown_keywords("from_documents", kwargs, ("progress",))
        index = cls(
            storage_context=storage_context,
            embed_model=embed_model,
            transformations=transformations,
            callback_manager=callback_manager,
            show_progress=show_progress,
        )
        index._ingest(list(documents), progress=progress)
        return index

    @classmethod
    def from_vector_store(
        cls, vector_store: BasePydanticVectorStore, embed_model: BaseEmbedding | str | None = None, **kwargs: Any
    ) -> VectorStoreIndex:
        """An index over an existing vector store (which must keep node text, e.g. a remote store).

        Raises:
            InvalidInputError: the store does not keep text, so nodes could not be returned.
        """
        if not vector_store.stores_text:
            msg = f"{type(vector_store).__name__} does not store text; build the index with a StorageContext instead"
            raise InvalidInputError(msg)
        storage_context = StorageContext.from_defaults(vector_store=vector_store)
        return cls(storage_context=storage_context, embed_model=embed_model, **kwargs)

    # ---------------------------------------------------------------- properties
    @property
    def storage_context(self) -> StorageContext:
        """Where the index keeps its data."""
        return self._storage_context

    @property
    def index_struct(self) -> IndexStruct:
        """The index's record in the index store."""
        return self._index_struct

    @property
    def index_id(self) -> str:
        """The index's id in its storage context."""
        return self._index_struct.index_id

    @property
    def docstore(self) -> SimpleDocumentStore:
        """The docstore (ingestion ledger, and nodes when the vector store keeps no text)."""
        return self._storage_context.docstore

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The vector store."""
        return self._storage_context.vector_store

    @property
    def ref_doc_info(self) -> dict[str, RefDocInfo]:
        """Every ingested document and the ids of its nodes."""
        return self.docstore.get_all_ref_doc_info()

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
    def _pipeline(self, **overrides: Any) -> IngestionPipeline:
        from dovetail.core.settings import Settings

        model = self.embed_model
        transformations = (
            self._transformations if self._transformations is not None else Settings.transformations_for(model)
        )
        self._record_embed_model(model)
        # No transformation cache: the docstore already skips unchanged documents, and a per-call cache would
        # only hold every node and vector of the run in memory without ever being hit.
        return IngestionPipeline(
            transformations=[*transformations, model],
            storage_context=self._storage_context,
            disable_cache=True,
            **overrides,
        )

    def ingest(
        self,
        documents: Sequence[BaseNode],
        progress: ProgressCallback | None = None,
        checkpoint_dir: str | Path | None = None,
        prune: bool = False,
        num_workers: int | None = None,
    ) -> list[BaseNode]:
        """Add new documents and replace changed ones, skipping unchanged ones; returns the new nodes.

        Args:
            documents: the documents.
            progress: ``progress(done, total)`` callback.
            checkpoint_dir: persist the storage there as the run goes, so a killed run resumes (see
                :class:`~dovetail.core.ingestion.IngestionPipeline`).
            prune: also remove documents that are not among ``documents``.
            num_workers: embedding calls in flight at once.
        """
        pipeline = self._pipeline(
            docstore_strategy="upserts_and_delete" if prune else "upserts",
            checkpoint_dir=checkpoint_dir,
            num_workers=num_workers,
        )
        return pipeline.run(documents=list(documents), show_progress=self._show_progress, progress=progress)

    def _ingest(self, documents: list[BaseNode], progress: ProgressCallback | None = None) -> list[BaseNode]:
        return self.ingest(documents, progress=progress)

    def insert(self, document: Document, **kwargs: Any) -> None:
        """Add (or, if it changed, replace) one document."""
        reject_unknown_keywords("insert", kwargs, ())
        self._ingest([document])

    def insert_nodes(self, nodes: Sequence[BaseNode], **kwargs: Any) -> None:
        """Embed (where needed) and store ready-made nodes.

        Raises:
            InvalidInputError: an item is not a node; nothing is stored.
        """
        reject_unknown_keywords("insert_nodes", kwargs, ())
        nodes = list(nodes)
        if not all(isinstance(node, BaseNode) for node in nodes):
            msg = "insert_nodes takes nodes (TextNode, ...); use insert()/from_documents for documents"
            raise InvalidInputError(msg)
        if not nodes:
            return
        if any(node.embedding is None for node in nodes):
            model = self.embed_model
            self._record_embed_model(model)
            nodes = embed_nodes(model, nodes)
        self.vector_store.add(nodes)
        self.docstore.add_documents(nodes, store_text=not self.vector_store.stores_text)

    def delete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **kwargs: Any) -> None:
        """Remove every node of document ``ref_doc_id`` (unknown ids are a no-op).

        ``delete_from_docstore=False`` keeps the document's docstore entries (the ingestion ledger then still
        lists it, so inserting the same unchanged document again does nothing until it is deleted there too).
        Other keywords go to the vector store's ``delete``.
        """
        one_id(ref_doc_id, "ref_doc_id")
        self.vector_store.delete(ref_doc_id, **kwargs)
        if delete_from_docstore:
            self.docstore.delete_ref_doc(ref_doc_id, raise_error=False)

    def delete_nodes(self, node_ids: list[str], **kwargs: Any) -> None:
        """Remove nodes by id (other keywords go to the vector store's ``delete_nodes``).

        Raises:
            InvalidInputError: ``node_ids`` is a string (not a list of ids) or holds a non-string.
        """
        ids = id_list(node_ids, "node_ids") or []
        self.vector_store.delete_nodes(node_ids=ids, **kwargs)
        for node_id in ids:
            self.docstore.delete_document(node_id, raise_error=False)

    def refresh_ref_docs(self, documents: Sequence[Document], **kwargs: Any) -> list[bool]:
        """Insert new documents and replace changed ones; returns, per document, whether it was (re)indexed."""
        reject_unknown_keywords("refresh_ref_docs", kwargs, ())
        documents = list(documents)
        refreshed = [self.docstore.get_document_hash(doc.node_id) != doc.hash for doc in documents]
        self._ingest([doc for doc, changed in zip(documents, refreshed, strict=True) if changed])
        return refreshed

    refresh = refresh_ref_docs

    # ---------------------------------------------------------------- reading
    def as_retriever(
        self, similarity_top_k: int = 2, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> VectorIndexRetriever:
        """A retriever returning the ``similarity_top_k`` closest nodes (``filters``: metadata filters).

        Other keywords are :class:`~dovetail.core.retrievers.VectorIndexRetriever`'s (``node_ids``,
        ``doc_ids``, ``vector_store_query_mode``, ``vector_store_kwargs``, ``embed_model``, ...).
        """
        from dovetail.core.retrievers import VectorIndexRetriever

        reject_unknown_keywords("as_retriever", kwargs, _RETRIEVER_KEYWORDS | {"similarity_top_k", "filters"})
        if isinstance(similarity_top_k, bool) or not isinstance(similarity_top_k, int) or similarity_top_k < 1:
            msg = f"similarity_top_k must be a positive integer, got {similarity_top_k!r}"
            raise InvalidInputError(msg)
        return VectorIndexRetriever(self, similarity_top_k=similarity_top_k, filters=filters, **kwargs)

    def as_query_engine(
        self,
        similarity_top_k: int = 2,
        llm: LLM | str | None = None,
        response_mode: str = "compact",
        streaming: bool = False,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> RetrieverQueryEngine:
        """A query engine: retrieve ``similarity_top_k`` nodes and answer.

        Args:
            similarity_top_k: nodes to retrieve.
            llm: an LLM or ``"provider:model"``; default ``Settings.llm``. With no LLM the answer is extractive.
            response_mode: ``"compact"``, ``"refine"`` or ``"extractive"``.
            streaming: return a :class:`~dovetail.core.response_synthesizers.StreamingResponse`.
            filters: metadata filters for retrieval.
            **kwargs: retriever keywords (see :meth:`as_retriever`) and ``text_qa_template``,
                ``refine_template``, ``node_postprocessors``, ``callback_manager``.
        """
        from dovetail.core.query_engine import RetrieverQueryEngine

        valid = _RETRIEVER_KEYWORDS | _ENGINE_KEYWORDS | {"similarity_top_k", "llm", "response_mode", "streaming"}
        reject_unknown_keywords("as_query_engine", kwargs, valid | {"filters"})
        retriever_kwargs = {key: value for key, value in kwargs.items() if key in _RETRIEVER_KEYWORDS}
        retriever = self.as_retriever(similarity_top_k=similarity_top_k, filters=filters, **retriever_kwargs)
        return RetrieverQueryEngine.from_args(
            retriever,
            llm=llm,
            response_mode=response_mode,
            streaming=streaming,
            text_qa_template=kwargs.get("text_qa_template"),
            refine_template=kwargs.get("refine_template"),
            embed_model=self.embed_model,
            node_postprocessors=kwargs.get("node_postprocessors"),
            callback_manager=kwargs.get("callback_manager") or self.callback_manager,
        )
