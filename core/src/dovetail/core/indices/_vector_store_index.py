"""``VectorStoreIndex``: nodes embedded into a vector store, with the docstore as the ingestion ledger.

Documents go in through an :class:`~dovetail.core.ingestion.IngestionPipeline` (so re-inserting an unchanged
document does nothing and a changed one replaces its nodes). The index records which embedding model built it
(``index_struct.extra["embed_model"]``), so a reloaded index embeds queries with the same model.

This module holds construction (``__init__``, ``from_documents``, ``from_vector_store``) and the retriever and
query-engine factories; the storage side and ingestion live in ``_vector_index_core``, the insert, delete,
update and refresh methods in ``_vector_index_writes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.indices._engines import build_query_engine
from dovetail.core.indices._kwargs import RETRIEVER_KWARGS
from dovetail.core.indices._kwargs import not_offered
from dovetail.core.indices._kwargs import reject_unknown
from dovetail.core.indices._shared_docstore import serve
from dovetail.core.indices._vector_index_writes import VectorIndexWrites
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.storage import IndexDict
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.embeddings import BaseEmbedding
    from dovetail.core.llms import LLM
    from dovetail.core.query_engine import RetrieverQueryEngine
    from dovetail.core.retrievers import VectorIndexRetriever
    from dovetail.core.vector_stores import BasePydanticVectorStore
    from dovetail.core.vector_stores import MetadataFilters

__all__ = ["VectorStoreIndex"]


class VectorStoreIndex(VectorIndexWrites):
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
