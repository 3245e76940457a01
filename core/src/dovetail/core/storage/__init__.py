"""Storage: where indices keep nodes, index records and vectors, and how they are persisted.

Everything is JSON (vectors: ``.npy``), versioned and written atomically; nothing is pickled.

Example:
    ```python
    from dovetail.core.storage import StorageContext

    storage = StorageContext.from_defaults(persist_dir="./index")   # load
    storage.persist("./index")                                      # save, all files or none
    ```
"""

from dovetail.core.storage._context import DEFAULT_PERSIST_DIR
from dovetail.core.storage._context import StorageContext
from dovetail.core.storage._docstore import RefDocInfo
from dovetail.core.storage._docstore import SimpleDocumentStore
from dovetail.core.storage._index_store import IndexDict
from dovetail.core.storage._index_store import IndexList
from dovetail.core.storage._index_store import IndexStruct
from dovetail.core.storage._index_store import KeywordTable
from dovetail.core.storage._index_store import SimpleIndexStore

__all__ = [
    "DEFAULT_PERSIST_DIR",
    "IndexDict",
    "IndexList",
    "IndexStruct",
    "KeywordTable",
    "RefDocInfo",
    "SimpleDocumentStore",
    "SimpleIndexStore",
    "StorageContext",
]
