"""LlamaIndex's ``llama_index.core.bridge.pydantic`` import path.

Re-exports the pydantic names custom components use lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from pydantic import (
        BaseModel,
        ConfigDict,
        Field,
        PrivateAttr,
        SecretStr,
        ValidationError,
        field_serializer,
        field_validator,
        model_serializer,
        model_validator,
    )

_LAZY: dict[str, str] = {
    "BaseModel": "pydantic",
    "ConfigDict": "pydantic",
    "Field": "pydantic",
    "PrivateAttr": "pydantic",
    "SecretStr": "pydantic",
    "ValidationError": "pydantic",
    "field_serializer": "pydantic",
    "field_validator": "pydantic",
    "model_serializer": "pydantic",
    "model_validator": "pydantic",
}

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

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
