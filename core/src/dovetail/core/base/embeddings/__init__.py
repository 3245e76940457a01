"""LlamaIndex's ``llama_index.core.base.embeddings`` package path (see ``.base``)."""
