"""The module paths LlamaIndex's own index and storage tests import from exist under ``dovetail.core``."""

from __future__ import annotations

import importlib

import pytest

# (LlamaIndex module path without the ``llama_index.core.`` prefix, names LlamaIndex's tests import from it)
PATHS = [
    ("indices.loading", ["load_index_from_storage", "load_indices_from_storage"]),
    ("indices.vector_store", ["VectorStoreIndex", "VectorIndexRetriever"]),
    ("indices.vector_store.base", ["VectorStoreIndex"]),
    ("indices.vector_store.retrievers", ["VectorIndexRetriever"]),
    ("indices.vector_store.retrievers.retriever", ["VectorIndexRetriever"]),
    ("indices.list", ["SummaryIndex", "ListRetrieverMode"]),
    ("indices.list.base", ["SummaryIndex", "ListRetrieverMode"]),
    ("indices.list.retrievers", ["SummaryIndexEmbeddingRetriever", "SummaryIndexRetriever"]),
    ("indices.keyword_table", ["SimpleKeywordTableIndex"]),
    ("indices.keyword_table.simple_base", ["SimpleKeywordTableIndex"]),
    ("indices.keyword_table.retrievers", ["KeywordTableSimpleRetriever"]),
    ("indices.keyword_table.utils", ["extract_keywords_given_response", "simple_extract_keywords"]),
    ("indices.utils", ["expand_tokens_with_subtokens", "default_parse_choice_select_answer_fn"]),
    ("indices.query.embedding_utils", ["get_top_k_embeddings", "get_top_k_mmr_embeddings"]),
    ("indices.query.schema", ["QueryBundle", "QueryType"]),
    ("storage.docstore", ["SimpleDocumentStore"]),
    ("storage.docstore.simple_docstore", ["SimpleDocumentStore"]),
    ("storage.index_store.simple_index_store", ["SimpleIndexStore"]),
    ("storage.storage_context", ["StorageContext"]),
    ("data_structs", ["IndexDict", "IndexList", "KeywordTable", "IndexStruct"]),
    ("data_structs.data_structs", ["IndexDict", "IndexList", "KeywordTable"]),
]

CANONICAL = {
    "VectorIndexRetriever": "dovetail.core.retrievers",
    "SummaryIndexRetriever": "dovetail.core.retrievers",
    "SummaryIndexEmbeddingRetriever": "dovetail.core.retrievers",
    "KeywordTableSimpleRetriever": "dovetail.core.retrievers",
    "IndexDict": "dovetail.core.storage",
    "IndexList": "dovetail.core.storage",
    "KeywordTable": "dovetail.core.storage",
    "IndexStruct": "dovetail.core.storage",
    "SimpleDocumentStore": "dovetail.core.storage",
    "SimpleIndexStore": "dovetail.core.storage",
    "StorageContext": "dovetail.core.storage",
    "get_top_k_embeddings": "dovetail.core.indices.query",
    "get_top_k_mmr_embeddings": "dovetail.core.indices.query",
    "QueryBundle": "dovetail.core.schema",
    "QueryType": "dovetail.core.retrievers",
}


@pytest.mark.parametrize(("path", "names"), PATHS)
def test_llamaindex_module_path_gives_the_same_objects(path: str, names: list[str]) -> None:
    module = importlib.import_module(f"dovetail.core.{path}")
    for name in names:
        assert name in module.__all__
        home = importlib.import_module(CANONICAL.get(name, "dovetail.core.indices"))
        if hasattr(home, name):
            assert getattr(module, name) is getattr(home, name)
        else:
            assert callable(getattr(module, name))
