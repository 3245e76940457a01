"""LlamaIndex's ``llama_index.core.callbacks.base`` import path.

Re-exports ``CallbackManager`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager

_LAZY: dict[str, str] = {
    "CallbackManager": "dovetail.core.callbacks",
}

__all__ = [
    "CallbackManager",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
