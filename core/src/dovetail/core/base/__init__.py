"""LlamaIndex's ``llama_index.core.base`` package path: modules that re-export dovetail's base classes."""
