"""Document stores (LlamaIndex import path ``...storage.docstore``)."""

from dovetail.core.storage._docstore import RefDocInfo, SimpleDocumentStore

__all__ = ["RefDocInfo", "SimpleDocumentStore"]
