"""``NodeParser`` and ``TextSplitter``: turn documents into chunk nodes with offsets, relationships and stable ids.

Node ids are deterministic: ``uuid5`` of the parent node id, the splitter class, ``chunk_size``,
``chunk_overlap`` and the chunk's position. Re-ingesting the same document with the same splitter yields the same
ids (idempotent upserts, ingestion de-duplication); two splitters with different settings over one document do
not collide. Pass ``id_func=lambda i, doc: ...`` to choose ids yourself.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from importlib import import_module
from typing import Any
from typing import ClassVar
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.concurrency import run_in_thread
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import ImageNode
from dovetail.core.schema import IndexNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode

__all__ = ["IdFunc", "MetadataAwareTextSplitter", "NodeParser", "TextSplitter"]

logger = logging.getLogger(__name__)

IdFunc = Callable[[int, BaseNode], str]
"""``id_func(chunk_index, parent_node) -> node id``."""

_Parser = TypeVar("_Parser", bound="NodeParser")

_NODE_ID_NAMESPACE = uuid.UUID("0b6f5bd4-3f0e-4a51-8f8e-1c1f2a7d9e43")


def _default_callback_manager() -> CallbackManager:
    try:  # share the process-wide manager when dovetail.core.settings provides one
        manager = getattr(import_module("dovetail.core.settings").Settings, "callback_manager", None)
    except Exception:  # settings not importable or not configurable: a private manager is fine
        manager = None
    return manager if isinstance(manager, CallbackManager) else CallbackManager()


def _check_nodes(nodes: Any) -> list[BaseNode]:
    if isinstance(nodes, (str, bytes, BaseNode)) or not isinstance(nodes, Sequence):
        msg = f"expected a list of documents/nodes, got {type(nodes).__name__}; wrap a single document in a list"
        raise InvalidInputError(msg)
    for index, node in enumerate(nodes):
        if not isinstance(node, BaseNode):
            msg = f"item {index} is a {type(node).__name__}, not a Document/node; build Document(text=...) first"
            raise InvalidInputError(msg)
    return list(nodes)


class NodeParser:
    """Base of every node parser: turns documents (or nodes) into nodes; usable as an ingestion transformation.

    Subclasses implement :meth:`_parse_nodes`. This base adds the ``NODE_PARSING`` event, previous/next
    relationships between consecutive nodes of the same source, and ``__call__``/``acall``.

    Args:
        include_metadata: copy the parent's metadata into each node (and, for text splitters, budget for it).
        include_prev_next_rel: link consecutive nodes of the same source with PREVIOUS/NEXT relationships.
        callback_manager: receives ``NODE_PARSING`` and ``CHUNKING`` events (default: ``Settings.callback_manager``).
        id_func: ``(chunk_index, parent) -> id``; the default is deterministic (see the module docstring).
    """

    call_keywords: ClassVar[frozenset[str]] = frozenset({"show_progress"})
    """Keywords ``__call__`` takes besides the nodes (an ingestion pipeline checks its extra keywords with it)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A misspelt option (SentenceSplitter(chunk_sise=...)) names the closest parameter in its TypeError.
        super().__init_subclass__(**kwargs)
        if "__init__" in vars(cls):
            setattr(cls, "__init__", suggest_keywords(vars(cls)["__init__"]))  # noqa: B010

    def __init__(
        self,
        *,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: CallbackManager | None = None,
        id_func: IdFunc | None = None,
    ) -> None:
        if callback_manager is not None and not isinstance(callback_manager, CallbackManager):
            msg = f"callback_manager must be a CallbackManager, got {type(callback_manager).__name__}"
            raise InvalidInputError(msg)
        self.include_metadata = bool(include_metadata)
        self.include_prev_next_rel = bool(include_prev_next_rel)
        self.callback_manager = callback_manager or _default_callback_manager()
        self.id_func = id_func

    @classmethod
    def from_defaults(cls: type[_Parser], **kwargs: Any) -> _Parser:
        """Same as the constructor (LlamaIndex's spelling: ``SentenceSplitter.from_defaults(chunk_size=512)``)."""
        return cls(**kwargs)

    @classmethod
    def class_name(cls) -> str:
        """Stable name of the parser class."""
        return cls.__name__

    def _id_key(self) -> str:
        return self.class_name()

    def _node_id(self, index: int, parent: BaseNode) -> str:
        if self.id_func is not None:
            return self.id_func(index, parent)
        return str(uuid.uuid5(_NODE_ID_NAMESPACE, f"{parent.node_id}\x1f{self._id_key()}\x1f{index}"))

    _places_nodes = False
    """Whether :meth:`_parse_nodes` already sets parent metadata and character offsets (text splitters do)."""

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        msg = f"{type(self).__name__} must implement _parse_nodes"
        raise NotImplementedError(msg)

    def _place(self, nodes: list[BaseNode], parents: list[BaseNode]) -> None:
        """Give nodes of a custom parser their parent's metadata (the node's own keys win) and, when missing,
        their character offsets in the parent's text."""
        by_id = {parent.node_id: parent for parent in parents}
        for node in nodes:
            parent = by_id.get(node.ref_doc_id or "")
            if parent is None:
                continue
            if self.include_metadata:
                node.metadata = {**parent.metadata, **node.metadata}
            if isinstance(node, TextNode) and isinstance(parent, TextNode) and node.start_char_idx is None:
                start = parent.text.find(node.text) if node.text else -1
                if start >= 0:
                    node.start_char_idx, node.end_char_idx = start, start + len(node.text)

    def get_nodes_from_documents(
        self, documents: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> list[BaseNode]:
        """Parse documents (or nodes) into nodes.

        Args:
            documents: documents or nodes to split.
            show_progress: log progress at INFO every 1,000 inputs.

        Raises:
            InvalidInputError: ``documents`` is not a list of nodes, or a setting cannot be met (e.g. metadata
                longer than ``chunk_size``). Nothing is returned partially.
            TypeError: an unknown keyword (node parsers take no other options here).
        """
        reject_unknown_keywords("get_nodes_from_documents", kwargs, ("documents", *self.call_keywords))
        documents = _check_nodes(documents)
        with self.callback_manager.event(CBEventType.NODE_PARSING, {EventPayload.DOCUMENTS: documents}) as event:
            nodes = self._parse_nodes(documents, show_progress=show_progress)
            if not self._places_nodes:
                self._place(nodes, documents)
            if self.include_prev_next_rel:
                _link_neighbours(nodes)
            event.on_end(payload={EventPayload.NODES: nodes})
        return nodes

    async def aget_nodes_from_documents(
        self, documents: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> list[BaseNode]:
        """Async :meth:`get_nodes_from_documents` (CPU-bound work runs in a worker thread)."""
        return await run_in_thread(self.get_nodes_from_documents, documents, show_progress, **kwargs)

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        """Ingestion transformation: parse ``nodes`` into nodes."""
        return self.get_nodes_from_documents(nodes, **kwargs)

    async def acall(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[BaseNode]:
        """Async ingestion transformation."""
        return await self.aget_nodes_from_documents(nodes, **kwargs)


def _link_neighbours(nodes: list[BaseNode]) -> None:
    """PREVIOUS/NEXT between consecutive nodes sharing a source; each node's info (and hash) is computed once."""
    infos: list[RelatedNodeInfo | None] = [None] * len(nodes)
    sources = [node.ref_doc_id for node in nodes]

    def info(index: int) -> RelatedNodeInfo:
        found = infos[index]
        if found is None:
            found = infos[index] = nodes[index].as_related_node_info()
        return found

    for index in range(1, len(nodes)):
        source = sources[index]
        if source is not None and source == sources[index - 1]:
            nodes[index].relationships[NodeRelationship.PREVIOUS] = info(index - 1)
            nodes[index - 1].relationships[NodeRelationship.NEXT] = info(index)


class TextSplitter(NodeParser):
    """A node parser that splits text: subclasses implement :meth:`_split_spans` (offsets of the chunks)."""

    _places_nodes = True

    def split_text(self, text: str) -> list[str]:
        """Split ``text`` into chunks (stripped, non-empty).

        Raises:
            InvalidInputError: ``text`` is not a ``str``.
        """
        return [text[start:end] for start, end in self._split_with_events(text, "")]

    def split_texts(self, texts: Sequence[str]) -> list[str]:
        """Split several texts; the chunks of all texts in order."""
        return [chunk for text in texts for chunk in self.split_text(text)]

    def _split_spans(self, text: str, metadata_str: str) -> list[tuple[int, int]]:
        msg = f"{type(self).__name__} must implement _split_spans"
        raise NotImplementedError(msg)

    def _split_with_events(self, text: Any, metadata_str: str) -> list[tuple[int, int]]:
        if not isinstance(text, str):
            msg = f"text must be a str, got {type(text).__name__}; pass the document's text"
            raise InvalidInputError(msg)
        with self.callback_manager.event(CBEventType.CHUNKING, {EventPayload.CHUNKS: [text]}) as event:
            spans = self._split_spans(text, metadata_str)
            if self.callback_manager.handlers:
                event.on_end(payload={EventPayload.CHUNKS: [text[start:end] for start, end in spans]})
        return spans

    def _metadata_str(self, node: BaseNode) -> str:
        return ""

    def _parse_nodes(self, nodes: list[BaseNode], show_progress: bool = False) -> list[BaseNode]:
        out: list[BaseNode] = []
        for done, node in enumerate(nodes, 1):
            text = node.get_content(MetadataMode.NONE)
            metadata_str = self._metadata_str(node) if self.include_metadata else ""
            spans = self._split_with_events(text, metadata_str)
            out.extend(self._build_nodes(node, text, spans))
            if show_progress and (done % 1000 == 0 or done == len(nodes)):
                logger.info("%s parsed %d/%d nodes", self.class_name(), done, len(nodes))
        return out

    def _build_nodes(self, parent: BaseNode, text: str, spans: list[tuple[int, int]]) -> list[BaseNode]:
        if not spans:
            return []
        own_source = parent.source_node if not isinstance(parent, Document) else None
        source = own_source or parent.as_related_node_info()
        offset = 0
        if own_source is not None and isinstance(parent, TextNode) and parent.start_char_idx is not None:
            offset = parent.start_char_idx  # offsets stay relative to the original document
        metadata = parent.metadata if self.include_metadata else {}
        common: dict[str, Any] = {
            "excluded_embed_metadata_keys": list(parent.excluded_embed_metadata_keys),
            "excluded_llm_metadata_keys": list(parent.excluded_llm_metadata_keys),
            "metadata_separator": parent.metadata_separator,
            "metadata_template": parent.metadata_template,
        }
        if isinstance(parent, TextNode):
            common["text_template"] = parent.text_template
            common["mimetype"] = parent.mimetype
        cls: type[TextNode] = TextNode
        if isinstance(parent, ImageNode):
            cls = ImageNode
            common.update(
                image=parent.image,
                image_path=parent.image_path,
                image_url=parent.image_url,
                image_mimetype=parent.image_mimetype,
            )
        elif isinstance(parent, IndexNode):
            cls = IndexNode
            common.update(index_id=parent.index_id, obj=parent.obj)
        return [
            cls(
                id_=self._node_id(index, parent),
                text=text[start:end],
                start_char_idx=start + offset,
                end_char_idx=end + offset,
                metadata=dict(metadata),
                relationships={NodeRelationship.SOURCE: source},
                **common,
            )
            for index, (start, end) in enumerate(spans)
        ]


class MetadataAwareTextSplitter(TextSplitter):
    """A text splitter that leaves room for the node's metadata: chunk text + metadata fit ``chunk_size``."""

    def split_texts_metadata_aware(self, texts: Sequence[str], metadata_strs: Sequence[str]) -> list[str]:
        """Split several texts, each with its own metadata string; the chunks of all texts in order.

        Raises:
            InvalidInputError: ``texts`` and ``metadata_strs`` differ in length.
        """
        texts, metadata_strs = list(texts), list(metadata_strs)
        if len(texts) != len(metadata_strs):
            msg = f"got {len(texts)} texts but {len(metadata_strs)} metadata strings; pass one per text"
            raise InvalidInputError(msg)
        return [
            chunk
            for text, metadata_str in zip(texts, metadata_strs, strict=True)
            for chunk in self.split_text_metadata_aware(text, metadata_str)
        ]

    def split_text_metadata_aware(self, text: str, metadata_str: str) -> list[str]:
        """Split ``text`` so that each chunk plus ``metadata_str`` fits ``chunk_size``."""
        if not isinstance(metadata_str, str):
            msg = f"metadata_str must be a str, got {type(metadata_str).__name__}"
            raise InvalidInputError(msg)
        return [text[start:end] for start, end in self._split_with_events(text, metadata_str)]

    def _metadata_str(self, node: BaseNode) -> str:
        """The longer (in size units) of the node's embed-mode and LLM-mode metadata, rendered with its template."""
        candidates = []
        for mode in (MetadataMode.EMBED, MetadataMode.LLM):
            metadata = node.get_metadata_str(mode)
            if metadata and isinstance(node, TextNode):
                metadata = node.text_template.format(metadata_str=metadata, content="")
            candidates.append(metadata)
        return max(candidates, key=self._size_of)

    def _size_of(self, text: str) -> int:
        return len(text)
