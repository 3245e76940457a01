"""Markdown parsers: one node per header section (``MarkdownNodeParser``), and tables as their own elements
(``MarkdownElementNodeParser``).

Headers inside fenced code blocks (```` ``` ```` or ``~~~``) are not headers. Each section node starts with its
header line and carries ``header_path``: the headers above it joined with ``header_path_separator`` and wrapped
in it (``"/Guide/Setup/"``; ``"/"`` for a top-level section), as in LlamaIndex. Offsets point into the source
text, so ``doc.text[node.start_char_idx:node.end_char_idx] == node.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dovetail.core.node_parser._base import NodeParser
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import IndexNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import TextNode

__all__ = ["MarkdownElementNodeParser", "MarkdownNodeParser"]

_HEADER = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class _Span:
    start: int
    end: int
    metadata: dict[str, Any]


def _trimmed(text: str, span: _Span) -> _Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return _Span(start, end, span.metadata)


class _SpanParser(NodeParser):
    """Builds one TextNode per span of the parent's text, with exact offsets."""

    def _spans(self, text: str) -> list[_Span]:
        """The spans of ``text`` to make nodes of, in order (surrounding white space is trimmed, empty ones dropped)."""
        raise NotImplementedError

    def _text_node(self, parent: BaseNode, index: int, text: str, span: _Span) -> TextNode:
        source = parent.source_node if not isinstance(parent, Document) else None
        offset = parent.start_char_idx if source is not None and isinstance(parent, TextNode) else None
        base = offset or 0
        return TextNode(
            id_=self._node_id(index, parent),
            text=text[span.start : span.end],
            start_char_idx=span.start + base,
            end_char_idx=span.end + base,
            metadata=dict(span.metadata),
            excluded_embed_metadata_keys=list(parent.excluded_embed_metadata_keys),
            excluded_llm_metadata_keys=list(parent.excluded_llm_metadata_keys),
            relationships={NodeRelationship.SOURCE: source or parent.as_related_node_info()},
        )

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        out: list[BaseNode] = []
        for parent in nodes:
            text = parent.get_content(MetadataMode.NONE)
            spans = [span for span in (_trimmed(text, span) for span in self._spans(text)) if span.end > span.start]
            out.extend(self._text_node(parent, i, text, span) for i, span in enumerate(spans))
        return out


class MarkdownNodeParser(_SpanParser):
    """One node per Markdown header section, with the path of the headers above it in ``header_path``.

    Args:
        header_path_separator: joins the header names in ``header_path`` (default ``"/"``).
        include_metadata: copy the parent's metadata into each node (the node's ``header_path`` wins).
        include_prev_next_rel: link consecutive sections.
        callback_manager: receives parsing events.
        id_func: ``(index, parent) -> id``.

    Example:
        ```python
        nodes = MarkdownNodeParser().get_nodes_from_documents([Document(text="# Guide\\n## Setup\\nRun it.")])
        nodes[1].metadata["header_path"]  # "/Guide/"
        ```
    """

    def __init__(
        self,
        header_path_separator: str = "/",
        *,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: Any = None,
        id_func: Any = None,
    ) -> None:
        super().__init__(
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
            id_func=id_func,
        )
        self.header_path_separator = header_path_separator

    def _path(self, headers: list[tuple[int, str]]) -> str:
        sep = self.header_path_separator
        return sep + sep.join(name for _, name in headers) + sep if headers else sep

    def _spans(self, text: str) -> list[_Span]:
        spans: list[_Span] = []
        headers: list[tuple[int, str]] = []
        section_start, section_path = 0, self._path([])
        in_code = False
        position = 0
        for line in text.splitlines(keepends=True):
            if _FENCE.match(line):
                in_code = not in_code
            match = None if in_code else _HEADER.match(line.rstrip("\r\n"))
            if match is not None:
                spans.append(_Span(section_start, position, {"header_path": section_path}))
                level = len(match.group(1))
                while headers and headers[-1][0] >= level:
                    headers.pop()
                section_start, section_path = position, self._path(headers)
                headers.append((level, match.group(2)))
            position += len(line)
        spans.append(_Span(section_start, len(text), {"header_path": section_path}))
        return spans


def _tables(text: str) -> list[tuple[int, int]]:
    """Character spans of the Markdown tables (header row, rule row, body rows) outside code blocks."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    found: list[tuple[int, int]] = []
    in_code = False
    row = 0
    while row < len(lines):
        if _FENCE.match(lines[row]):
            in_code = not in_code
        elif not in_code and "|" in lines[row] and row + 1 < len(lines) and _TABLE_RULE.match(lines[row + 1]):
            end = row + 2
            while end < len(lines) and "|" in lines[end] and lines[end].strip():
                end += 1
            found.append((starts[row], starts[end]))
            row = end
            continue
        row += 1
    return found


class MarkdownElementNodeParser(_SpanParser):
    """Markdown split into text elements and table elements; each table also gets an :class:`IndexNode` whose
    text is a short summary and which points at the table node, so a retriever finds the table through its
    summary and returns the whole table.

    Args:
        llm: summarizes each table (``summary_query_str`` is the instruction); without one the summary is the
            table's column names and row count.
        summary_query_str: the instruction given to ``llm``.
        include_metadata: copy the parent's metadata into each node.
        include_prev_next_rel: link consecutive elements.
        callback_manager: receives parsing events.
        id_func: ``(index, parent) -> id``.

    Example:
        ```python
        parser = MarkdownElementNodeParser()
        nodes = parser.get_nodes_from_documents(documents)
        base_nodes, objects = parser.get_nodes_and_objects(nodes)
        index = VectorStoreIndex(nodes=base_nodes + objects)
        ```
    """

    def __init__(
        self,
        llm: Any = None,
        summary_query_str: str = "Summarize this table in one or two sentences: what it lists and its columns.",
        *,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: Any = None,
        id_func: Any = None,
    ) -> None:
        super().__init__(
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
            id_func=id_func,
        )
        self.llm = llm
        self.summary_query_str = summary_query_str

    def _spans(self, text: str) -> list[_Span]:
        spans: list[_Span] = []
        cursor = 0
        for start, end in _tables(text):
            spans.append(_Span(cursor, start, {"element_type": "text"}))
            spans.append(_Span(start, end, {"element_type": "table"}))
            cursor = end
        spans.append(_Span(cursor, len(text), {"element_type": "text"}))
        return spans

    def _summary(self, table: str) -> str:
        if self.llm is not None:
            return str(self.llm.complete(f"{self.summary_query_str}\n\n{table}").text).strip()
        rows = [row for row in table.splitlines() if row.strip()]
        columns = [cell.strip() for cell in rows[0].strip().strip("|").split("|")]
        return f"Table with columns {', '.join(columns)} and {max(0, len(rows) - 2)} rows."

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in super()._parse_nodes(nodes, show_progress):
            out.append(node)
            if node.metadata.get("element_type") == "table" and isinstance(node, TextNode):
                out.append(
                    IndexNode(
                        id_=f"{node.node_id}-summary",
                        text=self._summary(node.text),
                        index_id=node.node_id,
                        obj=node,
                        metadata={"element_type": "table_summary"},
                        relationships={NodeRelationship.SOURCE: node.relationships[NodeRelationship.SOURCE]},
                    )
                )
        return out

    @staticmethod
    def get_nodes_and_objects(nodes: list[BaseNode]) -> tuple[list[BaseNode], list[BaseNode]]:
        """Split parsed nodes into base nodes (text elements and table summaries) and objects (the tables the
        summaries point at)."""
        tables = {node.index_id for node in nodes if isinstance(node, IndexNode)}
        base = [node for node in nodes if node.node_id not in tables]
        objects = [node for node in nodes if node.node_id in tables]
        return base, objects
