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

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports
from dovetail.core.vector_stores._base import BasePydanticVectorStore
from dovetail.core.vector_stores._types import ExactMatchFilter
from dovetail.core.vector_stores._types import FilterCondition
from dovetail.core.vector_stores._types import FilterOperator
from dovetail.core.vector_stores._types import MetadataFilter
from dovetail.core.vector_stores._types import MetadataFilters
from dovetail.core.vector_stores._types import VectorStoreQuery
from dovetail.core.vector_stores._types import VectorStoreQueryMode
from dovetail.core.vector_stores._types import VectorStoreQueryResult

if TYPE_CHECKING:
    from dovetail.core.vector_stores._filter_eval import filter_mask
    from dovetail.core.vector_stores.simple import SimpleVectorStore

_LAZY: dict[str, str] = {
    "SimpleVectorStore": "dovetail.core.vector_stores.simple",
    "filter_mask": "dovetail.core.vector_stores._filter_eval",
}

__all__ = [
    "BasePydanticVectorStore",
    "ExactMatchFilter",
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


__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
