"""LlamaIndex's ``llama_index.core.base.llms`` package path (see :mod:`dovetail.core.base.llms.types`)."""
