"""LlamaIndex's own ``indices/test_loading.py``, written again against dovetail's import path.

LlamaIndex's tests pass a ``service_context`` (removed from LlamaIndex too); here the same models come from
``Settings``, as LlamaIndex's migration guide says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.indices import SummaryIndex
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.indices import load_indices_from_storage
from dovetail.core.llms import MockLLM
from dovetail.core.query_engine import RetrieverQueryEngine
from dovetail.core.settings import Settings
from dovetail.core.storage import StorageContext

from ._ll import AxisEmbedding
from ._ll import LineSplitter
from ._ll import documents
from ._ll import nodes


@pytest.fixture(autouse=True)
def line_nodes_and_axis_vectors() -> None:
    Settings.transformations = [LineSplitter()]
    Settings.embed_model = AxisEmbedding()


def test_load_index_from_storage_simple(tmp_path: Path) -> None:
    storage_context = StorageContext.from_defaults()
    index = VectorStoreIndex.from_documents(documents=documents(), storage_context=storage_context)
    storage_context.persist(str(tmp_path))
    new_index = load_index_from_storage(storage_context=StorageContext.from_defaults(persist_dir=str(tmp_path)))
    assert index.index_id == new_index.index_id


def test_load_index_from_storage_multiple(tmp_path: Path) -> None:
    storage_context = StorageContext.from_defaults()
    given = nodes()
    storage_context.docstore.add_documents(given)
    vector_id = VectorStoreIndex(nodes=given, storage_context=storage_context).index_id
    list_id = SummaryIndex(nodes=given, storage_context=storage_context).index_id
    storage_context.persist(str(tmp_path))
    new_storage_context = StorageContext.from_defaults(persist_dir=str(tmp_path))

    with pytest.raises(ValueError, match="pass index_id"):
        load_index_from_storage(new_storage_context)

    index_ids = [index.index_id for index in load_indices_from_storage(storage_context)]
    assert len(index_ids) == 2
    assert {vector_id, list_id} == set(index_ids)

    loaded = load_indices_from_storage(new_storage_context, index_ids=[list_id, vector_id])
    assert [index.index_id for index in loaded] == [list_id, vector_id]
    assert isinstance(loaded[0], SummaryIndex)
    assert isinstance(loaded[1], VectorStoreIndex)


def test_load_indices_from_storage_names_a_missing_id() -> None:
    storage_context = StorageContext.from_defaults()
    VectorStoreIndex(nodes=nodes(), storage_context=storage_context)
    with pytest.raises(ValueError, match="'nope'"):
        load_indices_from_storage(storage_context, index_ids=["nope"])


def test_load_index_from_storage_retrieval_result_identical(tmp_path: Path) -> None:
    storage_context = StorageContext.from_defaults()
    index = VectorStoreIndex.from_documents(documents=documents(), storage_context=storage_context)
    found = index.as_retriever().retrieve("test query str")
    storage_context.persist(str(tmp_path))
    new_index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(tmp_path)))
    assert found
    assert new_index.as_retriever().retrieve("test query str") == found


def test_load_index_query_engine_uses_the_same_llm(tmp_path: Path) -> None:
    Settings.llm = MockLLM()
    storage_context = StorageContext.from_defaults()
    index = VectorStoreIndex.from_documents(documents=documents(), storage_context=storage_context)
    storage_context.persist(str(tmp_path))
    new_index = load_index_from_storage(storage_context=StorageContext.from_defaults(persist_dir=str(tmp_path)))
    query_engine = index.as_query_engine()
    new_query_engine = new_index.as_query_engine()
    assert isinstance(query_engine, RetrieverQueryEngine)
    assert isinstance(new_query_engine, RetrieverQueryEngine)
    assert str(new_query_engine.query("What is?")) == str(query_engine.query("What is?"))
