"""Retrievers: the ``BaseRetriever`` contract; ``VectorIndexRetriever`` is loaded on first use.

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
    from dovetail.core.retrievers._vector import VectorIndexRetriever  # type: ignore[import-not-found,unused-ignore]

_LAZY: dict[str, str] = {"VectorIndexRetriever": "dovetail.core.retrievers._vector"}

__all__ = ["BaseRetriever", "QueryType", "VectorIndexRetriever"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
