"""LlamaIndex's ``llama_index.core.prompts.base`` import path.

Re-exports the prompt templates lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.prompts import BasePromptTemplate, ChatPromptTemplate, PromptTemplate

_LAZY: dict[str, str] = {
    "BasePromptTemplate": "dovetail.core.prompts",
    "ChatPromptTemplate": "dovetail.core.prompts",
    "PromptTemplate": "dovetail.core.prompts",
}

__all__ = [
    "BasePromptTemplate",
    "ChatPromptTemplate",
    "PromptTemplate",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
