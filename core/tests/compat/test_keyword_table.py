"""SimpleKeywordTableIndex and KeywordTableSimpleRetriever: keyword lookup without an LLM."""

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import SimpleKeywordTableIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.indices._keyword_table import simple_extract_keywords
from dovetail.core.retrievers import KeywordTableSimpleRetriever
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode


def nodes() -> list[TextNode]:
    return [
        TextNode(id_="a", text="Walnut is a dark hardwood. Walnut veneer is costly."),
        TextNode(id_="b", text="Pine is a softwood used for framing."),
        TextNode(id_="c", text="Dark stains suit pine and walnut alike."),
    ]


def test_extract_keywords_drops_stopwords_and_keeps_most_frequent() -> None:
    assert simple_extract_keywords("The walnut and the walnut veneer, a veneer of oak", 2) == {"walnut", "veneer"}
    assert "the" not in simple_extract_keywords("the the the oak")


def test_retriever_ranks_by_shared_keywords() -> None:
    index = SimpleKeywordTableIndex(nodes())
    hits = KeywordTableSimpleRetriever(index=index).retrieve("dark walnut")
    assert [h.node_id for h in hits][:2] in (["a", "c"], ["c", "a"])
    assert "b" not in {h.node_id for h in hits}
    assert hits[0].score == 2.0
    assert index.as_retriever(num_chunks_per_query=1).retrieve("pine framing")[0].node_id == "b"
    with pytest.raises(TypeError, match="num_chunks_per_query"):
        index.as_retriever(num_chunk_per_query=1)
    with pytest.raises(InvalidInputError):
        index.as_retriever(retriever_mode="llm")


def test_delete_and_reload() -> None:
    index = SimpleKeywordTableIndex.from_documents([Document(id_="d", text="Teak resists water. Teak is oily.")])
    assert index.as_retriever().retrieve("teak")
    again = load_index_from_storage(index.storage_context)
    assert isinstance(again, SimpleKeywordTableIndex)
    assert again.as_retriever().retrieve("teak")
    index.delete_ref_doc("d")
    assert index.as_retriever().retrieve("teak") == []
    assert "teak" not in index.table
