"""dovetail embeddings for models served by Ollama, on the official ``ollama`` SDK (batched ``/api/embed``).

Example:
    ```python
    from dovetail.embeddings.ollama import OllamaEmbedding

    embed = OllamaEmbedding(model_name="nomic-embed-text")
    vectors = embed.get_text_embedding_batch(["a dovetail joint", "a mortise"])
    ```
"""

from dovetail.embeddings.ollama.base import OllamaEmbedding

__all__ = ["OllamaEmbedding"]
