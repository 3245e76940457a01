"""LlamaIndex's ``llama_index.core.storage.docstore.simple_docstore`` import path.

Re-exports ``SimpleDocumentStore`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

# Type checkers read the names from the star import; ``__all__`` narrows it to the ones exported here.
# ruff: noqa: F403, F405
if TYPE_CHECKING:
    from dovetail.core.storage import *

__all__ = ["SimpleDocumentStore"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), "dovetail.core.storage")
