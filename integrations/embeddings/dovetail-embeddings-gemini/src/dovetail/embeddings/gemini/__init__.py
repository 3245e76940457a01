"""dovetail embeddings for Google Gemini, on the official ``google-genai`` SDK (batched ``batchEmbedContents``).

Example:
    ```python
    from dovetail.embeddings.gemini import GoogleGenAIEmbedding

    embed = GoogleGenAIEmbedding(model_name="gemini-embedding-001")
    vector = embed.get_query_embedding("what is a dovetail joint?")
    ```
"""

from dovetail.embeddings.gemini.base import GoogleGenAIEmbedding

__all__ = ["GoogleGenAIEmbedding"]
