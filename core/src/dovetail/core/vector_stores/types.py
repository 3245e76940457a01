"""LlamaIndex's ``llama_index.core.vector_stores.types`` import path.

Re-exports the store contract and every query/filter type of :mod:`dovetail.core.vector_stores._types`, so a
LlamaIndex import changes only its package prefix. Importing this module imports its package, which already
holds these names: there is nothing to load lazily.
"""

from dovetail.core.vector_stores import _types
from dovetail.core.vector_stores._base import BasePydanticVectorStore
from dovetail.core.vector_stores._types import *  # noqa: F403

__all__ = ["BasePydanticVectorStore"]
__all__ += _types.__all__
