"""dovetail vector store on Pinecone: ``PineconeVectorStore`` (pinecone SDK 10.x, sync and asyncio).

Importing this package does not import the pinecone SDK; it loads on the store's first call.

Example:
    ```python
    from dovetail.vector_stores.pinecone import PineconeVectorStore

    store = PineconeVectorStore(index_name="docs")  # api key: api_key=, dovetail.toml or PINECONE_API_KEY
    store.add(nodes)
    ```
"""

from dovetail.vector_stores.pinecone.base import PineconeVectorStore

__all__ = ["PineconeVectorStore"]
