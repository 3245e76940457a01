"""LlamaIndex's ``llama_index.core.data_structs`` import path.

Re-exports ``IndexDict``, ``IndexList``, ``IndexStruct``, ``KeywordTable`` lazily, so a LlamaIndex import changes
only its package prefix.
LlamaIndex's tree, graph and SQL records (``IndexGraph``, ``KG``, ``StructDatapoint``, ...) belong to indices dovetail
does not offer.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.storage import *

__all__ = ["IndexDict", "IndexList", "IndexStruct", "KeywordTable"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.storage")
