"""Retrievers: the ``BaseRetriever`` contract; ``VectorIndexRetriever`` and ``QueryFusionRetriever`` (hybrid
search: several retrievers fused into one ranking) are loaded on first use.

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
    from dovetail.core.retrievers._fusion import FUSION_MODES, QueryFusionRetriever
    from dovetail.core.retrievers._vector import VectorIndexRetriever  # type: ignore[import-not-found,unused-ignore]

_LAZY: dict[str, str] = {
    "FUSION_MODES": "dovetail.core.retrievers._fusion",
    "QueryFusionRetriever": "dovetail.core.retrievers._fusion",
    "VectorIndexRetriever": "dovetail.core.retrievers._vector",
}

__all__ = ["FUSION_MODES", "BaseRetriever", "QueryFusionRetriever", "QueryType", "VectorIndexRetriever"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
