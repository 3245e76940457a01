"""LlamaIndex's ``llama_index.core.indices.vector_store.base`` import path.

Re-exports ``VectorStoreIndex`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.indices import *

__all__ = ["VectorStoreIndex"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.indices")
