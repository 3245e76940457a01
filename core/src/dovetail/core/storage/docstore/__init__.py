"""Document stores (LlamaIndex import path ``...storage.docstore``)."""

from dovetail.core.storage._docstore import RefDocInfo
from dovetail.core.storage._docstore import SimpleDocumentStore

__all__ = ["RefDocInfo", "SimpleDocumentStore"]
