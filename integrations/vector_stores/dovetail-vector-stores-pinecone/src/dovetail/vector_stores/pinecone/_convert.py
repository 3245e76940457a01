"""Nodes to Pinecone records and back, and request batching (pure, no I/O).

A record's metadata holds the node's filterable metadata (flat values Pinecone can store), the node text under
``text_key``, the serialized node (without text and embedding) under ``_node_content``, its class under
``_node_type``, and the source document id under ``ref_doc_id``/``doc_id``/``document_id`` (LlamaIndex's
layout, so indexes written by either can be read by the other).

Metadata policy: strings, finite numbers, bools and lists of strings are stored as they are. ``None`` and
empty lists are kept in ``_node_content`` (so nodes round-trip exactly) but left out of the filterable
metadata, because Pinecone cannot store ``null`` and cannot filter on an empty list. Nested dicts, lists that
hold anything but strings, NaN/infinity and other types are rejected with an :class:`InvalidInputError`
naming the node and key: flatten them yourself (e.g. ``{"author.name": ...}``) or keep them out of metadata.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode
from dovetail.core.schema import node_from_dict

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_VECTORS",
    "MAX_METADATA_BYTES",
    "NODE_CONTENT_KEY",
    "NODE_TYPE_KEY",
    "REF_DOC_KEYS",
    "batches",
    "check_vector",
    "node_to_record",
    "record_to_node",
]

NODE_CONTENT_KEY = "_node_content"
NODE_TYPE_KEY = "_node_type"
REF_DOC_KEYS = ("ref_doc_id", "doc_id", "document_id")
MAX_BATCH_VECTORS = 1000
# Pinecone caps a request at 2 MB; keep head-room for the envelope and headers.
MAX_BATCH_BYTES = 2_000_000
# Pinecone caps one record's metadata at 40 KB.
MAX_METADATA_BYTES = 40 * 1024
# Upper bound of one JSON float ("-2.2250738585072014e-308") plus its comma.
_FLOAT_BYTES = 25
_RECORD_OVERHEAD = 64


def check_vector(node_id: str, values: Any, dimension: int | None) -> list[float]:
    """Return ``values`` as a list of floats after checking type, length and finiteness.

    Raises:
        InvalidInputError: no embedding, not a list of numbers, wrong length, or NaN/infinity.
    """
    if values is None:
        msg = f"node {node_id!r} has no embedding; embed the nodes before adding them to Pinecone"
        raise InvalidInputError(msg)
    if type(values) is not list:
        values = list(values) if isinstance(values, Sequence) and not isinstance(values, str) else None
        if values is None:
            msg = f"node {node_id!r}: embedding must be a list of floats"
            raise InvalidInputError(msg)
    if not values:
        msg = f"node {node_id!r} has an empty embedding"
        raise InvalidInputError(msg)
    if dimension is not None and len(values) != dimension:
        msg = f"node {node_id!r}: embedding has {len(values)} dimensions, the index expects {dimension}"
        raise InvalidInputError(msg)
    try:
        # One C-level pass; NaN/inf (or overflow) makes the sum non-finite, then we look closer.
        total = sum(values)
    except TypeError:
        total = None
    if total is None or not math.isfinite(total):
        for item in values:
            if isinstance(item, bool) or not isinstance(item, (int, float)) or not math.isfinite(item):
                msg = f"node {node_id!r}: embedding values must be finite numbers, found {item!r}"
                raise InvalidInputError(msg)
    return values  # type: ignore[no-any-return]


def _filterable(node_id: str, key: Any, value: Any) -> Any:
    """The value to store for ``key``, ``None`` to leave it out, or an InvalidInputError."""
    if not isinstance(key, str) or not key:
        msg = f"node {node_id!r}: metadata keys must be non-empty strings, got {key!r}"
        raise InvalidInputError(msg)
    if value is None:
        return None
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"node {node_id!r}: metadata {key!r} is {value!r}; Pinecone stores finite numbers only"
            raise InvalidInputError(msg)
        return value
    if isinstance(value, (list, tuple)):
        if not value:
            return None
        if all(isinstance(item, str) for item in value):
            return list(value)
        msg = (
            f"node {node_id!r}: metadata {key!r} is a list holding non-strings; Pinecone stores lists of "
            "strings only: convert the items to strings or store them under separate keys"
        )
        raise InvalidInputError(msg)
    kind = type(value).__name__
    msg = (
        f"node {node_id!r}: metadata {key!r} is a {kind}; Pinecone stores strings, numbers, bools and lists "
        f"of strings: flatten it (e.g. '{key}.field') or leave it out of the metadata"
    )
    raise InvalidInputError(msg)


def node_to_record(node: BaseNode, *, text_key: str, dimension: int | None) -> dict[str, Any]:
    """Build the Pinecone record (``id``, ``values``, ``metadata``) for ``node``; nothing is sent.

    Raises:
        InvalidInputError: bad embedding, metadata Pinecone cannot store, a reserved key with a clashing
            value, or metadata over Pinecone's 40 KB per-record limit.
    """
    node_id = node.node_id
    if not isinstance(node_id, str) or not node_id:
        msg = "every node needs a non-empty string id"
        raise InvalidInputError(msg)
    values = check_vector(node_id, node.embedding, dimension)
    reserved = {text_key, NODE_CONTENT_KEY, NODE_TYPE_KEY}
    metadata: dict[str, Any] = {}
    for key, value in node.metadata.items():
        if key in reserved:
            msg = f"node {node_id!r}: metadata key {key!r} is reserved by the Pinecone store; rename it"
            raise InvalidInputError(msg)
        stored = _filterable(node_id, key, value)
        if stored is not None:
            metadata[key] = stored
    ref_doc_id = node.ref_doc_id
    if ref_doc_id is not None:
        for key in REF_DOC_KEYS:
            if key in metadata and metadata[key] != ref_doc_id:
                msg = (
                    f"node {node_id!r}: metadata {key!r}={metadata[key]!r} clashes with the node's source "
                    f"document id {ref_doc_id!r}; rename the metadata key"
                )
                raise InvalidInputError(msg)
            metadata[key] = ref_doc_id
    # pydantic's own JSON encoder (Rust) is several times faster than model_dump + json.dumps on this hot path.
    content = node.model_dump_json(exclude={"embedding", "text"})
    class_name = node.class_name()
    prefix = '{"class_name":' + json.dumps(class_name)
    content = prefix + ("}" if content == "{}" else "," + content[1:])
    size = len(content.encode("utf-8")) + len(json.dumps(metadata, separators=(",", ":")).encode("utf-8"))
    if isinstance(node, TextNode):
        metadata[text_key] = node.text
        size += len(json.dumps(node.text).encode("utf-8"))
    metadata[NODE_CONTENT_KEY] = content
    metadata[NODE_TYPE_KEY] = class_name
    # JSON escaping of the content string and the reserved keys' names: a small, safe margin.
    size += content.count('"') + 64
    if size > MAX_METADATA_BYTES:
        msg = (
            f"node {node_id!r}: its text and metadata take about {size} bytes, over Pinecone's "
            f"{MAX_METADATA_BYTES}-byte metadata limit; split it into smaller chunks"
        )
        raise InvalidInputError(msg)
    return {"id": node_id, "values": values, "metadata": metadata, "_size": size}


def batches(records: Sequence[dict[str, Any]], batch_size: int) -> Iterator[list[dict[str, Any]]]:
    """Split ``records`` into upsert requests of at most ``batch_size`` records and ~2 MB each.

    The ``_size`` bookkeeping key is removed from every record as it is batched.
    """
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    for record in records:
        size = _RECORD_OVERHEAD + len(record["id"]) + _FLOAT_BYTES * len(record["values"]) + record.pop("_size", 0)
        if batch and (len(batch) >= batch_size or batch_bytes + size > MAX_BATCH_BYTES):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(record)
        batch_bytes += size
    if batch:
        yield batch


def record_to_node(
    record_id: str,
    metadata: Mapping[str, Any] | None,
    *,
    text_key: str,
    values: Sequence[float] | None = None,
) -> BaseNode:
    """Rebuild the node stored as a Pinecone record (full node when ``_node_content`` is there).

    Records written by other tools (no ``_node_content``) become a :class:`TextNode` whose text is
    ``metadata[text_key]`` and whose metadata is the rest.
    """
    md = dict(metadata or {})
    raw = md.get(NODE_CONTENT_KEY)
    embedding = list(values) if values else None
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except ValueError as exc:
            msg = f"record {record_id!r} holds a malformed {NODE_CONTENT_KEY!r}; it was not written by dovetail"
            raise InvalidInputError(msg) from exc
        if text_key in md and "text" not in data:
            data["text"] = md[text_key]
        node = node_from_dict(data, strict=False)  # LlamaIndex writes this layout too, with fields of its own
        node.embedding = embedding
        return node
    text = md.pop(text_key, "")
    md.pop(NODE_TYPE_KEY, None)
    return TextNode(id_=record_id, text=str(text), metadata=md, embedding=embedding)
