"""Vector indices that share one docstore: each keeps its own vector store complete.

The docstore is the ingestion ledger: a document whose recorded hash matches is skipped. When two vector indices
with different vector stores share a docstore (``StorageContext.from_defaults(docstore=shared, vector_store=...)``),
the ledger alone would tell the second index that a document is already indexed, and that index would never
receive its nodes (or would keep an older version's nodes after the first index refreshed it). So, once a docstore
serves a second vector store, a document the ledger skips is checked against the index's own vector store and put
there when its recorded nodes are missing. A docstore that serves one vector store (the usual case) costs nothing.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dovetail.core.ingestion import IngestionPipeline

if TYPE_CHECKING:
    from dovetail.core.indices._vector_index_core import VectorIndexCore
    from dovetail.core.schema import BaseNode
    from dovetail.core.storage import SimpleDocumentStore

__all__ = ["aindex_here", "index_here", "missing_here", "serve"]


class _Served:
    """The vector stores one docstore has been the ledger of in this process: the live ones (weakly) and how many
    there have been (a store that was garbage-collected still counts: its documents are in the ledger)."""

    def __init__(self) -> None:
        self.stores: list[weakref.ref[object]] = []
        self.count = 0

    def add(self, store: object) -> None:
        self.stores = [ref for ref in self.stores if ref() is not None]
        if not any(ref() is store for ref in self.stores):
            self.stores.append(weakref.ref(store))
            self.count += 1


_SERVED: weakref.WeakKeyDictionary[SimpleDocumentStore, _Served] = weakref.WeakKeyDictionary()


def serve(index: VectorIndexCore) -> None:
    """Record that ``index``'s docstore is the ledger of ``index``'s vector store."""
    _SERVED.setdefault(index.docstore, _Served()).add(index.vector_store)


def _shared(index: VectorIndexCore) -> bool:
    serve(index)
    return _SERVED[index.docstore].count > 1


def missing_here(index: VectorIndexCore, documents: Sequence[BaseNode]) -> list[BaseNode]:
    """The documents the ledger records at their current hash whose nodes ``index``'s vector store lacks.

    Always empty unless the docstore serves several vector stores, or when the vector store cannot read nodes
    by id.
    """
    if not documents or not _shared(index):
        return []
    docstore = index.docstore
    recorded: dict[str, list[str]] = {}
    for doc in documents:
        info = docstore.get_ref_doc_info(doc.node_id)
        if info is not None and docstore.get_document_hash(doc.node_id) == doc.hash:
            recorded[doc.node_id] = list(info.node_ids)
    wanted = [node_id for ids in recorded.values() for node_id in ids]
    if not wanted:
        return []
    try:
        present = {node.node_id for node in index.vector_store.get_nodes(node_ids=wanted)}
    except NotImplementedError:
        return []
    return [doc for doc in documents if doc.node_id in recorded and not set(recorded[doc.node_id]) <= present]


def _pipeline(index: VectorIndexCore) -> IngestionPipeline:
    """A pipeline into ``index``'s vector store alone (the docstore's ledger already records the documents)."""
    model = index.embed_model
    steps = [*index._transformations_for_documents(), model]
    return IngestionPipeline(transformations=steps, vector_store=index.vector_store, disable_cache=True)


def index_here(index: VectorIndexCore, documents: Sequence[BaseNode]) -> list[BaseNode]:
    """Replace ``documents``' nodes in ``index``'s vector store with freshly built ones; returns the new nodes.

    The nodes get the ids the ledger records (ids derive from document id, position and content).
    """
    if not documents:
        return []
    for doc in documents:
        index.vector_store.delete(doc.node_id)
    nodes = _pipeline(index).run(documents=list(documents))
    index.docstore.add_documents(nodes, store_text=index.stores_nodes)
    return nodes


async def aindex_here(index: VectorIndexCore, documents: Sequence[BaseNode]) -> list[BaseNode]:
    """Async :func:`index_here`."""
    if not documents:
        return []
    for doc in documents:
        await index.vector_store.adelete(doc.node_id)
    nodes = await _pipeline(index).arun(documents=list(documents))
    index.docstore.add_documents(nodes, store_text=index.stores_nodes)
    return nodes
