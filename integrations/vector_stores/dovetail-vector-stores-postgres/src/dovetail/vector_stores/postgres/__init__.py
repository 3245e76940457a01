"""dovetail vector store on PostgreSQL with pgvector: ``PGVectorStore`` (psycopg 3, sync and asyncio).

Nothing connects until the store's first call; connection pools open lazily.

Example:
    ```python
    from dovetail.vector_stores.postgres import PGVectorStore

    store = PGVectorStore.from_params(host="localhost", database="rag", user="app", table_name="docs")
    store.add(nodes)
    ```
"""

from dovetail.vector_stores.postgres.base import PGVectorStore

__all__ = ["PGVectorStore"]
