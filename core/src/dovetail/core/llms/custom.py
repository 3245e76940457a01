"""LlamaIndex's ``llama_index.core.llms.custom`` import path.

Re-exports ``CustomLLM`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import CustomLLM

_LAZY: dict[str, str] = {
    "CustomLLM": "dovetail.core.llms",
}

__all__ = [
    "CustomLLM",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
