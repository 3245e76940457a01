"""Custom transformations and the older filter name, as LlamaIndex users write them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core import Document
from dovetail.core import IngestionPipeline
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode
from dovetail.core.schema import TransformComponent
from dovetail.core.vector_stores.types import ExactMatchFilter
from dovetail.core.vector_stores.types import MetadataFilter
from dovetail.core.vector_stores.types import MetadataFilters


class TextCleaner(TransformComponent):
    pattern: str = r"[^0-9A-Za-z ]"

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        for node in nodes:
            assert isinstance(node, TextNode)
            node.text = re.sub(self.pattern, "", node.text)
        return nodes


def test_custom_transform_component_runs_in_a_pipeline() -> None:
    pipeline = IngestionPipeline(transformations=[TextCleaner(), SentenceSplitter(chunk_size=64, chunk_overlap=0)])
    nodes = pipeline.run(documents=[Document(text="Hello, world!! #dovetail")])
    assert [node.get_content() for node in nodes] == ["Hello world dovetail"]


async def test_custom_transform_component_async_default() -> None:
    nodes = await TextCleaner().acall([TextNode(text="a-b")])
    assert nodes[0].get_content() == "ab"


def test_components_are_configured_by_fields_and_refuse_unknown_ones() -> None:
    assert TextCleaner(pattern="x").pattern == "x"
    with pytest.raises(TypeError, match="'pattern'"):
        TextCleaner(patern="x")


def test_transform_component_is_abstract_and_embeddings_are_components() -> None:
    with pytest.raises(TypeError):
        TransformComponent()  # type: ignore[abstract]
    assert isinstance(MockEmbedding(embed_dim=2), TransformComponent)


def test_exact_match_filter_is_an_equality_filter() -> None:
    docs = [Document(text="oak", metadata={"kind": "wood"}), Document(text="iron", metadata={"kind": "metal"})]
    index = VectorStoreIndex.from_documents(docs, embed_model=MockEmbedding(embed_dim=8))
    filters = MetadataFilters(filters=[ExactMatchFilter(key="kind", value="metal")])
    nodes = index.as_retriever(similarity_top_k=5, filters=filters).retrieve("anything")
    assert [node.get_content() for node in nodes] == ["iron"]
    assert isinstance(ExactMatchFilter(key="k", value=1), MetadataFilter)
    with pytest.raises(InvalidInputError, match="=="):
        ExactMatchFilter(key="k", value=1, operator=">")
