"""LlamaIndex's ``llama_index.core.base.response`` package path (see ``.schema``)."""
