"""LlamaIndex's ``llama_index.core.embeddings.utils`` import path.

Re-exports ``resolve_embed_model`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.settings import resolve_embed_model

_LAZY: dict[str, str] = {
    "resolve_embed_model": "dovetail.core.settings",
}

__all__ = [
    "resolve_embed_model",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
