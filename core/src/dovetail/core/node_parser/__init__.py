"""Node parsers: split documents into chunk nodes with exact offsets, relationships and stable ids.

* :class:`SentenceSplitter` — token budget, keeps paragraphs and sentences together (the default).
* :class:`TokenTextSplitter` — token budget, cut at word boundaries.
* :class:`RecursiveCharacterSplitter` — character budget, LangChain-style separators, no tokenizer.
* :class:`SentenceWindowNodeParser` — one node per sentence, with the surrounding sentences in its metadata.
* :class:`MarkdownNodeParser` — one node per header section (``header_path`` metadata);
  :class:`MarkdownElementNodeParser` — tables as their own nodes behind summary ``IndexNode`` s.
* :class:`HierarchicalNodeParser` — several chunk sizes linked parent → children (:func:`get_leaf_nodes`).

Every parser is an ingestion transformation (``parser(nodes)``), emits ``NODE_PARSING`` and ``CHUNKING``
events, and gives each chunk ``start_char_idx``/``end_char_idx`` such that ``doc.text[start:end] == node.text``
(offsets stay relative to the original document when chunks are split again).

Decisions worth knowing:

* **Sizes.** ``chunk_size``/``chunk_overlap`` are tokens of ``tokenizer`` (default: the offline approximation of
  cl100k in :mod:`dovetail.core.tokenizers`; pass ``get_tokenizer("cl100k_base")`` for exact OpenAI counts). No
  chunk ever exceeds ``chunk_size``; with ``include_metadata`` the rendered metadata is budgeted too, and metadata
  that alone fills ``chunk_size`` is an ``InvalidInputError``. Unlike LlamaIndex, carried-over overlap never
  pushes a chunk over budget (overlap is dropped first).
* **Ids.** Deterministic: ``uuid5(parent id, splitter class, chunk_size, chunk_overlap, chunk index)``, so
  re-ingesting a document yields the same node ids, and two splitter configurations never collide. Pass
  ``id_func=lambda i, parent: ...`` to choose your own.
* **Sentences** are found by a regex (no model download): ``.``, ``!``, ``?`` or ``…`` followed by space and a
  character that is not a lowercase letter, except after common abbreviations and initials; CJK full stops with or
  without space.

Example:
    ```python
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.schema import Document

    nodes = SentenceSplitter(chunk_size=256, chunk_overlap=32).get_nodes_from_documents([Document(text=text)])
    ```
"""

from dovetail.core.node_parser._base import IdFunc
from dovetail.core.node_parser._base import MetadataAwareTextSplitter
from dovetail.core.node_parser._base import NodeParser
from dovetail.core.node_parser._base import TextSplitter
from dovetail.core.node_parser._character import RecursiveCharacterSplitter
from dovetail.core.node_parser._hierarchical import HierarchicalNodeParser
from dovetail.core.node_parser._hierarchical import get_child_nodes
from dovetail.core.node_parser._hierarchical import get_deeper_nodes
from dovetail.core.node_parser._hierarchical import get_leaf_nodes
from dovetail.core.node_parser._hierarchical import get_root_nodes
from dovetail.core.node_parser._markdown import MarkdownElementNodeParser
from dovetail.core.node_parser._markdown import MarkdownNodeParser
from dovetail.core.node_parser._sentence import SentenceSplitter
from dovetail.core.node_parser._sentence_window import SentenceWindowNodeParser
from dovetail.core.node_parser._token import TokenTextSplitter

__all__ = [
    "HierarchicalNodeParser",
    "IdFunc",
    "MarkdownElementNodeParser",
    "MarkdownNodeParser",
    "MetadataAwareTextSplitter",
    "NodeParser",
    "RecursiveCharacterSplitter",
    "SentenceSplitter",
    "SentenceWindowNodeParser",
    "TextSplitter",
    "TokenTextSplitter",
    "get_child_nodes",
    "get_deeper_nodes",
    "get_leaf_nodes",
    "get_root_nodes",
]
