"""The one vector-store contract every store implements (LlamaIndex ``BasePydanticVectorStore`` shape)."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.concurrency import run_in_thread
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores._types import MetadataFilters
from dovetail.core.vector_stores._types import VectorStoreQuery
from dovetail.core.vector_stores._types import VectorStoreQueryResult
from pydantic import ConfigDict

__all__ = ["BasePydanticVectorStore"]


class BasePydanticVectorStore(KeywordCheckedModel, ABC):
    """Abstract vector store: add nodes with embeddings, query by vector, delete, read back.

    Every method is required; there are no optional methods that raise ``NotImplementedError``. The async
    twins default to running the sync method in a worker thread (never blocking the event loop); stores with a
    real async client override them.

    Attributes:
        stores_text: the store keeps node text and metadata, so query results carry full nodes.
        is_embedding_query: queries need ``query_embedding`` (false for text-only stores).
        flat_metadata: the store only accepts flat (scalar-valued) metadata.

    Example:
        ```python
        class MyStore(BasePydanticVectorStore):
            stores_text: bool = True

            @property
            def client(self) -> Any:
                return self._client

            def add(self, nodes, **kwargs): ...
            def delete(self, ref_doc_id, **kwargs): ...
            def delete_nodes(self, node_ids=None, filters=None, **kwargs): ...
            def get_nodes(self, node_ids=None, filters=None, **kwargs): ...
            def clear(self, **kwargs): ...
            def query(self, query, **kwargs): ...
        ```
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    stores_text: bool
    is_embedding_query: bool = True
    flat_metadata: bool = True

    @property
    @abstractmethod
    def client(self) -> Any:
        """The underlying provider client (``None`` for in-process stores)."""

    @abstractmethod
    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        """Insert or replace (upsert by node id) ``nodes``; each must carry an embedding.

        Returns:
            The ids of the stored nodes, in input order.

        Raises:
            InvalidInputError: a node has no embedding, a wrong dimension or non-finite values; nothing is
                stored.
        """

    async def async_add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        """Async :meth:`add`; keyword arguments are forwarded."""
        return await run_in_thread(self.add, nodes, **kwargs)

    @abstractmethod
    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node whose source document id is ``ref_doc_id``; unknown ids are a no-op."""

    async def adelete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Async :meth:`delete`."""
        await run_in_thread(self.delete, ref_doc_id, **delete_kwargs)

    @abstractmethod
    def delete_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **delete_kwargs: Any,
    ) -> None:
        """Delete nodes by id and/or metadata filters (both given: nodes matching both). Neither: no-op."""

    async def adelete_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **delete_kwargs: Any,
    ) -> None:
        """Async :meth:`delete_nodes`."""
        await run_in_thread(self.delete_nodes, node_ids, filters, **delete_kwargs)

    @abstractmethod
    def get_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Nodes by id and/or metadata filters (both given: nodes matching both); unknown ids are skipped."""

    def node_ids(self) -> list[str]:
        """The ids of every stored node; by default read through :meth:`get_nodes` (stores that keep the ids
        apart, as ``SimpleVectorStore`` does, answer without rebuilding the nodes).

        Raises:
            NotImplementedError: the store cannot list its nodes.
        """
        return [node.node_id for node in self.get_nodes()]

    async def aget_nodes(
        self,
        node_ids: list[str] | None = None,
        filters: MetadataFilters | None = None,
        **kwargs: Any,
    ) -> list[BaseNode]:
        """Async :meth:`get_nodes`."""
        return await run_in_thread(self.get_nodes, node_ids, filters, **kwargs)

    @abstractmethod
    def clear(self, **kwargs: Any) -> None:
        """Delete every node in the store."""

    async def aclear(self, **kwargs: Any) -> None:
        """Async :meth:`clear`."""
        await run_in_thread(self.clear, **kwargs)

    @abstractmethod
    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """The ``query.similarity_top_k`` nodes closest to ``query.query_embedding``, best first.

        Raises:
            InvalidInputError: missing/wrong-dimension/non-finite query vector, ``similarity_top_k`` < 1,
                an unknown operator or a mode the store does not support.
        """

    async def aquery(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Async :meth:`query`."""
        return await run_in_thread(self.query, query, **kwargs)

    def persist(self, persist_path: str, fs: Any | None = None) -> None:
        """Write the store to ``persist_path``; a no-op for stores whose data lives on a server."""
