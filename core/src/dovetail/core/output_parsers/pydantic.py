"""LlamaIndex's ``llama_index.core.output_parsers.pydantic`` import path.

Re-exports ``PydanticOutputParser`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.output_parsers import PydanticOutputParser

_LAZY: dict[str, str] = {
    "PydanticOutputParser": "dovetail.core.output_parsers",
}

__all__ = [
    "PydanticOutputParser",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
