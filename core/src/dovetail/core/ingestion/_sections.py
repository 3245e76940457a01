"""Big documents in sections: split, embed and commit a huge text a piece at a time, in bounded memory.

A 50 MB file split at once gives ~60,000 nodes whose vectors, as Python lists, take gigabytes, and nothing can be
committed until the last one is embedded. So a document longer than :data:`SECTION_THRESHOLD` characters is cut
at paragraph (else line, else word) boundaries into sections of about :data:`SECTION_CHARS` characters; each
section goes through the node parsers on its own, and its nodes get the offsets, positions (hence stable ids)
and source of the whole document. Chunks never straddle two sections, and the previous/next links between the
last chunk of one section and the first of the next are left out; otherwise the chunks are those of the whole
text. Only documents whose per-document transformations are all node parsers are cut (an extractor may need
the whole text). A document whose text stays on disk (``readers._streamed.StreamedTextDocument``, which the CLI
makes of big files) is read a section at a time, so the whole text is never in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any

__all__ = ["SECTION_CHARS", "SECTION_THRESHOLD", "cut", "doc_sections", "section_document", "sectionable", "sections"]

SECTION_CHARS = 200_000
"""Characters per section of a big document (about 250 chunks of 256 tokens)."""
SECTION_THRESHOLD = 1_000_000
"""Documents longer than this many characters are processed in sections."""


def sectionable(doc: Any, transformations: Sequence[Any]) -> bool:
    """Whether ``doc`` is big enough and its transformations are all node parsers (safe to cut)."""
    from dovetail.core.node_parser import NodeParser
    from dovetail.core.schema import TextNode

    if not isinstance(doc, TextNode) or text_length(doc) <= SECTION_THRESHOLD or not transformations:
        return False
    return all(isinstance(t, NodeParser) for t in transformations)


def text_length(doc: Any) -> int:
    """Characters of a document's text, also of one whose text stays on disk (``text_length``)."""
    length = getattr(doc, "stream_sections", None) and getattr(doc, "text_length", None)
    return int(length) if length is not None else len(doc.text)


def whole(doc: Any) -> Any:
    """``doc`` with its whole text in memory (a document streamed from disk is loaded)."""
    load = getattr(doc, "stream_sections", None) and getattr(doc, "load", None)
    return load() if load is not None else doc


def doc_sections(doc: Any) -> Iterator[tuple[int, str]]:
    """The sections of a document: read from disk as needed for a streamed one, else cut from its text."""
    stream = getattr(doc, "stream_sections", None)
    return stream(SECTION_CHARS) if stream is not None else sections(doc.text)


def section_document(doc: Any, text: str) -> Any:
    """A document like ``doc`` holding one section's ``text`` (an ordinary one for a streamed document)."""
    section = getattr(doc, "stream_sections", None) and getattr(doc, "section", None)
    return section(text) if section is not None else doc.model_copy(update={"text": text})


def cut(text: str, start: int, size: int) -> int:
    """End of the section starting at ``start``: the last paragraph, line or word break before ``start + size``."""
    limit = start + size
    if limit >= len(text):
        return len(text)
    floor = start + size // 2
    for separator in ("\n\n", "\n", " "):
        found = text.rfind(separator, floor, limit)
        if found != -1:
            return found + len(separator)
    return limit


def sections(text: str, size: int | None = None) -> Iterator[tuple[int, str]]:
    """``(offset, section)`` pairs covering ``text`` in order, each at most ``size`` (:data:`SECTION_CHARS`)."""
    size = size or SECTION_CHARS
    start = 0
    while start < len(text):
        end = cut(text, start, size)
        yield start, text[start:end]
        start = end
