"""LlamaIndex's ``llama_index.core.types`` import path.

Re-exports ``BaseOutputParser`` and ``PydanticProgramMode`` lazily, so a LlamaIndex import changes only its
package prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.llms._programs import PydanticProgramMode
    from dovetail.core.output_parsers import BaseOutputParser

__all__ = ["BaseOutputParser", "PydanticProgramMode"]

_LAZY = {
    "BaseOutputParser": "dovetail.core.output_parsers",
    "PydanticProgramMode": "dovetail.core.llms._programs",
}

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
