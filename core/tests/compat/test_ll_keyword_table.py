"""LlamaIndex's own ``indices/keyword_table`` tests (``test_base.py``, ``test_retrievers.py``), written again
against dovetail's import path.

LlamaIndex's tests patch its module-level ``simple_extract_keywords`` so that stopwords stay in the table; that
reaches into a private call site, so here the index runs with its real extractor and the expected keywords are
those of LlamaIndex's unpatched extractor (stopwords such as "this", "is", "a" dropped).
"""
# LlamaIndex users write QueryBundle("...") positionally; the runtime takes it, the type checker cannot see it.
# mypy: disable-error-code="misc"

from __future__ import annotations

import pytest
from dovetail.core.indices import SimpleKeywordTableIndex
from dovetail.core.llms import MockLLM
from dovetail.core.schema import Document
from dovetail.core.schema import QueryBundle
from dovetail.core.settings import Settings

from ._ll import LINES
from ._ll import LineSplitter
from ._ll import documents

KEYWORDS = {"hello", "world", "test", "another", "v2"}


@pytest.fixture(autouse=True)
def line_nodes() -> None:
    Settings.transformations = [LineSplitter()]


def chunks(table: SimpleKeywordTableIndex) -> set[str]:
    return {n.get_content() for n in table.docstore.get_nodes(list(table.index_struct.node_ids))}


def test_empty_index_has_no_node_ids() -> None:
    assert SimpleKeywordTableIndex([]).index_struct.node_ids == set()


def test_llm_keyword_is_refused() -> None:
    # LlamaIndex's simple keyword table takes an llm it never calls; dovetail refuses what it would ignore
    with pytest.raises(TypeError, match=r"without an LLM.*drop llm="):
        SimpleKeywordTableIndex([], llm=MockLLM())  # type: ignore[call-arg]


def test_build_table() -> None:
    table = SimpleKeywordTableIndex.from_documents(documents())
    assert chunks(table) == set(LINES)
    assert table.index_struct.table.keys() == KEYWORDS


def test_build_table_use_async_is_refused() -> None:
    with pytest.raises(TypeError, match=r"use_async=: .*await index\.ainsert\(document\)"):
        SimpleKeywordTableIndex.from_documents(documents(), use_async=True)  # type: ignore[call-arg]


def test_insert() -> None:
    table = SimpleKeywordTableIndex([])
    assert len(table.index_struct.table.keys()) == 0
    table.insert(documents()[0])
    assert chunks(table) == set(LINES)
    assert table.index_struct.table.keys() == KEYWORDS

    table = SimpleKeywordTableIndex([])
    table.insert(Document(text="This hello", id_="test_id1"))
    table.insert(Document(text="test v3", id_="test_id2"))
    ids = [next(iter(table.index_struct.table[word])) for word in ("hello", "test", "v3")]
    assert [node.ref_doc_id for node in table.docstore.get_nodes(ids)] == ["test_id1", "test_id2", "test_id2"]


def test_delete() -> None:
    new_documents = [
        Document(text="Hello world.\nThis is a test.", id_="test_id_1"),
        Document(text="This is another test.", id_="test_id_2"),
        Document(text="This is a test v2.", id_="test_id_3"),
    ]
    table = SimpleKeywordTableIndex.from_documents(new_documents)
    table.delete_ref_doc("test_id_1")
    assert table.index_struct.table.keys() == {"another", "test", "v2"}
    assert len(table.index_struct.table["test"]) == 2
    assert chunks(table) == {"This is another test.", "This is a test v2."}

    table = SimpleKeywordTableIndex.from_documents(new_documents)
    assert set(table.ref_doc_info) == {"test_id_1", "test_id_2", "test_id_3"}
    table.delete_ref_doc("test_id_2")
    assert table.index_struct.table.keys() == {"hello", "world", "test", "v2"}
    assert len(table.index_struct.table["test"]) == 2
    assert chunks(table) == {"Hello world.", "This is a test.", "This is a test v2."}


def test_retrieve() -> None:
    table = SimpleKeywordTableIndex.from_documents(documents())
    found = table.as_retriever(retriever_mode="simple").retrieve(QueryBundle("Hello"))
    assert len(found) == 1
    assert found[0].node.get_content() == "Hello world."
