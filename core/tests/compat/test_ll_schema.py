"""LlamaIndex's own schema tests (``schema/test_base_node.py``, ``schema/test_schema.py``) and
``indices/query/test_query_bundle.py``, written again against dovetail's import path.

Not repeated: LlamaIndex's exact hash values (dovetail hashes content and metadata its own way), tests of
``MediaResource``/``text_resource``/``ImageDocument``/``Node`` (dovetail's nodes keep text and image fields
directly), a ``TRUNCATE_LENGTH`` patch, and asserts on LlamaIndex's warning texts. Where LlamaIndex raises a
``ValueError`` with its own wording, dovetail raises ``InvalidInputError`` (a ``ValueError``) with its own.
"""

from __future__ import annotations

import pytest
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.indices import SummaryIndex
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import ImageNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import ObjectType
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.settings import Settings

from ._ll import LineSplitter


class MyNode(BaseNode):
    @classmethod
    def get_type(cls) -> ObjectType:
        return ObjectType.TEXT

    def get_content(self, metadata_mode: MetadataMode = MetadataMode.ALL) -> str:
        return "Test content"


# ------------------------------------------------------------------ schema/test_base_node.py
def test_get_metadata_str() -> None:
    excluded = ["forbidden"]
    node = MyNode(
        metadata={"key": "value", "forbidden": "true"},
        excluded_llm_metadata_keys=excluded,
        excluded_embed_metadata_keys=excluded,
    )
    assert node.get_metadata_str(MetadataMode.NONE) == ""
    assert node.get_metadata_str(MetadataMode.LLM) == "key: value"
    assert node.get_metadata_str(MetadataMode.EMBED) == "key: value"


def test_node_id() -> None:
    n = MyNode()
    n.node_id = "this"
    assert n.node_id == "this"


@pytest.mark.parametrize(
    ("relation", "attribute"),
    [
        (NodeRelationship.SOURCE, "source_node"),
        (NodeRelationship.PREVIOUS, "prev_node"),
        (NodeRelationship.NEXT, "next_node"),
        (NodeRelationship.PARENT, "parent_node"),
    ],
)
def test_single_relationships(relation: NodeRelationship, attribute: str) -> None:
    n1 = MyNode()
    n2 = MyNode(relationships={relation: RelatedNodeInfo(node_id=n1.node_id)})
    assert getattr(n2, attribute).node_id == n1.node_id
    assert getattr(n1, attribute) is None
    n3 = MyNode(relationships={relation: [RelatedNodeInfo(node_id=n1.node_id)]})
    with pytest.raises(ValueError, match="holds a list; expected one node"):
        getattr(n3, attribute)


def test_child_node() -> None:
    n1 = MyNode()
    n2 = MyNode(relationships={NodeRelationship.CHILD: [RelatedNodeInfo(node_id=n1.node_id)]})
    assert n2.child_nodes is not None
    assert n2.child_nodes[0].node_id == n1.node_id
    assert n1.child_nodes is None
    # LlamaIndex raises for a single child given without a list; dovetail reads it as a list of one
    n3 = MyNode(relationships={NodeRelationship.CHILD: RelatedNodeInfo(node_id=n1.node_id)})
    assert [child.node_id for child in n3.child_nodes or []] == [n1.node_id]


def test___str__() -> None:
    n = MyNode()
    n.node_id = "test_node"
    assert str(n) == "Node ID: test_node\nText: Test content"


def test_get_embedding() -> None:
    n = MyNode()
    with pytest.raises(ValueError, match="has no embedding"):
        n.get_embedding()
    n.embedding = [0.0, 0.0]
    assert n.get_embedding() == [0.0, 0.0]


def test_as_related_node_info() -> None:
    assert MyNode(id_="test_node").as_related_node_info().node_id == "test_node"


# ------------------------------------------------------------------ schema/test_schema.py
def test_node_with_score_passthrough() -> None:
    node = NodeWithScore(node=TextNode(text="hello world", metadata={"foo": "bar"}, embedding=[0.1, 0.2]), score=0.5)
    assert node.id_ == node.node_id == node.node.node_id
    assert node.text == "hello world"
    assert node.metadata == {"foo": "bar"}
    assert node.embedding == node.get_embedding() == [0.1, 0.2]
    assert node.get_text() == "hello world"
    assert node.get_content() == "hello world"


def test_text_node_hash_follows_content_and_metadata() -> None:
    node = TextNode(text="hello", metadata={"foo": "bar"})
    first = node.hash
    node.set_content("world")
    assert node.hash != first
    node.text = "new"
    assert TextNode(text="new", metadata={"foo": "bar"}).hash == node.hash
    assert TextNode(text="new", metadata={"foo": "baz"}).hash != node.hash


def test_text_node_metadata_separator_consistency() -> None:
    metadata = {"name": "Foo", "uuid": "Bar"}
    correct = TextNode(text="content", metadata=metadata, metadata_separator="::SEP::")
    alias = TextNode(text="content", metadata=metadata, metadata_seperator="::SEP::")
    content = correct.get_content(MetadataMode.LLM)
    assert "::SEP::" in content
    assert content == alias.get_content(MetadataMode.LLM)
    assert correct.metadata_separator == alias.metadata_separator == "::SEP::"
    doc = Document(text="content", metadata=metadata, metadata_separator="::SEP::")
    assert doc.get_content(MetadataMode.LLM) == content


def test_text_node_metadata_separator_roundtrip() -> None:
    node = TextNode(text="hello", metadata={"key": "value"}, metadata_separator=" | ")
    restored = TextNode(**node.model_dump())
    assert restored.metadata_separator == " | "
    assert restored.get_content(MetadataMode.LLM) == node.get_content(MetadataMode.LLM)
    assert TextNode.model_validate_json(node.model_dump_json()).metadata_separator == " | "


def test_image_node_hash() -> None:
    assert ImageNode(image="base64", image_path="path").hash != ImageNode(image="base64", image_path="path2").hash
    assert ImageNode(image_url="base64", id_="id").hash == ImageNode(image_url="base64", id_="id2").hash


def test_image_node_mimetype() -> None:
    assert ImageNode(image_path="path").image_mimetype is None
    assert ImageNode(image_path="path.png").image_mimetype == "image/png"


def test_document_init() -> None:
    doc = Document(doc_id="test")
    assert doc.doc_id == doc.id_ == "test"
    doc = Document(extra_info={"key": "value"})
    assert doc.metadata == doc.extra_info == {"key": "value"}
    assert Document(text="test").text == "test"
    # LlamaIndex logs a warning and keeps id_/metadata; dovetail refuses two values for one field
    with pytest.raises(TypeError, match="doc_id"):
        Document(id_="test", doc_id="legacy_test")
    with pytest.raises(TypeError, match="extra_info"):
        Document(extra_info={"old_key": "old_value"}, metadata={"key": "value"})


def test_document_properties() -> None:
    doc = Document()
    assert doc.get_type() == ObjectType.DOCUMENT
    doc.doc_id = "test"
    assert doc.id_ == "test"


def test_get_type_of_each_node_class() -> None:
    assert TextNode().get_type() == ObjectType.TEXT
    assert ImageNode().get_type() == ObjectType.IMAGE


# ------------------------------------------------------------------ indices/query/test_query_bundle.py
class QueryBundleEmbedding(BaseEmbedding):
    """LlamaIndex's test model: known sentences and known queries as vectors of dimension 5."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return {"It is what it is.": [1.0, 0.0, 0.0, 0.0, 0.0], "The meaning of life": [0.0, 1.0, 0.0, 0.0, 0.0]}[query]

    def _get_text_embedding(self, text: str) -> list[float]:
        return {
            "Correct.": [0.5, 0.5, 0.0, 0.0, 0.0],
            "Hello world.": [1.0, 0.0, 0.0, 0.0, 0.0],
            "This is a test.": [0.0, 1.0, 0.0, 0.0, 0.0],
            "This is another test.": [0.0, 0.0, 1.0, 0.0, 0.0],
            "This is a test v2.": [0.0, 0.0, 0.0, 1.0, 0.0],
        }[text]


def test_embedding_query_with_custom_embedding_strs() -> None:
    Settings.transformations = [LineSplitter()]
    text = "Correct.\nHello world.\nThis is a test.\nThis is another test.\nThis is a test v2."
    index = SummaryIndex.from_documents([Document(text=text)])
    query_bundle = QueryBundle(query_str="What is?", custom_embedding_strs=["It is what it is.", "The meaning of life"])
    retriever = index.as_retriever(retriever_mode="embedding", similarity_top_k=1, embed_model=QueryBundleEmbedding())
    found = retriever.retrieve(query_bundle)
    assert len(found) == 1
    assert found[0].node.get_content() == "Correct."
