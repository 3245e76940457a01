"""How SimpleVectorStore keeps nodes: compact per-row dicts of the set fields, rebuilt into nodes on read.

Rows loaded from disk stay in their serialised form (``node_from_dict`` format, class ``None`` in the payload)
until a read needs them: validating 100k nodes with pydantic at load time would cost more than the whole query.
Their id, class name, metadata and source document are checked when the file is loaded; the rest of a row is
validated when it is first returned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import node_from_dict

__all__ = ["Payload", "payload_of", "rebuild", "serialized", "serialized_payloads"]

Payload = tuple[type[BaseNode] | None, dict[str, Any]]
"""``(node class, set fields)``; ``(None, serialised dict)`` for a row loaded from disk and not yet validated."""

_NODE_CLASS_NAMES = frozenset({"BaseNode", "TextNode", "Document", "ImageNode", "IndexNode"})
_SOURCE = NodeRelationship.SOURCE.value


class _Template:
    """Per node class: immutable defaults, fields whose default is a fresh container, and how to rebuild."""

    def __init__(self, cls: type[BaseNode]) -> None:
        self.constant: dict[str, Any] = {}
        self.containers: dict[str, Callable[..., Any]] = {}
        for name, info in cls.model_fields.items():
            default = info.get_default(call_default_factory=True)
            if isinstance(default, (list, dict, set)):
                self.containers[name] = type(default)
            elif info.default_factory is None:
                self.constant[name] = default
        # model_construct inspects every default factory's signature on every call (milliseconds per node);
        # classes without private attributes are rebuilt directly instead.
        self.direct = not cls.__private_attributes__ and not cls.model_config.get("extra")


_TEMPLATES: dict[type[BaseNode], _Template] = {}


def _template(cls: type[BaseNode]) -> _Template:
    found = _TEMPLATES.get(cls)
    if found is None:
        found = _TEMPLATES[cls] = _Template(cls)
    return found


def payload_of(node: BaseNode) -> Payload:
    """The set fields of ``node`` (plus containers filled in place), containers copied, without the embedding.

    About half the memory of a full ``__dict__`` copy, and cheaper than comparing every field with its default.
    """
    return payloads_of([node])[0]


def payloads_of(nodes: list[BaseNode]) -> list[Payload]:
    """:func:`payload_of` for a batch (the per-class template is looked up once per class, not per node)."""
    out: list[Payload] = []
    append = out.append
    templates: dict[type[BaseNode], tuple[tuple[str, Callable[..., Any]], ...]] = {}
    for node in nodes:
        cls = type(node)
        containers = templates.get(cls)
        if containers is None:
            containers = templates[cls] = tuple(
                item for item in _template(cls).containers.items() if item[0] != "metadata"
            )
        values = node.__dict__
        data = {key: values[key] for key in node.__pydantic_fields_set__}
        for key, kind in containers:  # copied: the caller may keep mutating its node
            value = values[key]
            if value:
                data[key] = kind(value)
            elif key in data:
                del data[key]
        data.pop("embedding", None)
        data["id_"] = values["id_"]
        data["metadata"] = dict(values["metadata"])
        append((cls, data))
    return out


def serialized_payloads(rows: list[Any], ids: list[str]) -> tuple[list[Payload], list[str | None]]:
    """Payloads and source-document ids for rows read from disk, after the cheap per-row checks.

    Raises:
        InvalidInputError: a row is not an object, has another id than the ids list, an unknown class name,
            non-object metadata or a malformed source relationship.
    """
    payloads: list[Payload] = []
    refs: list[str | None] = []
    for position, (row, node_id) in enumerate(zip(rows, ids, strict=True)):
        if not isinstance(row, dict) or row.get("id_") != node_id:
            msg = f"node ids do not match the ids list (node {position} is not {node_id!r})"
            raise InvalidInputError(msg)
        class_name = row.get("class_name", "TextNode")
        if not isinstance(class_name, str) or class_name not in _NODE_CLASS_NAMES:
            msg = f"node {node_id!r} has an unknown class_name"
            raise InvalidInputError(msg)
        relationships = row.get("relationships") or {}
        if not isinstance(row.get("metadata", {}), dict) or not isinstance(relationships, dict):
            msg = f"node {node_id!r} has non-object metadata or relationships"
            raise InvalidInputError(msg)
        source = relationships.get(_SOURCE)
        if source is not None and not (isinstance(source, dict) and isinstance(source.get("node_id"), str)):
            msg = f"node {node_id!r} has a malformed source relationship"
            raise InvalidInputError(msg)
        payloads.append((None, row))
        refs.append(source["node_id"] if source else None)
    return payloads, refs


def serialized(payload: Payload) -> dict[str, Any]:
    """The ``node_from_dict`` form of a stored row (rows loaded from disk are returned as they were read)."""
    cls, data = payload
    if cls is None:
        return data
    # Only the fields that differ from their defaults: half the JSON to write and to parse on load.
    row = rebuild(payload).model_dump(mode="json", exclude_defaults=True, exclude={"embedding"})
    row["class_name"] = cls.class_name()
    return row


def rebuild(payload: Payload, embedding: list[float] | None = None) -> BaseNode:
    """A fresh node from ``payload``; its containers are copies, so callers cannot change the stored row.

    Raises:
        InvalidInputError: a row loaded from disk does not validate as a node (the file is corrupted).
    """
    cls, data = payload
    if cls is None:
        try:
            node = node_from_dict(data)
        except InvalidInputError as exc:
            msg = f"stored node {data.get('id_')!r} is corrupted ({exc}); re-create the store"
            raise InvalidInputError(msg) from None
        node.embedding = embedding
        return node
    template = _template(cls)
    if not template.direct:
        node = cls.model_construct(**data)
        node.metadata = dict(data["metadata"])
        node.embedding = embedding
        return node
    values = dict(template.constant)
    for key, kind in template.containers.items():
        stored = data.get(key)
        values[key] = kind() if stored is None else kind(stored)
    for key, value in data.items():
        if key not in template.containers:
            values[key] = value
    values["embedding"] = embedding
    node = cls.__new__(cls)
    object.__setattr__(node, "__dict__", values)
    object.__setattr__(node, "__pydantic_fields_set__", set(data))
    object.__setattr__(node, "__pydantic_extra__", None)
    object.__setattr__(node, "__pydantic_private__", None)
    return node
