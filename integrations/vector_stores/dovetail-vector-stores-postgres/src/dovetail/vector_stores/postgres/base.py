"""``PostgresVectorStore``: a vector store on Postgres."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import (
    BasePydanticVectorStore,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryResult,
)

_TODO = "PostgresVectorStore is not implemented yet: call the Postgres API here"


class PostgresVectorStore(BasePydanticVectorStore):
    """Vector store on Postgres. Implement each method with the provider SDK."""

    stores_text: bool = True

    @property
    def client(self) -> Any:
        """The provider client."""
        raise NotImplementedError(_TODO)

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        """Upsert nodes with their embeddings; return their ids."""
        raise NotImplementedError(_TODO)

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node of one source document."""
        raise NotImplementedError(_TODO)

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete nodes by id and/or filter."""
        raise NotImplementedError(_TODO)

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """Fetch nodes by id and/or filter."""
        raise NotImplementedError(_TODO)

    def clear(self, **kwargs: Any) -> None:
        """Delete everything."""
        raise NotImplementedError(_TODO)

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Top-k similarity search."""
        raise NotImplementedError(_TODO)
