"""dovetail embeddings for OpenAI and OpenAI-compatible servers, on the official ``openai`` SDK.

The SDK is imported on the first request, so ``import dovetail.embeddings.openai`` stays cheap.

Example:
    ```python
    from dovetail.embeddings.openai import OpenAIEmbedding

    embed = OpenAIEmbedding(model="text-embedding-3-small")
    vector = embed.get_query_embedding("What is a dovetail joint?")
    ```
"""

from dovetail.embeddings.openai.base import OpenAIEmbedding

__all__ = ["OpenAIEmbedding"]
