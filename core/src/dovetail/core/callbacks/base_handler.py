"""LlamaIndex's ``llama_index.core.callbacks.base_handler`` import path.

Re-exports ``BaseCallbackHandler`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.callbacks import BaseCallbackHandler

_LAZY: dict[str, str] = {
    "BaseCallbackHandler": "dovetail.core.callbacks",
}

__all__ = [
    "BaseCallbackHandler",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
