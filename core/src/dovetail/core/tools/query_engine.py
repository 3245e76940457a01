"""LlamaIndex's ``llama_index.core.tools.query_engine`` import path.

Re-exports ``QueryEngineTool`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.tools import QueryEngineTool

_LAZY: dict[str, str] = {
    "QueryEngineTool": "dovetail.core.tools",
}

__all__ = [
    "QueryEngineTool",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
