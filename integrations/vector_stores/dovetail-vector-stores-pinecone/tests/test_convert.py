"""Nodes to Pinecone records and back, metadata policy and request batching (pure, no server)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.vector_stores.pinecone._convert import MAX_BATCH_BYTES
from dovetail.vector_stores.pinecone._convert import MAX_METADATA_BYTES
from dovetail.vector_stores.pinecone._convert import batches
from dovetail.vector_stores.pinecone._convert import check_vector
from dovetail.vector_stores.pinecone._convert import node_to_record
from dovetail.vector_stores.pinecone._convert import record_to_node


def _node(metadata: dict[str, Any] | None = None, **kwargs: Any) -> TextNode:
    return TextNode(
        id_=kwargs.pop("id_", "n1"),
        text=kwargs.pop("text", "oak joints"),
        embedding=kwargs.pop("embedding", [0.1, 0.2, 0.3]),
        metadata=metadata or {},
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id="doc-1")},
        **kwargs,
    )


def test_record_layout() -> None:
    record = node_to_record(_node({"color": "red", "year": 2020}), text_key="text", dimension=3)
    md = record["metadata"]
    assert record["id"] == "n1"
    assert record["values"] == [0.1, 0.2, 0.3]
    assert md["color"] == "red"
    assert md["year"] == 2020
    assert md["text"] == "oak joints"
    assert md["ref_doc_id"] == md["doc_id"] == md["document_id"] == "doc-1"
    assert md["_node_type"] == "TextNode"
    content = json.loads(md["_node_content"])
    assert "text" not in content
    assert "embedding" not in content


def test_round_trip_keeps_none_and_empty_lists() -> None:
    node = _node({"color": "red", "note": None, "tags": [], "labels": ["a", "b"], "score": 0.5, "ok": True})
    record = node_to_record(node, text_key="body", dimension=None)
    md = record["metadata"]
    assert "note" not in md
    assert "tags" not in md  # not filterable, but kept in the node
    assert md["labels"] == ["a", "b"]
    back = record_to_node("n1", md, text_key="body", values=[0.1, 0.2, 0.3])
    assert isinstance(back, TextNode)
    assert back.text == "oak joints"
    assert back.metadata == node.metadata
    assert back.ref_doc_id == "doc-1"
    assert back.embedding == [0.1, 0.2, 0.3]


def test_document_class_survives() -> None:
    doc = Document(id_="d1", text="whole", embedding=[1.0, 0.0], metadata={"k": "v"})
    back = record_to_node("d1", node_to_record(doc, text_key="text", dimension=2)["metadata"], text_key="text")
    assert type(back) is Document
    assert back.text == "whole"


def test_foreign_record_becomes_text_node() -> None:
    back = record_to_node("x", {"text": "hello", "lang": "en"}, text_key="text")
    assert isinstance(back, TextNode)
    assert back.text == "hello"
    assert back.metadata == {"lang": "en"}


def test_malformed_node_content() -> None:
    with pytest.raises(InvalidInputError, match="malformed"):
        record_to_node("x", {"_node_content": "{not json"}, text_key="text")


BAD_METADATA: list[tuple[str, dict[str, Any], str]] = [
    ("nested", {"author": {"name": "x"}}, "'author' is a dict"),
    ("int-list", {"years": [1, 2]}, "'years' is a list holding non-strings"),
    ("nan", {"score": float("nan")}, "'score' is nan"),
    ("inf", {"score": float("inf")}, "finite numbers only"),
    ("bytes", {"blob": b"x"}, "'blob' is a bytes"),
    ("reserved-text", {"text": "x"}, "'text' is reserved"),
    ("reserved-content", {"_node_content": "x"}, "reserved"),
    ("clash-ref-doc", {"ref_doc_id": "other"}, "clashes with the node's source document id"),
]


@pytest.mark.parametrize(("metadata", "message"), [b[1:] for b in BAD_METADATA], ids=[b[0] for b in BAD_METADATA])
def test_bad_metadata_is_rejected(metadata: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        node_to_record(_node(metadata), text_key="text", dimension=3)


def test_same_ref_doc_in_metadata_is_fine() -> None:
    record = node_to_record(_node({"doc_id": "doc-1"}), text_key="text", dimension=3)
    assert record["metadata"]["doc_id"] == "doc-1"


def test_metadata_over_40kb_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match=str(MAX_METADATA_BYTES)):
        node_to_record(_node(text="x" * (MAX_METADATA_BYTES + 1)), text_key="text", dimension=3)


BAD_VECTORS: list[tuple[str, Any, int | None, str]] = [
    ("missing", None, 3, "has no embedding"),
    ("empty", [], None, "empty embedding"),
    ("short", [0.1, 0.2], 3, "has 2 dimensions, the index expects 3"),
    ("nan", [0.1, float("nan"), 0.3], 3, "finite numbers"),
    ("inf", [float("-inf"), 0.1, 0.3], 3, "finite numbers"),
    ("string-item", [0.1, "x", 0.3], 3, "finite numbers"),
    ("bool-item-in-overflow", [1e308, 1e308, True], 3, "finite numbers"),
    ("string", "abc", 3, "list of floats"),
]


@pytest.mark.parametrize(
    ("values", "dimension", "message"), [b[1:] for b in BAD_VECTORS], ids=[b[0] for b in BAD_VECTORS]
)
def test_bad_vectors(values: Any, dimension: int | None, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        check_vector("n", values, dimension)


def test_huge_but_finite_values_pass() -> None:
    assert check_vector("n", [1e308, 1e308], 2) == [1e308, 1e308]  # the sum overflows; items are fine
    assert check_vector("n", (1.0, 2.0), 2) == [1.0, 2.0]


def _records(n: int, dim: int, meta: int = 0) -> list[dict[str, Any]]:
    return [{"id": f"id{i}", "values": [0.0] * dim, "metadata": {}, "_size": meta} for i in range(n)]


def test_batches_by_count() -> None:
    sizes = [len(b) for b in batches(_records(250, 4), 100)]
    assert sizes == [100, 100, 50]


def test_batches_by_bytes() -> None:
    # 3072-d vectors are ~77 KB each in JSON: a 2 MB request holds ~26 of them whatever batch_size says.
    out = list(batches(_records(100, 3072, meta=500), 1000))
    assert sum(len(b) for b in out) == 100
    assert len(out) > 3
    for batch in out:
        estimate = sum(64 + len(r["id"]) + 25 * 3072 + 500 for r in batch)
        assert estimate <= MAX_BATCH_BYTES
        # the estimate is an upper bound of what the SDK sends
        assert len(json.dumps({"vectors": batch})) < MAX_BATCH_BYTES
    assert all("_size" not in r for b in out for r in b)
