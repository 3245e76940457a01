"""LlamaIndex's ``llama_index.core.tools.calling`` import path.

Re-exports the tool-call helpers lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.tools import acall_tool_with_selection, call_tool_with_selection

_LAZY: dict[str, str] = {
    "acall_tool_with_selection": "dovetail.core.tools",
    "call_tool_with_selection": "dovetail.core.tools",
}

__all__ = [
    "acall_tool_with_selection",
    "call_tool_with_selection",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
