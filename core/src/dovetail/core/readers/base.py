"""LlamaIndex's ``llama_index.core.readers.base`` import path.

Re-exports ``BaseReader`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.readers import BaseReader

_LAZY: dict[str, str] = {
    "BaseReader": "dovetail.core.readers",
}

__all__ = [
    "BaseReader",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
