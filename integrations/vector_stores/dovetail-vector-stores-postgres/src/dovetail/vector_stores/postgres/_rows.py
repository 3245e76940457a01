"""Nodes to table rows and back (pure, no I/O); every node of a batch is validated before anything is sent.

A row holds the node id, its source document id, its text (what full-text search indexes), its metadata as
JSONB (what filters read) and the rest of the serialized node (relationships, templates, class name) as JSONB,
plus the embedding. Metadata must be JSON: NaN/infinity and NUL characters (which PostgreSQL text cannot hold)
are rejected naming the node and key, as are embeddings of the wrong dimension or with non-finite values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import node_from_dict

__all__ = ["Batch", "check_query_vector", "prepare", "row_to_node"]

F32 = npt.NDArray[np.float32]


@dataclass
class Batch:
    """Validated rows for one ``add``: ``ids`` in input order, and one row per distinct id (the last wins)."""

    ids: list[str]
    rows: list[tuple[str, str | None, str, str, str]]
    """``(id, ref_doc_id, text, metadata JSON, node JSON)`` per distinct id."""
    vectors: F32
    """One embedding per entry of ``rows``, shape ``(len(rows), dim)``."""


def _json(node_id: str, what: str, value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        msg = f"node {node_id!r}: {what} holds NaN or infinity, which JSON cannot store; use null or a number"
        raise InvalidInputError(msg) from None
    except TypeError as exc:
        msg = f"node {node_id!r}: {what} is not JSON-serializable ({exc}); store strings, numbers, lists or dicts"
        raise InvalidInputError(msg) from None
    if "\\u0000" in text:
        msg = f"node {node_id!r}: {what} holds a NUL character (\\x00), which PostgreSQL cannot store; remove it"
        raise InvalidInputError(msg)
    return text


def _text(node: BaseNode) -> str:
    text = node.get_content(metadata_mode=MetadataMode.NONE)
    if "\x00" in text:
        msg = f"node {node.node_id!r}: the text holds a NUL character (\\x00), which PostgreSQL cannot store"
        raise InvalidInputError(msg)
    return text


def _vectors(nodes: Sequence[BaseNode], dimension: int) -> F32:
    for node in nodes:
        if node.embedding is None:
            msg = f"node {node.node_id!r} has no embedding; embed the nodes before adding them to PostgreSQL"
            raise InvalidInputError(msg)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # overflow becomes inf, rejected below
            matrix = np.asarray([node.embedding for node in nodes], dtype=np.float32)
    except (ValueError, TypeError):
        matrix = None
    if matrix is None or matrix.ndim != 2 or matrix.shape[1] != dimension:
        for node in nodes:
            size = len(node.embedding) if isinstance(node.embedding, Sequence) else -1
            if size != dimension:
                msg = f"node {node.node_id!r}: embedding has {size} dimensions, the table expects {dimension}"
                raise InvalidInputError(msg)
        msg = "embeddings must be lists of numbers"
        raise InvalidInputError(msg)
    finite = np.isfinite(matrix).all(axis=1)
    if not finite.all():
        bad = nodes[int(np.argmin(finite))].node_id
        msg = f"node {bad!r}: embedding values must be finite numbers (found NaN or infinity, or a float32 overflow)"
        raise InvalidInputError(msg)
    return matrix


def prepare(nodes: Sequence[BaseNode], dimension: int) -> Batch:
    """Validate ``nodes`` and turn them into rows.

    Raises:
        InvalidInputError: not a sequence of nodes, a missing/wrong-dimension/non-finite embedding, metadata
            that is not JSON, or a NUL character anywhere PostgreSQL stores text.
    """
    if isinstance(nodes, (str, bytes)) or not isinstance(nodes, Sequence):
        msg = f"add() takes a list of nodes, got {type(nodes).__name__}"
        raise InvalidInputError(msg)
    for node in nodes:
        if not isinstance(node, BaseNode):
            msg = f"add() takes nodes (TextNode, Document, ...), got {type(node).__name__}"
            raise InvalidInputError(msg)
    matrix = _vectors(nodes, dimension)
    last: dict[str, int] = {}
    for position, node in enumerate(nodes):
        if "\x00" in node.node_id:
            msg = "a node id holds a NUL character, which PostgreSQL cannot store; use another id"
            raise InvalidInputError(msg)
        last[node.node_id] = position
    rows = []
    for position in last.values():
        node = nodes[position]
        payload = node.to_dict()
        payload.pop("metadata", None)
        payload.pop("text", None)
        rows.append(
            (
                node.node_id,
                node.ref_doc_id,
                _text(node),
                _json(node.node_id, "metadata", node.metadata),
                _json(node.node_id, "the node", payload),
            )
        )
    vectors = matrix[list(last.values())] if len(last) != len(nodes) else matrix
    return Batch(ids=[node.node_id for node in nodes], rows=rows, vectors=vectors)


def row_to_node(text: str, metadata: dict[str, Any], payload: dict[str, Any]) -> BaseNode:
    """Rebuild a node from its stored text, metadata and serialized rest."""
    data = dict(payload)
    data["metadata"] = metadata
    if data.get("class_name", "TextNode") != "BaseNode":
        data["text"] = text
    return node_from_dict(data)


def check_query_vector(embedding: Any, dimension: int) -> F32:
    """The query embedding as float32 after checking it exists, has ``dimension`` values and is finite.

    Raises:
        InvalidInputError: missing, wrong length or non-finite.
    """
    if embedding is None:
        msg = "this query mode needs query_embedding; embed the query first (or use mode=TEXT_SEARCH)"
        raise InvalidInputError(msg)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            vector = np.asarray(embedding, dtype=np.float32)
    except (ValueError, TypeError):
        msg = "query_embedding must be a list of numbers"
        raise InvalidInputError(msg) from None
    if vector.ndim != 1 or vector.shape[0] != dimension:
        msg = f"query_embedding has {vector.size} dimensions, the table expects {dimension}"
        raise InvalidInputError(msg)
    if not np.isfinite(vector).all():
        msg = "query_embedding values must be finite numbers (found NaN or infinity)"
        raise InvalidInputError(msg)
    return vector
