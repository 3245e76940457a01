"""LlamaIndex's ``llama_index.core.llms.llm`` import path.

Re-exports the LLM base class lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import LLM

_LAZY: dict[str, str] = {
    "LLM": "dovetail.core.llms",
}

__all__ = [
    "LLM",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
