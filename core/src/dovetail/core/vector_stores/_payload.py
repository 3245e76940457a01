"""How SimpleVectorStore keeps nodes: compact per-row dicts of the set fields, rebuilt into nodes on read."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dovetail.core.schema import BaseNode

__all__ = ["Payload", "gc_paused", "payload_of", "rebuild"]

Payload = tuple[type[BaseNode], dict[str, Any]]


@contextmanager
def gc_paused() -> Iterator[None]:
    # Copying 100k node dicts triggers full collections that walk every embedding list the caller still holds
    # (tens of millions of references); pausing the collector for the batch makes add() several times faster.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_CONTAINERS: dict[type[BaseNode], tuple[str, ...]] = {}


def _container_fields(cls: type[BaseNode]) -> tuple[str, ...]:
    found = _CONTAINERS.get(cls)
    if found is None:
        found = _CONTAINERS[cls] = tuple(
            name
            for name, info in cls.model_fields.items()
            if name not in ("metadata", "embedding")
            and isinstance(info.get_default(call_default_factory=True), (list, dict))
        )
    return found


def payload_of(node: BaseNode) -> Payload:
    # Keep only the fields that were set (pydantic tracks them, assignments included) plus containers that were
    # filled in place: about half the memory of a full __dict__ copy, and cheaper than comparing every field with
    # its default. model_construct fills the rest back in. The embedding lives in the matrix.
    values = node.__dict__
    data = {key: values[key] for key in node.__pydantic_fields_set__}
    for key in _container_fields(type(node)):
        if values[key]:
            data[key] = values[key]
    data.pop("embedding", None)
    data["id_"] = values["id_"]
    data["metadata"] = dict(values["metadata"])  # the caller may keep mutating its node
    return type(node), data


def rebuild(payload: Payload, embedding: list[float] | None = None) -> BaseNode:
    cls, data = payload
    node = cls.model_construct(**data)
    node.metadata = dict(data["metadata"])
    node.embedding = embedding
    return node
