"""LlamaIndex's ``llama_index.core.query_engine.custom`` import path.

Re-exports ``CustomQueryEngine`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.query_engine import CustomQueryEngine

_LAZY: dict[str, str] = {
    "CustomQueryEngine": "dovetail.core.query_engine",
}

__all__ = [
    "CustomQueryEngine",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
