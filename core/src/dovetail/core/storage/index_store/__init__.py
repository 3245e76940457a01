"""Index stores (LlamaIndex import path ``...storage.index_store``)."""

from dovetail.core.storage._index_store import IndexDict
from dovetail.core.storage._index_store import IndexList
from dovetail.core.storage._index_store import IndexStruct
from dovetail.core.storage._index_store import KeywordTable
from dovetail.core.storage._index_store import SimpleIndexStore

__all__ = ["IndexDict", "IndexList", "IndexStruct", "KeywordTable", "SimpleIndexStore"]
