"""LlamaIndex's ``llama_index.core.storage.storage_context`` import path.

Re-exports ``StorageContext`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.storage import StorageContext

_LAZY: dict[str, str] = {
    "StorageContext": "dovetail.core.storage",
}

__all__ = [
    "StorageContext",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
