"""Nodes and queries behave as LlamaIndex documents them: aliases, text forms, positional forms, JSON."""
# These tests call the API the way LlamaIndex users do (positional model fields, keyword dicts, wrong
# types on purpose) and check the runtime answer, which the type checker cannot see.
# mypy: disable-error-code="arg-type,misc,call-arg,assignment,comparison-overlap,attr-defined"

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import TextNode


def test_doc_id_sets_the_id() -> None:
    doc = Document(text="x", doc_id="1")
    assert doc.id_ == "1"
    assert doc.doc_id == "1"
    assert doc.node_id == "1"


def test_extra_info_sets_metadata() -> None:
    doc = Document(text="x", extra_info={"author": "ann"})
    node = TextNode(text="y", extra_info={"page": 2})
    assert doc.metadata == {"author": "ann"}
    assert node.metadata == {"page": 2}
    assert doc.extra_info is doc.metadata


def test_an_alias_and_its_field_together_are_refused() -> None:
    with pytest.raises(TypeError, match="doc_id"):
        Document(text="x", doc_id="1", id_="2")


def test_unknown_keyword_names_the_closest_valid_one() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'metdata'.*'metadata'"):
        TextNode(text="x", metdata={"a": 1})
    with pytest.raises(TypeError, match=r"'txt'.*'text'"):
        Document(txt="x")


def test_str_of_a_text_node_is_its_id_and_text() -> None:
    assert str(TextNode(text="hi", id_="n1")) == "Node ID: n1\nText: hi"
    assert str(Document(text="hello", doc_id="d1")) == "Doc ID: d1\nText: hello"


def test_str_truncates_long_text_and_wraps_it() -> None:
    text = "word " * 200
    shown = str(TextNode(text=text, id_="n"))
    lines = shown.splitlines()
    assert lines[0] == "Node ID: n"
    assert all(len(line) <= 70 for line in lines[1:])
    body = " ".join(lines[1:])
    assert body.startswith("Text: word word")
    assert body.endswith("...")
    assert len(body) < 380


def test_str_of_node_with_score() -> None:
    shown = str(NodeWithScore(node=TextNode(text="hi", id_="n1"), score=0.25))
    assert shown == "Node ID: n1\nText: hi\nScore:  0.250\n"


def test_query_bundle_and_its_positional_fields() -> None:
    bundle = QueryBundle("what?", None, ["custom"])
    assert bundle.query_str == "what?"
    assert bundle.embedding_strs == ["custom"]
    with pytest.raises(TypeError, match="positional"):
        QueryBundle("a", None, None, None, "too many")
    with pytest.raises(TypeError, match="multiple values"):
        QueryBundle("a", query_str="b")


def test_json_round_trip_keeps_class_and_fields() -> None:
    doc = Document(text="x", doc_id="d", metadata={"k": [1, 2]}, embedding=[0.5, 0.25])
    again = Document.from_json(doc.to_json(include_embedding=True))
    assert isinstance(again, Document)
    assert (again.id_, again.text, again.metadata, again.embedding) == ("d", "x", {"k": [1, 2]}, [0.5, 0.25])
    assert isinstance(BaseNode.from_dict(TextNode(text="t").to_dict()), TextNode)


def test_from_dict_on_the_wrong_class_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="Document"):
        Document.from_dict(TextNode(text="t").to_dict())
    with pytest.raises(InvalidInputError):
        TextNode.from_json("[1, 2]")


def test_get_embedding_and_get_text() -> None:
    node = TextNode(text="hi", metadata={"a": "b"})
    with pytest.raises(InvalidInputError, match="no embedding"):
        node.get_embedding()
    with pytest.raises(ValueError):  # LlamaIndex raises ValueError; InvalidInputError is one
        node.get_embedding()
    node.embedding = [1.0, 2.0]
    scored = NodeWithScore(node=node, score=1.0)
    assert scored.get_embedding() == [1.0, 2.0]
    assert scored.get_text() == "hi"


def test_document_example_is_a_usable_document() -> None:
    doc = Document.example()
    assert isinstance(doc, Document)
    assert doc.text
    assert doc.metadata


def test_metadata_seperator_spelling_is_an_alias() -> None:
    node = TextNode(text="t", metadata={"a": 1, "b": 2}, metadata_seperator=" | ")
    assert node.metadata_separator == " | "
    assert node.get_metadata_str() == "a: 1 | b: 2"


def test_node_with_score_passes_the_embedding_through() -> None:
    scored = NodeWithScore(node=TextNode(text="t", embedding=[0.5]), score=None)
    assert scored.embedding == [0.5]
