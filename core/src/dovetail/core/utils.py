"""LlamaIndex's ``llama_index.core.utils`` import path.

Re-exports the global tokenizer helpers lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.tokenizers import get_tokenizer, set_global_tokenizer

_LAZY: dict[str, str] = {
    "get_tokenizer": "dovetail.core.tokenizers",
    "set_global_tokenizer": "dovetail.core.tokenizers",
}

__all__ = [
    "get_tokenizer",
    "set_global_tokenizer",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
