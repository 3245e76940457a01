"""dovetail BM25 retriever: keyword search over nodes with ``bm25s``, for exact terms dense search misses.

Example:
    ```python
    from dovetail.retrievers.bm25 import BM25Retriever

    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=5)
    bm25.retrieve("ERR_42")
    ```
"""

from dovetail.retrievers.bm25.base import BM25Retriever

__all__ = ["BM25Retriever"]
