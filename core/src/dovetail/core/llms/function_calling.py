"""LlamaIndex's ``llama_index.core.llms.function_calling`` import path.

Re-exports ``FunctionCallingLLM`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import FunctionCallingLLM

_LAZY: dict[str, str] = {
    "FunctionCallingLLM": "dovetail.core.llms",
}

__all__ = [
    "FunctionCallingLLM",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
