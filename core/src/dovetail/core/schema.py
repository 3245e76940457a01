"""Nodes, documents and queries: the data that flows through dovetail.

A :class:`Document` is what a reader produces; node parsers cut it into :class:`TextNode` s that keep a
``SOURCE`` relationship to it (``node.ref_doc_id``). Retrievers return :class:`NodeWithScore` s.

Example:
    ```python
    doc = Document(text="Dovetail joins are strong.", metadata={"file_name": "joints.txt"})
    node = TextNode(text="Dovetail joins", relationships={NodeRelationship.SOURCE: doc.as_related_node_info()})
    assert node.ref_doc_id == doc.doc_id
    ```
"""

from __future__ import annotations

import hashlib
import json
import textwrap
import uuid
from collections.abc import Mapping
from enum import Enum
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core._component import TransformComponent
from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import ValidatorFunctionWrapHandler
from pydantic import field_validator

__all__ = [
    "BaseNode",
    "Document",
    "ImageNode",
    "IndexNode",
    "MetadataMode",
    "NodeRelationship",
    "NodeWithScore",
    "ObjectType",
    "QueryBundle",
    "RelatedNodeInfo",
    "TextNode",
    "TransformComponent",
    "node_from_dict",
]


_HASH_PIECE = 1 << 20


class MetadataMode(str, Enum):
    """Which metadata keys ``get_content`` includes: all, those meant for embedding, for the LLM, or none."""

    ALL = "all"
    EMBED = "embed"
    LLM = "llm"
    NONE = "none"


class ObjectType(str, Enum):
    """What kind of object a node is (``node.get_type()``), with LlamaIndex's values."""

    TEXT = "1"
    IMAGE = "2"
    INDEX = "3"
    DOCUMENT = "4"
    MULTIMODAL = "5"


class NodeRelationship(str, Enum):
    """How one node relates to another."""

    SOURCE = "1"
    PREVIOUS = "2"
    NEXT = "3"
    PARENT = "4"
    CHILD = "5"


class RelatedNodeInfo(KeywordCheckedModel):
    """A pointer to another node: its id, type, metadata and content hash."""

    node_id: str
    node_type: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    hash: str | None = None


RelatedNodeType = RelatedNodeInfo | list[RelatedNodeInfo]


_PREVIEW_CHARS = 350
_PREVIEW_WIDTH = 70


def _preview(label: str, ident: str, content: str) -> str:
    """``<label>: <id>`` and the content, cut to 350 characters and wrapped at 70 (LlamaIndex's text form)."""
    text = content.strip()
    if len(text) > _PREVIEW_CHARS:
        text = text[: _PREVIEW_CHARS - 3] + "..."
    return f"{label}: {ident}\n" + textwrap.fill(f"Text: {text}\n", width=_PREVIEW_WIDTH)


class BaseNode(KeywordCheckedModel):
    """Base of every node: an id, metadata, relationships and an optional embedding.

    ``embedding`` accepts a list of floats (stored as is, without per-element validation, because this is the
    hot path of ingestion) or anything with ``tolist()`` such as a numpy row. ``extra_info=`` is LlamaIndex's
    alias of ``metadata``; any other unknown keyword raises ``TypeError``.
    """

    model_config = ConfigDict(populate_by_name=True, validate_assignment=False)

    class_name_: ClassVar[str] = "BaseNode"
    object_type_: ClassVar[ObjectType] = ObjectType.TEXT
    _keyword_aliases: ClassVar[Mapping[str, str]] = {
        "extra_info": "metadata",
        "metadata_seperator": "metadata_separator",
    }

    id_: str = Field(default_factory=lambda: str(uuid.uuid4()), description="Unique id of the node.")
    embedding: list[float] | None = Field(default=None, description="Embedding of the node's content.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Flat key/value metadata.")
    excluded_embed_metadata_keys: list[str] = Field(default_factory=list)
    excluded_llm_metadata_keys: list[str] = Field(default_factory=list)
    relationships: dict[NodeRelationship, RelatedNodeType] = Field(default_factory=dict)
    metadata_template: str = "{key}: {value}"
    metadata_separator: str = "\n"

    @field_validator("embedding", mode="wrap")
    @classmethod
    def _fast_embedding(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if value is None or type(value) is list:
            return value
        if hasattr(value, "tolist"):
            return value.tolist()
        return handler(value)

    @classmethod
    def class_name(cls) -> str:
        """Stable name used when serialising nodes (see :func:`node_from_dict`)."""
        return cls.class_name_

    @classmethod
    def get_type(cls) -> ObjectType:
        """The kind of node: ``TEXT``, ``IMAGE``, ``INDEX`` or ``DOCUMENT`` (LlamaIndex's ``ObjectType``)."""
        return cls.object_type_

    @property
    def node_id(self) -> str:
        """The node's id."""
        return self.id_

    @node_id.setter
    def node_id(self, value: str) -> None:
        self.id_ = value

    @property
    def extra_info(self) -> dict[str, Any]:
        """LlamaIndex's old name of :attr:`metadata`."""
        return self.metadata

    @extra_info.setter
    def extra_info(self, value: dict[str, Any]) -> None:
        self.metadata = value

    def get_embedding(self) -> list[float]:
        """The node's embedding.

        Raises:
            InvalidInputError: the node has not been embedded yet (embed it, or insert it into an index).
        """
        if self.embedding is None:
            msg = f"node {self.id_} has no embedding; embed it first (e.g. embed_model(nodes) or an index insert)"
            raise InvalidInputError(msg)
        return self.embedding

    def __str__(self) -> str:
        return _preview("Node ID", self.id_, self.get_content())

    def get_content(self, metadata_mode: MetadataMode = MetadataMode.NONE) -> str:
        """The node's content, with metadata prepended per ``metadata_mode``."""
        return ""

    def get_metadata_str(self, mode: MetadataMode = MetadataMode.ALL) -> str:
        """Metadata rendered with ``metadata_template``, minus the keys excluded for ``mode``."""
        if mode == MetadataMode.NONE:
            return ""
        excluded: set[str] = set()
        if mode == MetadataMode.EMBED:
            excluded = set(self.excluded_embed_metadata_keys)
        elif mode == MetadataMode.LLM:
            excluded = set(self.excluded_llm_metadata_keys)
        return self.metadata_separator.join(
            self.metadata_template.format(key=key, value=str(value))
            for key, value in self.metadata.items()
            if key not in excluded
        )

    @property
    def hash(self) -> str:
        """sha256 of the content and metadata: changes whenever what would be embedded changes."""
        digest = hashlib.sha256()
        content = self.get_content(MetadataMode.NONE)
        # Fed a megabyte at a time: a 50 MB text would otherwise be copied twice more (concatenated, encoded).
        for start in range(0, len(content), _HASH_PIECE):
            digest.update(content[start : start + _HASH_PIECE].encode("utf-8", "surrogatepass"))
        tail = "\x00" + json.dumps(self.metadata, sort_keys=True, default=str)
        digest.update(tail.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _single(self, relation: NodeRelationship) -> RelatedNodeInfo | None:
        info = self.relationships.get(relation)
        if info is None:
            return None
        if isinstance(info, list):
            msg = f"relationship {relation.name} of node {self.id_} holds a list; expected one node"
            raise InvalidInputError(msg)
        return info

    @property
    def source_node(self) -> RelatedNodeInfo | None:
        """The document this node was cut from."""
        return self._single(NodeRelationship.SOURCE)

    @property
    def prev_node(self) -> RelatedNodeInfo | None:
        """The previous node of the same document."""
        return self._single(NodeRelationship.PREVIOUS)

    @property
    def next_node(self) -> RelatedNodeInfo | None:
        """The next node of the same document."""
        return self._single(NodeRelationship.NEXT)

    @property
    def parent_node(self) -> RelatedNodeInfo | None:
        """The parent node, if any."""
        return self._single(NodeRelationship.PARENT)

    @property
    def child_nodes(self) -> list[RelatedNodeInfo] | None:
        """The child nodes, if any."""
        info = self.relationships.get(NodeRelationship.CHILD)
        if info is None:
            return None
        return info if isinstance(info, list) else [info]

    @property
    def ref_doc_id(self) -> str | None:
        """Id of the source document (``None`` for a document itself)."""
        source = self.source_node
        return source.node_id if source else None

    def as_related_node_info(self) -> RelatedNodeInfo:
        """A :class:`RelatedNodeInfo` pointing at this node."""
        return RelatedNodeInfo(node_id=self.id_, node_type=self.class_name(), metadata=self.metadata, hash=self.hash)

    def to_dict(self, *, include_embedding: bool = False) -> dict[str, Any]:
        """JSON-ready dict with a ``class_name`` key; the embedding is left out unless asked for."""
        data = self.model_dump(mode="json", exclude=None if include_embedding else {"embedding"})
        data["class_name"] = self.class_name()
        return data

    def to_json(self, *, include_embedding: bool = False) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict(include_embedding=include_embedding))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaseNode:
        """Rebuild a node from :meth:`to_dict` output (``class_name`` picks the subclass when called on a base).

        Raises:
            InvalidInputError: ``class_name`` names another node class than this one, or an unknown one.
        """
        node = node_from_dict(data) if "class_name" in data else cls.model_validate(data)
        if not isinstance(node, cls):
            msg = f"{cls.__name__}.from_dict got a {type(node).__name__}; call it on that class or on BaseNode"
            raise InvalidInputError(msg)
        return node

    @classmethod
    def from_json(cls, data: str) -> BaseNode:
        """Rebuild a node from :meth:`to_json` output."""
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as exc:
            msg = f"{cls.__name__}.from_json needs a JSON object: {exc}"
            raise InvalidInputError(msg) from exc
        if not isinstance(payload, dict):
            msg = f"{cls.__name__}.from_json needs a JSON object, got {type(payload).__name__}"
            raise InvalidInputError(msg)
        return cls.from_dict(payload)


class TextNode(BaseNode):
    """A node holding text, with its character span in the source document."""

    class_name_: ClassVar[str] = "TextNode"

    text: str = ""
    start_char_idx: int | None = None
    end_char_idx: int | None = None
    mimetype: str = "text/plain"
    text_template: str = "{metadata_str}\n\n{content}"

    def get_content(self, metadata_mode: MetadataMode = MetadataMode.NONE) -> str:
        """The text, with rendered metadata in front unless ``metadata_mode`` is ``NONE``."""
        metadata_str = self.get_metadata_str(metadata_mode).strip()
        if not metadata_str:
            return self.text
        return self.text_template.format(metadata_str=metadata_str, content=self.text).strip()

    def set_content(self, value: str) -> None:
        """Replace the text."""
        self.text = value


class Document(TextNode):
    """A whole source document, as produced by a reader.

    LlamaIndex's aliases are honoured: ``Document(text=..., doc_id="a", extra_info={...})`` sets ``id_`` and
    ``metadata``.
    """

    class_name_: ClassVar[str] = "Document"
    object_type_: ClassVar[ObjectType] = ObjectType.DOCUMENT
    _keyword_aliases: ClassVar[Mapping[str, str]] = {
        "extra_info": "metadata",
        "metadata_seperator": "metadata_separator",
        "doc_id": "id_",
    }

    def __str__(self) -> str:
        return _preview("Doc ID", self.id_, self.get_content())

    def get_doc_id(self) -> str:
        """The document id (LlamaIndex's old accessor; same as :attr:`doc_id`)."""
        return self.id_

    @classmethod
    def example(cls) -> Document:
        """A small sample document, for trying things out."""
        return cls(
            text=(
                "A dovetail joint interlocks wedge-shaped tails and pins cut into the ends of two boards. "
                "It resists being pulled apart and needs no nails."
            ),
            metadata={"filename": "dovetail.txt", "category": "woodworking"},
        )

    @property
    def doc_id(self) -> str:
        """The document id (same as ``id_``)."""
        return self.id_

    @doc_id.setter
    def doc_id(self, value: str) -> None:
        self.id_ = value


class ImageNode(TextNode):
    """A node holding an image (base64 data, a path or a URL) and optional text.

    ``image_mimetype`` is inferred from the path/URL suffix when not given; the hash covers the image source, so
    two nodes pointing at different images never look unchanged to the ingestion ledger.
    """

    class_name_: ClassVar[str] = "ImageNode"
    object_type_: ClassVar[ObjectType] = ObjectType.IMAGE

    image: str | None = None
    image_path: str | None = None
    image_url: str | None = None
    image_mimetype: str | None = None

    def model_post_init(self, context: Any, /) -> None:
        """Infer ``image_mimetype`` from ``image_path``/``image_url`` when it was not given."""
        if self.image_mimetype is None:
            source = self.image_path or self.image_url
            if source:
                import mimetypes

                self.image_mimetype = mimetypes.guess_type(source.split("?", 1)[0])[0]

    @property
    def hash(self) -> str:
        """sha256 of the text, metadata and image source (data, path, URL and MIME type)."""
        image = "\x00".join(str(part) for part in (self.image, self.image_path, self.image_url, self.image_mimetype))
        return hashlib.sha256((super().hash + "\x00" + image).encode("utf-8", "surrogatepass")).hexdigest()


class IndexNode(TextNode):
    """A node that points at another retrievable object (``index_id``), followed by recursive retrieval."""

    class_name_: ClassVar[str] = "IndexNode"
    object_type_: ClassVar[ObjectType] = ObjectType.INDEX

    index_id: str
    obj: Any = Field(default=None, exclude=True)


class NodeWithScore(KeywordCheckedModel):
    """A retrieved node and its similarity score."""

    node: BaseNode
    score: float | None = None

    def __str__(self) -> str:
        score = "None" if self.score is None else f"{self.score: 0.3f}"
        return f"{self.node}\nScore: {score}\n"

    def get_text(self) -> str:
        """Text of the node without metadata."""
        return self.node.get_content(MetadataMode.NONE)

    def get_embedding(self) -> list[float]:
        """Embedding of the node (see :meth:`BaseNode.get_embedding`)."""
        return self.node.get_embedding()

    @property
    def embedding(self) -> list[float] | None:
        """Embedding of the node, if it has one."""
        return self.node.embedding

    @property
    def node_id(self) -> str:
        """Id of the node."""
        return self.node.node_id

    @property
    def id_(self) -> str:
        """Id of the node."""
        return self.node.id_

    @property
    def text(self) -> str:
        """Text of the node (empty for non-text nodes)."""
        return self.node.get_content(MetadataMode.NONE)

    @property
    def metadata(self) -> dict[str, Any]:
        """Metadata of the node."""
        return self.node.metadata

    def get_content(self, metadata_mode: MetadataMode = MetadataMode.NONE) -> str:
        """Content of the node."""
        return self.node.get_content(metadata_mode)

    def get_score(self, raise_error: bool = False) -> float:
        """The score, or 0.0 when there is none (``raise_error`` makes a missing score an error)."""
        if self.score is None:
            if raise_error:
                msg = f"node {self.node_id} has no score"
                raise InvalidInputError(msg)
            return 0.0
        return self.score


class QueryBundle(KeywordCheckedModel):
    """A query: the text, optional strings to embed instead, an optional precomputed embedding.

    Positional arguments follow LlamaIndex: ``QueryBundle(query_str, image_path, custom_embedding_strs,
    embedding)``.
    """

    _positional: ClassVar[tuple[str, ...]] = ("query_str", "image_path", "custom_embedding_strs", "embedding")

    query_str: str
    custom_embedding_strs: list[str] | None = None
    embedding: list[float] | None = None
    image_path: str | None = None

    if TYPE_CHECKING:
        # The signature type checkers see: pydantic's mypy plugin would make it keyword-only, while the
        # constructor takes LlamaIndex's positional order.
        def __init__(
            self,
            /,
            query_str: str,
            image_path: str | None = None,
            custom_embedding_strs: list[str] | None = None,
            embedding: list[float] | None = None,
        ) -> None: ...

    @property
    def embedding_strs(self) -> list[str]:
        """The strings to embed for this query."""
        if self.custom_embedding_strs is not None:
            return self.custom_embedding_strs
        return [self.query_str] if self.query_str else []

    def __str__(self) -> str:
        return self.query_str


_NODE_CLASSES: dict[str, type[BaseNode]] = {
    cls.class_name(): cls for cls in (BaseNode, TextNode, Document, ImageNode, IndexNode)
}


def node_from_dict(data: dict[str, Any], *, strict: bool = True) -> BaseNode:
    """Rebuild a node serialised with :meth:`BaseNode.to_dict`, choosing the class by ``class_name``.

    Args:
        data: the serialised node.
        strict: refuse fields the node class does not have (a damaged file); ``False`` ignores them, for records
            that other tools (LlamaIndex) may have written with fields of their own.
    """
    if not isinstance(data, dict):
        msg = f"a serialised node must be an object, got {type(data).__name__}"
        raise InvalidInputError(msg)
    payload = dict(data)
    name = payload.pop("class_name", "TextNode")
    cls = _NODE_CLASSES.get(name) if isinstance(name, str) else None
    if cls is None:
        msg = f"unknown node class_name {name!r:.60}; expected one of {sorted(_NODE_CLASSES)}"
        raise InvalidInputError(msg)
    unknown = sorted(key for key in payload if key not in cls.model_fields) if strict else []
    if unknown:  # a field this format does not have: damaged, or written by something else
        msg = f"serialised {name} is malformed: unknown field(s) {', '.join(map(repr, unknown))[:200]}"
        raise InvalidInputError(msg)
    try:
        return cls.model_validate(payload)
    except TypeError as exc:  # an unknown field (the keyword check of the node classes)
        msg = f"serialised {name} is malformed: {exc}"
        raise InvalidInputError(msg) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        msg = f"serialised {name} is malformed at {where or 'the top'}: {first.get('msg', 'invalid')}"
        raise InvalidInputError(msg) from None
