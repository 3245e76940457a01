"""LlamaIndex's ``llama_index.core.tools.types`` import path.

Re-exports tool base classes and types lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.tools import AsyncBaseTool, BaseTool, ToolMetadata, ToolOutput

_LAZY: dict[str, str] = {
    "AsyncBaseTool": "dovetail.core.tools",
    "BaseTool": "dovetail.core.tools",
    "ToolMetadata": "dovetail.core.tools",
    "ToolOutput": "dovetail.core.tools",
}

__all__ = [
    "AsyncBaseTool",
    "BaseTool",
    "ToolMetadata",
    "ToolOutput",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
