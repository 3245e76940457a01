"""LlamaIndex's ``llama_index.core.bridge.pydantic`` import path.

Re-exports the pydantic names custom components use lazily, so a LlamaIndex import changes only its package prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from pydantic import *

__all__ = [
    "BaseModel",
    "ConfigDict",
    "Field",
    "PrivateAttr",
    "SecretStr",
    "ValidationError",
    "field_serializer",
    "field_validator",
    "model_serializer",
    "model_validator",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "pydantic")
