"""A vector store that keeps node text but is not the in-process SimpleVectorStore (as remote stores are)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import BasePydanticVectorStore
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryResult
from pydantic import PrivateAttr


class TextKeepingStore(BasePydanticVectorStore):
    """Keeps text like a remote store; its data cannot be put into a dict."""

    stores_text: bool = True
    _inner: SimpleVectorStore = PrivateAttr(default_factory=SimpleVectorStore)

    @property
    def client(self) -> Any:
        return None

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        return self._inner.add(nodes)

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        self._inner.delete(ref_doc_id)

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> None:
        self._inner.delete_nodes(node_ids=node_ids, filters=filters)

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        return self._inner.get_nodes(node_ids=node_ids, filters=filters)

    def clear(self, **kwargs: Any) -> None:
        self._inner.clear()

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        return self._inner.query(query)
