"""The index store: one small JSON record (an :class:`IndexStruct`) per index kept in a storage context."""

from __future__ import annotations

import copy
import json
import os
import uuid
import weakref
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.storage._io import atomic_write_json
from dovetail.core.storage._io import check_payload
from dovetail.core.storage._io import parse_json_object
from dovetail.core.storage._io import read_json
from dovetail.core.storage._kvstore_options import refuse_kvstore_options

__all__ = ["DEFAULT_INDEX_STORE_FILE", "IndexDict", "IndexList", "IndexStruct", "KeywordTable", "SimpleIndexStore"]

DEFAULT_INDEX_STORE_FILE = "index_store.json"
_KIND = "index_store"
_VERSION = 1


@dataclass
class IndexStruct:
    """What an index needs to find its data again.

    Attributes:
        index_id: the index's id within the storage context.
        struct_type: ``"vector_store"`` for :class:`~dovetail.core.indices.VectorStoreIndex`.
        summary: an optional description of what the index holds.
        extra: JSON-ready details, e.g. ``{"embed_model": {"spec": "onnx:all-MiniLM-L6-v2", "dim": 384}}``.
    """

    index_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    struct_type: str = "vector_store"
    summary: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "index_id": self.index_id,
            "struct_type": self.struct_type,
            "summary": self.summary,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexStruct:
        """Rebuild from :meth:`to_dict` output, as the class of its ``struct_type`` (:class:`IndexDict`,
        :class:`IndexList`, :class:`KeywordTable`) when called on :class:`IndexStruct`."""
        if cls is IndexStruct and isinstance(data, dict):
            cls = STRUCT_CLASSES.get(str(data.get("struct_type", "vector_store")), IndexStruct)
        try:
            return cls(
                index_id=str(data["index_id"]),
                struct_type=str(data.get("struct_type", "vector_store")),
                summary=data.get("summary"),
                extra=dict(data.get("extra") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            msg = f"index struct {data!r} is malformed ({exc}); rebuild the index"
            raise InvalidInputError(msg) from exc


@dataclass
class IndexDict(IndexStruct):
    """The record of a :class:`~dovetail.core.indices.VectorStoreIndex` (LlamaIndex's ``IndexDict``).

    ``nodes_dict`` maps the vector store's id of each node to the node's id in the docstore, as in LlamaIndex,
    and like there it lists the nodes whose records are in the docstore (with a vector store that keeps text,
    only when the index has ``store_nodes_override=True``). dovetail does not copy the ids into the record: the
    index's struct reads them from its storage on each access, so they cannot go stale and the index store
    stays small. A struct that belongs to no index has an empty ``nodes_dict``.
    """

    _owner: weakref.ref[Any] | None = field(default=None, init=False, repr=False, compare=False)

    def bind(self, owner: Any) -> None:
        """Read ``nodes_dict`` from ``owner._nodes_dict()`` (the index this struct belongs to; held weakly)."""
        self._owner = weakref.ref(owner)

    @property
    def nodes_dict(self) -> dict[str, str]:
        """Vector store id -> docstore node id of every node of the index (a fresh dict on each access)."""
        owner = self._owner() if self._owner is not None else None
        return dict(owner._nodes_dict()) if owner is not None else {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_owner"] = None  # the owning index is not part of the record
        return state


@dataclass
class IndexList(IndexStruct):
    """The record of a :class:`~dovetail.core.indices.SummaryIndex` (LlamaIndex's ``IndexList``)."""

    struct_type: str = "list"

    @property
    def nodes(self) -> list[str]:
        """The index's node ids, in order."""
        nodes: list[str] = self.extra.setdefault("nodes", [])
        return nodes


@dataclass
class KeywordTable(IndexStruct):
    """The record of a :class:`~dovetail.core.indices.SimpleKeywordTableIndex` (LlamaIndex's ``KeywordTable``)."""

    struct_type: str = "keyword_table"

    @property
    def table(self) -> dict[str, list[str]]:
        """Keyword -> ids of the nodes containing it."""
        table: dict[str, list[str]] = self.extra.setdefault("table", {})
        return table

    @property
    def keywords(self) -> set[str]:
        """Every keyword of the table."""
        return set(self.table)

    @property
    def node_ids(self) -> set[str]:
        """Ids of every node with at least one keyword in the table."""
        return {node_id for ids in self.table.values() for node_id in ids}


STRUCT_CLASSES: dict[str, type[IndexStruct]] = {
    "vector_store": IndexDict,
    "list": IndexList,
    "keyword_table": KeywordTable,
}
"""The record class of each ``struct_type``."""


class SimpleIndexStore:
    """In-memory index store persisted as JSON.

    Args:
        simple_kvstore: LlamaIndex's key-value store argument; only ``None`` is taken (this store keeps its
            records itself), another value is a ``TypeError`` saying what to do. The ``fs`` of LlamaIndex's
            ``from_persist_path``/``from_persist_dir``/``persist`` is likewise taken only as ``None``.
        structs: the index structs to start with, by id.

    Example:
        ```python
        store = SimpleIndexStore()
        store.add_index_struct(IndexStruct(index_id="main"))
        store.persist("./index/index_store.json")
        ```
    """

    @suggest_keywords
    def __init__(self, simple_kvstore: None = None, *, structs: dict[str, IndexStruct] | None = None) -> None:
        refuse_kvstore_options("SimpleIndexStore", "", simple_kvstore=simple_kvstore)
        self._structs: dict[str, IndexStruct] = dict(structs or {})

    @classmethod
    @suggest_keywords
    def from_persist_path(cls, persist_path: str | os.PathLike[str], fs: None = None) -> SimpleIndexStore:
        """Load a persisted index store (LlamaIndex's ``fs`` only as ``None``: the local file system).

        Raises:
            NotFoundError: the file does not exist.
            InvalidInputError: the file is damaged or of an unknown format version.
            TypeError: an ``fs`` was given.
        """
        refuse_kvstore_options("SimpleIndexStore", "from_persist_path", fs=fs)
        payload = read_json(persist_path, kind=_KIND, versions=(_VERSION,))
        return cls._from_payload(payload, f"index store file {persist_path}")

    @classmethod
    def _from_payload(cls, payload: dict[str, Any], where: str) -> SimpleIndexStore:
        structs = payload.get("index_structs")
        if not isinstance(structs, dict):
            msg = f"{where} lacks an 'index_structs' object; rebuild: `dovetail ingest --rebuild PATH`"
            raise InvalidInputError(msg)
        return cls(structs={key: IndexStruct.from_dict(copy.deepcopy(value)) for key, value in structs.items()})

    @classmethod
    def from_dict(cls, save_dict: dict[str, Any]) -> SimpleIndexStore:
        """Rebuild a store from :meth:`to_dict` output.

        Raises:
            InvalidInputError: the dict is not an index store payload of a known format version.
        """
        check_payload(save_dict, kind=_KIND, versions=(_VERSION,), where="index store dict")
        return cls._from_payload(save_dict, "index store dict")

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, data: str) -> SimpleIndexStore:
        """Rebuild a store from :meth:`to_json` output.

        Raises:
            InvalidInputError: the string is not JSON of an index store payload.
        """
        return cls.from_dict(parse_json_object(data, "index store JSON"))

    @classmethod
    @suggest_keywords
    def from_persist_dir(cls, persist_dir: str | os.PathLike[str], fs: None = None) -> SimpleIndexStore:
        """Load ``<persist_dir>/index_store.json`` (LlamaIndex's ``fs`` only as ``None``)."""
        refuse_kvstore_options("SimpleIndexStore", "from_persist_dir", fs=fs)
        return cls.from_persist_path(Path(persist_dir) / DEFAULT_INDEX_STORE_FILE)

    def to_dict(self) -> dict[str, Any]:
        """The JSON payload written by :meth:`persist`."""
        return {
            "kind": _KIND,
            "format_version": _VERSION,
            "index_structs": {key: copy.deepcopy(struct.to_dict()) for key, struct in self._structs.items()},
        }

    @suggest_keywords
    def persist(self, persist_path: str | os.PathLike[str] = DEFAULT_INDEX_STORE_FILE, fs: None = None) -> None:
        """Write the store to ``persist_path`` atomically (LlamaIndex's ``fs`` only as ``None``)."""
        refuse_kvstore_options("SimpleIndexStore", "persist", fs=fs)
        atomic_write_json(persist_path, self.to_dict())

    def add_index_struct(self, index_struct: IndexStruct) -> None:
        """Add or replace an index struct."""
        self._structs[index_struct.index_id] = index_struct

    def delete_index_struct(self, key: str) -> None:
        """Remove an index struct (unknown keys are ignored)."""
        self._structs.pop(key, None)

    def get_index_struct(self, struct_id: str | None = None) -> IndexStruct | None:
        """The struct with ``struct_id``; without an id, the only struct (``None`` when the store is empty).

        Raises:
            InvalidInputError: no id was given and the store holds several indices.
        """
        if struct_id is not None:
            return self._structs.get(struct_id)
        if not self._structs:
            return None
        if len(self._structs) > 1:
            msg = f"this storage holds {len(self._structs)} indices {sorted(self._structs)}; pass index_id"
            raise InvalidInputError(msg)
        return next(iter(self._structs.values()))

    def index_structs(self) -> list[IndexStruct]:
        """Every stored struct."""
        return list(self._structs.values())

    async def async_add_index_struct(self, index_struct: IndexStruct) -> None:
        """Async :meth:`add_index_struct` (in memory: nothing to wait for)."""
        self.add_index_struct(index_struct)

    async def adelete_index_struct(self, key: str) -> None:
        """Async :meth:`delete_index_struct`."""
        self.delete_index_struct(key)

    async def aget_index_struct(self, struct_id: str | None = None) -> IndexStruct | None:
        """Async :meth:`get_index_struct`."""
        return self.get_index_struct(struct_id)

    async def async_index_structs(self) -> list[IndexStruct]:
        """Async :meth:`index_structs`."""
        return self.index_structs()

    def require(self, struct_id: str | None = None) -> IndexStruct:
        """Like :meth:`get_index_struct` but a missing struct is a :class:`NotFoundError`."""
        struct = self.get_index_struct(struct_id)
        if struct is None:
            which = f"index {struct_id!r}" if struct_id else "any index"
            msg = f"the storage does not hold {which}; build one first (e.g. `dovetail ingest PATH`)"
            raise NotFoundError(msg)
        return struct
