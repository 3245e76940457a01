"""Retrievers: the ``BaseRetriever`` contract; the index retrievers and ``QueryFusionRetriever`` (hybrid search:
several retrievers fused into one ranking) are loaded on first use.

Example:
    ```python
    from dovetail.core.retrievers import BaseRetriever, VectorIndexRetriever
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports
from dovetail.core.retrievers._base import BaseRetriever
from dovetail.core.retrievers._base import QueryType

if TYPE_CHECKING:
    from dovetail.core.indices._keyword_table import KeywordTableSimpleRetriever
    from dovetail.core.indices._summary_retrievers import SummaryIndexEmbeddingRetriever
    from dovetail.core.indices._summary_retrievers import SummaryIndexRetriever
    from dovetail.core.retrievers._fusion import FUSION_MODES
    from dovetail.core.retrievers._fusion import QueryFusionRetriever
    from dovetail.core.retrievers._vector import VectorIndexRetriever  # type: ignore[import-not-found,unused-ignore]

_LAZY: dict[str, str] = {
    "FUSION_MODES": "dovetail.core.retrievers._fusion",
    "KeywordTableSimpleRetriever": "dovetail.core.indices._keyword_table",
    "QueryFusionRetriever": "dovetail.core.retrievers._fusion",
    "SummaryIndexEmbeddingRetriever": "dovetail.core.indices._summary_retrievers",
    "SummaryIndexRetriever": "dovetail.core.indices._summary_retrievers",
    "VectorIndexRetriever": "dovetail.core.retrievers._vector",
}

__all__ = [
    "FUSION_MODES",
    "BaseRetriever",
    "KeywordTableSimpleRetriever",
    "QueryFusionRetriever",
    "QueryType",
    "SummaryIndexEmbeddingRetriever",
    "SummaryIndexRetriever",
    "VectorIndexRetriever",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
