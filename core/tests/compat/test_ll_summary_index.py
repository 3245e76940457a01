"""LlamaIndex's own ``indices/list`` tests (``test_index.py``, ``test_retrievers.py``), written again against
dovetail's import path.

LlamaIndex's embedding-retriever test patches a private method to choose the vectors; here an embedding model
(``AxisEmbedding``) gives the same vectors. Its LLM-retriever test patches ``MockLLM.predict``; dovetail offers
no LLM retriever mode for the summary index and says so (see docs/MIGRATING.md).
"""

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import ListRetrieverMode
from dovetail.core.indices import SummaryIndex
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.schema import Document
from dovetail.core.settings import Settings

from ._ll import LINES
from ._ll import AxisEmbedding
from ._ll import LineSplitter
from ._ll import documents


@pytest.fixture(autouse=True)
def line_nodes_and_axis_vectors() -> None:
    Settings.transformations = [LineSplitter()]
    Settings.embed_model = AxisEmbedding()


def contents(index: SummaryIndex) -> list[str]:
    return [node.get_content() for node in index.docstore.get_nodes(index.index_struct.nodes)]


# ------------------------------------------------------------------ test_index.py
def test_build_list() -> None:
    summary_index = SummaryIndex.from_documents(documents())
    assert len(summary_index.index_struct.nodes) == 4
    assert contents(summary_index) == LINES


def test_refresh_list() -> None:
    more_documents = [*documents(), Document(text="Test document 2")]
    for i, doc in enumerate(more_documents):
        doc.doc_id = str(i)
    summary_index = SummaryIndex.from_documents(more_documents)
    assert summary_index.refresh_ref_docs(more_documents) == [False, False]

    more_documents = [*documents(), Document(text="Test document 2, now with changes!")]
    for i, doc in enumerate(more_documents):
        doc.doc_id = str(i)
    assert summary_index.refresh_ref_docs(more_documents) == [False, True]
    last = summary_index.docstore.get_node(summary_index.index_struct.nodes[-1])
    assert last.get_content() == "Test document 2, now with changes!"


def test_build_list_multiple() -> None:
    docs = [Document(text="Hello world.\nThis is a test."), Document(text="This is another test.\nThis is a test v2.")]
    summary_index = SummaryIndex.from_documents(docs)
    assert len(summary_index.index_struct.nodes) == 4
    assert contents(summary_index) == LINES


def test_list_insert() -> None:
    summary_index = SummaryIndex([])
    assert len(summary_index.index_struct.nodes) == 0
    summary_index.insert(documents()[0])
    assert contents(summary_index) == LINES

    document = documents()[0]
    document.doc_id = "test_id"
    summary_index = SummaryIndex([])
    summary_index.insert(document)
    found = summary_index.docstore.get_nodes(summary_index.index_struct.nodes)
    assert found
    assert all(node.ref_doc_id == "test_id" for node in found)


def test_list_delete() -> None:
    new_documents = [
        Document(text="Hello world.\nThis is a test.", id_="test_id_1"),
        Document(text="This is another test.", id_="test_id_2"),
        Document(text="This is a test v2.", id_="test_id_3"),
    ]
    summary_index = SummaryIndex.from_documents(new_documents)
    assert list(summary_index.ref_doc_info) == [doc.doc_id for doc in new_documents]

    summary_index.delete_ref_doc("test_id_1")
    assert len(summary_index.index_struct.nodes) == 2
    found = summary_index.docstore.get_nodes(summary_index.index_struct.nodes)
    assert [(n.ref_doc_id, n.get_content()) for n in found] == [
        ("test_id_2", "This is another test."),
        ("test_id_3", "This is a test v2."),
    ]
    assert summary_index.docstore.get_document("test_id_1", raise_error=False) is None

    summary_index = SummaryIndex.from_documents(new_documents)
    summary_index.delete_ref_doc("test_id_2")
    assert len(summary_index.index_struct.nodes) == 3
    found = summary_index.docstore.get_nodes(summary_index.index_struct.nodes)
    assert [(n.ref_doc_id, n.get_content()) for n in found] == [
        ("test_id_1", "Hello world."),
        ("test_id_1", "This is a test."),
        ("test_id_3", "This is a test v2."),
    ]


def test_as_retriever() -> None:
    summary_index = SummaryIndex.from_documents(documents())
    assert isinstance(summary_index.as_retriever(retriever_mode=ListRetrieverMode.DEFAULT), BaseRetriever)
    assert isinstance(summary_index.as_retriever(retriever_mode=ListRetrieverMode.EMBEDDING), BaseRetriever)


# ------------------------------------------------------------------ test_retrievers.py
def test_retrieve_default() -> None:
    docs = documents()
    index = SummaryIndex.from_documents(docs)
    found = index.as_retriever(retriever_mode="default").retrieve("What is?")
    assert [hit.node.get_content() for hit in found] == docs[0].get_content().split("\n")


def test_embedding_query() -> None:
    Settings.embed_model = AxisEmbedding(query_axis=0)
    index = SummaryIndex.from_documents(documents())
    found = index.as_retriever(retriever_mode="embedding", similarity_top_k=1).retrieve("What is?")
    assert len(found) == 1
    assert found[0].node.get_content() == "Hello world."


def test_llm_query_mode_is_refused_with_what_to_do() -> None:
    index = SummaryIndex.from_documents(documents())
    with pytest.raises(InvalidInputError, match="'default' or 'embedding'"):
        index.as_retriever(retriever_mode=ListRetrieverMode.LLM)
    with pytest.raises(InvalidInputError, match="'default' or 'embedding'"):
        index.as_retriever(retriever_mode="llm", choice_batch_size=2)
