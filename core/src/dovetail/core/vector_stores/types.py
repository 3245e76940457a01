"""LlamaIndex's ``llama_index.core.vector_stores.types`` import path.

Re-exports vector store types lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.vector_stores import (
        BasePydanticVectorStore,
        ExactMatchFilter,
        FilterCondition,
        FilterOperator,
        MetadataFilter,
        MetadataFilters,
        VectorStoreQuery,
        VectorStoreQueryMode,
        VectorStoreQueryResult,
    )

_LAZY: dict[str, str] = {
    "BasePydanticVectorStore": "dovetail.core.vector_stores",
    "ExactMatchFilter": "dovetail.core.vector_stores",
    "FilterCondition": "dovetail.core.vector_stores",
    "FilterOperator": "dovetail.core.vector_stores",
    "MetadataFilter": "dovetail.core.vector_stores",
    "MetadataFilters": "dovetail.core.vector_stores",
    "VectorStoreQuery": "dovetail.core.vector_stores",
    "VectorStoreQueryMode": "dovetail.core.vector_stores",
    "VectorStoreQueryResult": "dovetail.core.vector_stores",
}

__all__ = [
    "BasePydanticVectorStore",
    "ExactMatchFilter",
    "FilterCondition",
    "FilterOperator",
    "MetadataFilter",
    "MetadataFilters",
    "VectorStoreQuery",
    "VectorStoreQueryMode",
    "VectorStoreQueryResult",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
