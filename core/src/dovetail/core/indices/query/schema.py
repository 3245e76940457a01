"""LlamaIndex's ``llama_index.core.indices.query.schema`` import path: ``QueryBundle`` and ``QueryType``."""

from dovetail.core.retrievers import QueryType
from dovetail.core.schema import QueryBundle

__all__ = ["QueryBundle", "QueryType"]
