"""Indices: :class:`VectorStoreIndex`, :class:`SummaryIndex`, :class:`SimpleKeywordTableIndex` and
:func:`load_index_from_storage`.

Example:
    ```python
    from dovetail.core.indices import VectorStoreIndex, load_index_from_storage
    from dovetail.core.storage import StorageContext

    index = VectorStoreIndex.from_documents(docs)
    index.storage_context.persist("./index")
    index = load_index_from_storage(StorageContext.from_defaults(persist_dir="./index"))
    ```
"""

from dovetail.core.indices._keyword_table import KeywordTableSimpleRetriever
from dovetail.core.indices._keyword_table import SimpleKeywordTableIndex
from dovetail.core.indices._loading import load_index_from_storage
from dovetail.core.indices._loading import load_indices_from_storage
from dovetail.core.indices._summary_index import ListRetrieverMode
from dovetail.core.indices._summary_index import SummaryIndex
from dovetail.core.indices._summary_retrievers import SummaryIndexEmbeddingRetriever
from dovetail.core.indices._summary_retrievers import SummaryIndexRetriever
from dovetail.core.indices._vector_store_index import VectorStoreIndex

__all__ = [
    "KeywordTableSimpleRetriever",
    "ListRetrieverMode",
    "SimpleKeywordTableIndex",
    "SummaryIndex",
    "SummaryIndexEmbeddingRetriever",
    "SummaryIndexRetriever",
    "VectorStoreIndex",
    "load_index_from_storage",
    "load_indices_from_storage",
]
