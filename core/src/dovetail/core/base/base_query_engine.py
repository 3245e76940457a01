"""LlamaIndex's ``llama_index.core.base.base_query_engine`` import path.

Re-exports the query engine base class lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.query_engine import BaseQueryEngine

_LAZY: dict[str, str] = {
    "BaseQueryEngine": "dovetail.core.query_engine",
}

__all__ = [
    "BaseQueryEngine",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
