"""LlamaIndex's ``llama_index.core.bridge`` package path (see :mod:`dovetail.core.bridge.pydantic`)."""
