"""LlamaIndex's ``llama_index.core.llms.callbacks`` import path.

Re-exports the LLM call decorators lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms import llm_chat_callback, llm_completion_callback

_LAZY: dict[str, str] = {
    "llm_chat_callback": "dovetail.core.llms",
    "llm_completion_callback": "dovetail.core.llms",
}

__all__ = [
    "llm_chat_callback",
    "llm_completion_callback",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
