"""Retrievers: the ``BaseRetriever`` contract; the index retrievers are loaded on first use.

Example:
    ```python
    from dovetail.core.retrievers import BaseRetriever, VectorIndexRetriever
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports
from dovetail.core.retrievers._base import BaseRetriever, QueryType

if TYPE_CHECKING:
    from dovetail.core.indices._keyword_table import KeywordTableSimpleRetriever
    from dovetail.core.indices._summary_retrievers import SummaryIndexEmbeddingRetriever, SummaryIndexRetriever
    from dovetail.core.retrievers._vector import VectorIndexRetriever  # type: ignore[import-not-found,unused-ignore]

_LAZY: dict[str, str] = {
    "VectorIndexRetriever": "dovetail.core.retrievers._vector",
    "KeywordTableSimpleRetriever": "dovetail.core.indices._keyword_table",
    "SummaryIndexRetriever": "dovetail.core.indices._summary_retrievers",
    "SummaryIndexEmbeddingRetriever": "dovetail.core.indices._summary_retrievers",
}

__all__ = [
    "BaseRetriever",
    "KeywordTableSimpleRetriever",
    "QueryType",
    "SummaryIndexEmbeddingRetriever",
    "SummaryIndexRetriever",
    "VectorIndexRetriever",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
