"""Node parsers: split documents into chunk nodes with exact offsets, relationships and stable ids.

* :class:`SentenceSplitter` — token budget, keeps paragraphs and sentences together (the default).
* :class:`TokenTextSplitter` — token budget, cut at word boundaries.
* :class:`RecursiveCharacterSplitter` — character budget, LangChain-style separators, no tokenizer.

Every parser is an ingestion transformation (``parser(nodes)``), emits ``NODE_PARSING`` and ``CHUNKING``
events, and gives each chunk ``start_char_idx``/``end_char_idx`` such that ``doc.text[start:end] == node.text``.

Example:
    ```python
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.schema import Document

    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=32).get_nodes_from_documents([Document(text=text)])
    ```
"""

from dovetail.core.node_parser._base import IdFunc, MetadataAwareTextSplitter, NodeParser, TextSplitter
from dovetail.core.node_parser._character import RecursiveCharacterSplitter
from dovetail.core.node_parser._sentence import SentenceSplitter
from dovetail.core.node_parser._token import TokenTextSplitter

__all__ = [
    "IdFunc",
    "MetadataAwareTextSplitter",
    "NodeParser",
    "RecursiveCharacterSplitter",
    "SentenceSplitter",
    "TextSplitter",
    "TokenTextSplitter",
]
