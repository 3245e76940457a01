"""Changing a ``VectorStoreIndex``: insert documents or nodes, delete, update and refresh documents.

:class:`VectorIndexWrites` holds LlamaIndex's write methods (each with its async twin); documents go through
the index's ingestion (so an unchanged document is skipped), ready-made nodes straight to the vector store.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._ids import id_list
from dovetail.core._ids import one_id
from dovetail.core.indices._kwargs import reject_unknown
from dovetail.core.indices._shared_docstore import missing_here
from dovetail.core.indices._vector_index_core import VectorIndexCore
from dovetail.core.ingestion import aembed_nodes
from dovetail.core.ingestion import embed_nodes
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding

__all__ = ["VectorIndexWrites"]


class VectorIndexWrites(VectorIndexCore):
    """The insert, delete, update and refresh methods of :class:`~dovetail.core.indices.VectorStoreIndex`."""

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


def _one_document(document: Any, where: str) -> Any:
    if not isinstance(document, BaseNode):
        msg = f"{where} takes a Document, got {type(document).__name__}; build Document(text=..., doc_id=...) first"
        raise InvalidInputError(msg)
    return document  # a node works too: it is ingested as its own document
