"""Stand-ins for the fixtures of LlamaIndex's own unit tests, built on dovetail's public extension points.

LlamaIndex's tests split documents on newlines (they patch the sentence splitter) and embed a handful of known
sentences as unit vectors of dimension 5. Here the same happens through a ``TextSplitter`` subclass and a
``BaseEmbedding`` subclass, as a user of either library would write them.
"""

from __future__ import annotations

from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.node_parser import TextSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode

LINES = ["Hello world.", "This is a test.", "This is another test.", "This is a test v2."]
"""The lines of the one document of LlamaIndex's ``documents`` fixture."""

_AXIS = {
    "Hello world.": 0,
    "This is a test.": 1,
    "This is another test.": 2,
    "This is a test v2.": 3,
    "This is a test v3.": 4,
    "This is bar test.": 2,
    "Hello world backup.": 0,
}


def axis(position: int | None) -> list[float]:
    """The unit vector along ``position`` (dimension 5), or the zero vector for ``None``."""
    return [1.0 if i == position else 0.0 for i in range(5)]


class LineSplitter(TextSplitter):
    """One node per line of text (an empty text gives no node)."""

    def _split_spans(self, text: str, metadata_str: str) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        start = 0
        for line in text.split("\n") if text else []:
            spans.append((start, start + len(line)))
            start += len(line) + 1
        return spans


class AxisEmbedding(BaseEmbedding):
    """Known sentences embed to unit vectors of dimension 5, others to zeros; queries to ``query_axis``."""

    query_axis: int = 2

    def _get_query_embedding(self, query: str) -> list[float]:
        return axis(self.query_axis)

    def _get_text_embedding(self, text: str) -> list[float]:
        return axis(_AXIS.get(text))

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def documents() -> list[Document]:
    """LlamaIndex's ``documents`` fixture: one document of four lines."""
    return [Document(text="\n".join(LINES))]


def nodes() -> list[TextNode]:
    """LlamaIndex's ``nodes`` fixture: the four lines as nodes of document ``"test doc"``."""
    source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id="test doc")}
    return [TextNode(text=line, relationships=dict(source)) for line in LINES]
