"""LlamaIndex's ``llama_index.core.tools.retriever_tool`` import path.

Re-exports ``RetrieverTool`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.tools import RetrieverTool

_LAZY: dict[str, str] = {
    "RetrieverTool": "dovetail.core.tools",
}

__all__ = [
    "RetrieverTool",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
