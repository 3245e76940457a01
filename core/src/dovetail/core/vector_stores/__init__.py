"""Vector stores: the :class:`BasePydanticVectorStore` contract, query/filter types and the in-process store.

Importing this package does not import numpy; :class:`SimpleVectorStore` (numpy-backed) loads on first use.

Example:
    ```python
    from dovetail.core.schema import TextNode
    from dovetail.core.vector_stores import MetadataFilters, SimpleVectorStore, VectorStoreQuery

    store = SimpleVectorStore()
    store.add([TextNode(text="oak", embedding=[1.0, 0.0], metadata={"kind": "wood"})])
    result = store.query(
        VectorStoreQuery(
            query_embedding=[1.0, 0.1],
            similarity_top_k=1,
            filters=MetadataFilters.from_dicts([{"key": "kind", "value": "wood"}]),
        )
    )
    ```
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from dovetail.core.vector_stores._base import BasePydanticVectorStore
from dovetail.core.vector_stores._types import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
    VectorStoreQueryMode,
    VectorStoreQueryResult,
)

if TYPE_CHECKING:
    from dovetail.core.vector_stores._filter_eval import filter_mask
    from dovetail.core.vector_stores.simple import SimpleVectorStore

_LAZY: dict[str, str] = {
    "SimpleVectorStore": "dovetail.core.vector_stores.simple",
    "filter_mask": "dovetail.core.vector_stores._filter_eval",
}

__all__ = [
    "BasePydanticVectorStore",
    "FilterCondition",
    "FilterOperator",
    "MetadataFilter",
    "MetadataFilters",
    "SimpleVectorStore",
    "VectorStoreQuery",
    "VectorStoreQueryMode",
    "VectorStoreQueryResult",
    "filter_mask",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'dovetail.core.vector_stores' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
