"""LlamaIndex's ``llama_index.core.types`` import path.

Re-exports ``BaseOutputParser`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.output_parsers import BaseOutputParser

_LAZY: dict[str, str] = {
    "BaseOutputParser": "dovetail.core.output_parsers",
}

__all__ = [
    "BaseOutputParser",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
