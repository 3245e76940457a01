"""LlamaIndex's ``llama_index.core.indices.vector_store`` import path.

Re-exports ``VectorStoreIndex`` and ``VectorIndexRetriever`` lazily, so a LlamaIndex import changes only its
package prefix. LlamaIndex's ``VectorIndexAutoRetriever`` is not offered.
"""

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.indices import VectorStoreIndex
    from dovetail.core.retrievers import VectorIndexRetriever

__all__ = ["VectorIndexRetriever", "VectorStoreIndex"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    globals(),
    {"VectorStoreIndex": "dovetail.core.indices", "VectorIndexRetriever": "dovetail.core.retrievers"},
)
