"""``SummaryIndex``: the nodes of every document, in order, in the docstore; queries read all of them.

Its query engine answers with ``tree_summarize`` by default (LlamaIndex's default for this index), so a question
over the whole collection is answered from every node. The index record (``struct_type "list"``) lists the node
ids in insertion order and is persisted with the same storage as :class:`VectorStoreIndex`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.indices._base import BaseIndex
from dovetail.core.indices._engines import build_query_engine
from dovetail.core.indices._kwargs import reject_unknown
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.storage import IndexList
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import StorageContext

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.query_engine import RetrieverQueryEngine
    from dovetail.core.retrievers import BaseRetriever

__all__ = ["SUMMARY_STRUCT_TYPE", "ListRetrieverMode", "SummaryIndex"]

SUMMARY_STRUCT_TYPE = "list"


class ListRetrieverMode(str, Enum):
    """``SummaryIndex.as_retriever(retriever_mode=...)``: every node in order, or the closest by embedding.

    ``LLM`` is LlamaIndex's LLM-ranked mode; dovetail does not offer it, and ``as_retriever`` says so.
    """

    DEFAULT = "default"
    EMBEDDING = "embedding"
    LLM = "llm"


class SummaryIndex(BaseIndex):
    """An index that keeps every node and hands all of them (or the ``similarity_top_k`` closest) to the answer.

    Args:
        nodes: nodes to add now.
        storage_context: where the data lives; default an in-memory context.
        transformations: how documents become nodes; default ``Settings.transformations``.
        index_struct: the record of an existing index (used by :func:`load_index_from_storage`).
        callback_manager: receives events; default ``Settings.callback_manager``.
        show_progress: log ingestion progress.
        embed_model: for ``as_retriever(retriever_mode="embedding")``; default ``Settings.embed_model``.

    Example:
        ```python
        index = SummaryIndex.from_documents(SimpleDirectoryReader("notes").load_data())
        print(index.as_query_engine(llm=llm).query("Summarize the notes"))
        ```
    """

    retriever_keywords: tuple[str, ...] = (
        "retriever_mode",
        "similarity_top_k",
        "embed_model",
        "callback_manager",
        "object_map",
        "verbose",
    )
    """Keywords :meth:`as_retriever` (and so :meth:`as_query_engine`) accepts."""
    default_response_mode = "tree_summarize"

    _kind = "a summary index"

    def __init__(
        self,
        nodes: Sequence[BaseNode] | None = None,
        storage_context: StorageContext | None = None,
        transformations: Sequence[Any] | None = None,
        index_struct: IndexStruct | None = None,
        callback_manager: CallbackManager | None = None,
        show_progress: bool = False,
        embed_model: Any | None = None,
        objects: Sequence[IndexNode] | None = None,
    ) -> None:
        from dovetail.core.settings import resolve_embed_model

        self._embed_model = resolve_embed_model(embed_model) if embed_model is not None else None
        new_struct = IndexList(extra={"nodes": []})
        self._init_index(
            nodes, storage_context, transformations, index_struct, callback_manager, show_progress, new_struct, objects
        )

    @classmethod
    @suggest_keywords
    def from_documents(
        cls,
        documents: Sequence[Document],
        storage_context: StorageContext | None = None,
        transformations: Sequence[Any] | None = None,
        show_progress: bool = False,
        callback_manager: CallbackManager | None = None,
        embed_model: Any | None = None,
    ) -> SummaryIndex:
        """Split ``documents`` into nodes and keep them.

        Raises:
            InvalidInputError: an item is not a Document/node.
        """
        index = cls(
            storage_context=storage_context,
            transformations=transformations,
            callback_manager=callback_manager,
            show_progress=show_progress,
            embed_model=embed_model,
        )
        index._ingest(list(documents))
        return index

    # ---------------------------------------------------------------- properties

    @property
    def index_struct(self) -> IndexList:
        """The index's record; ``index_struct.nodes`` lists the node ids in order, as in LlamaIndex."""
        return cast("IndexList", self._index_struct)  # made an IndexList by _init_index

    @property
    def node_ids(self) -> list[str]:
        """The index's node ids in insertion order."""
        return [str(node_id) for node_id in self._index_struct.extra.get("nodes", [])]

    @property
    def embed_model(self) -> Any:
        """The model of ``retriever_mode="embedding"``: explicit, else ``Settings.embed_model``."""
        from dovetail.core.settings import Settings

        return self._embed_model if self._embed_model is not None else Settings.embed_model

    def _set_node_ids(self, node_ids: list[str]) -> None:
        self._index_struct.extra["nodes"] = node_ids
        self._storage_context.index_store.add_index_struct(self._index_struct)

    def _sync_node_ids(self, added: Sequence[BaseNode]) -> None:
        kept = [node_id for node_id in self.node_ids if self.docstore.document_exists(node_id)]
        seen = set(kept)
        kept.extend(node.node_id for node in added if node.node_id not in seen)
        self._set_node_ids(kept)

    # ---------------------------------------------------------------- writing
    def _pipeline(self) -> IngestionPipeline:
        return IngestionPipeline(transformations=self._document_steps(), docstore=self.docstore, disable_cache=True)

    def _ingest(self, documents: list[BaseNode]) -> None:
        self._sync_node_ids(self._pipeline().run(documents=documents, show_progress=self._show_progress))

    async def _aingest(self, documents: list[BaseNode]) -> None:
        self._sync_node_ids(await self._pipeline().arun(documents=documents, show_progress=self._show_progress))

    def insert(self, document: Document, **insert_kwargs: Any) -> None:
        """Add (or, if it changed, replace) one document."""
        reject_unknown("insert", insert_kwargs, ())
        self._ingest([_node(document)])

    async def ainsert(self, document: Document, **insert_kwargs: Any) -> None:
        """Async :meth:`insert`."""
        reject_unknown("ainsert", insert_kwargs, ())
        await self._aingest([_node(document)])

    def insert_nodes(self, nodes: Sequence[BaseNode], **insert_kwargs: Any) -> None:
        """Keep ready-made nodes.

        Raises:
            InvalidInputError: an item is not a node; nothing is stored.
        """
        reject_unknown("insert_nodes", insert_kwargs, ())
        nodes = [_node(node) for node in nodes]
        self.docstore.add_documents(nodes)
        self._sync_node_ids(nodes)

    def delete_ref_doc(self, ref_doc_id: str, delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove every node of document ``ref_doc_id`` from the index (and, by default, the docstore)."""
        reject_unknown("delete_ref_doc", delete_kwargs, ())
        info = self.docstore.get_ref_doc_info(ref_doc_id)
        gone = set(info.node_ids) if info is not None else set()
        self._set_node_ids([node_id for node_id in self.node_ids if node_id not in gone])
        if delete_from_docstore:
            self.docstore.delete_ref_doc(ref_doc_id, raise_error=False)

    def delete_nodes(self, node_ids: list[str], delete_from_docstore: bool = True, **delete_kwargs: Any) -> None:
        """Remove nodes by id from the index (and, by default, the docstore)."""
        reject_unknown("delete_nodes", delete_kwargs, ())
        gone = set(node_ids)
        self._set_node_ids([node_id for node_id in self.node_ids if node_id not in gone])
        if delete_from_docstore:
            for node_id in node_ids:
                self.docstore.delete_document(node_id, raise_error=False)

    def refresh_ref_docs(self, documents: Sequence[Document], **update_kwargs: Any) -> list[bool]:
        """Insert new documents and replace changed ones; returns, per document, whether it was (re)indexed."""
        reject_unknown("refresh_ref_docs", update_kwargs, ())
        documents = [_node(doc) for doc in documents]  # type: ignore[misc]
        refreshed = [self.docstore.get_document_hash(doc.node_id) != doc.hash for doc in documents]
        self._ingest([doc for doc, changed in zip(documents, refreshed, strict=True) if changed])
        return refreshed

    def update_ref_doc(self, document: Document, **update_kwargs: Any) -> None:
        """Replace a document: delete its nodes, then insert it again."""
        reject_unknown("update_ref_doc", update_kwargs, ())
        self.delete_ref_doc(_node(document).node_id)
        self.insert(document)

    # ---------------------------------------------------------------- reading
    def as_retriever(self, retriever_mode: ListRetrieverMode | str = "default", **kwargs: Any) -> BaseRetriever:
        """A retriever: ``"default"`` returns every node in order; ``"embedding"`` the ``similarity_top_k``
        (default 1) nodes closest to the query.

        Raises:
            TypeError: an unknown keyword.
            InvalidInputError: an unsupported ``retriever_mode`` (``"llm"`` is not available).
        """
        from dovetail.core.indices._summary_retrievers import SummaryIndexEmbeddingRetriever
        from dovetail.core.indices._summary_retrievers import SummaryIndexRetriever

        if retriever_mode not in ("default", "embedding"):
            msg = f"retriever_mode {retriever_mode!r} is not supported by SummaryIndex; use 'default' or 'embedding'"
            raise InvalidInputError(msg)
        reject_unknown("as_retriever", kwargs, self.retriever_keywords)
        if retriever_mode == "default":
            if "similarity_top_k" in kwargs or "embed_model" in kwargs:
                msg = "similarity_top_k/embed_model apply to retriever_mode='embedding'; the default mode returns all"
                raise InvalidInputError(msg)
            return SummaryIndexRetriever(self, **self._with_objects(kwargs))
        return SummaryIndexEmbeddingRetriever(self, **self._with_objects(kwargs))

    def as_query_engine(self, llm: Any = None, **kwargs: Any) -> RetrieverQueryEngine:
        """A query engine over every node, answering with ``tree_summarize`` unless ``response_mode`` says
        otherwise (keywords as in :meth:`VectorStoreIndex.as_query_engine`, plus ``retriever_mode``).
        """
        return build_query_engine(self, llm, kwargs)


def _node(item: Any) -> BaseNode:
    if not isinstance(item, BaseNode):
        msg = f"SummaryIndex takes Documents/nodes, got {type(item).__name__}; build Document(text=...) first"
        raise InvalidInputError(msg)
    return item
