"""The document store: nodes by id, which nodes came from which document, and document hashes.

The docstore is the ingestion ledger. ``ref_doc_info`` maps a document id to the ids of the nodes cut from it,
and the document hashes record which version of each document is fully indexed, so re-ingesting an unchanged
folder does no work and a changed file replaces exactly its own nodes.

Persisted as one JSON file read with the stdlib ``json`` module; nodes stay plain dicts until asked for (a
100k-node store loads without building 100k pydantic models), and a store opened from disk reads its file on
first use only.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import Literal
from typing import overload

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core._ids import id_list
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.schema import BaseNode
from dovetail.core.schema import node_from_dict
from dovetail.core.storage._async_twin import async_twin
from dovetail.core.storage._io import atomic_write_json
from dovetail.core.storage._io import check_payload
from dovetail.core.storage._io import parse_json_object
from dovetail.core.storage._io import read_json
from dovetail.core.storage._kvstore_options import refuse_kvstore_options

__all__ = ["DEFAULT_DOCSTORE_FILE", "RefDocInfo", "SimpleDocumentStore"]

logger = logging.getLogger(__name__)

DEFAULT_DOCSTORE_FILE = "docstore.json"
_KIND = "docstore"
_VERSION = 1


@dataclass
class RefDocInfo:
    """The nodes cut from one source document and the document's metadata."""

    node_ids: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


class SimpleDocumentStore:
    """In-memory document store persisted as JSON.

    Args:
        simple_kvstore: LlamaIndex's key-value store argument; only ``None`` is taken (see below).
        namespace: LlamaIndex's collection prefix inside a shared key-value store; only ``None`` is taken.
        batch_size: LlamaIndex's write batch size for its key-value store; only ``None`` is taken.
        persist_path: a file to read lazily on first use (see :meth:`from_persist_path`).

    This store keeps its records itself and persists them as one file, so LlamaIndex's key-value store layer
    has no counterpart here: a value for ``simple_kvstore``, ``namespace`` or ``batch_size`` (or for ``namespace``
    and ``fs`` of the ``from_*`` and ``persist`` methods) is a ``TypeError`` that says what to do instead, and an
    unknown keyword is a ``TypeError`` naming the closest one.

    Example:
        ```python
        store = SimpleDocumentStore()
        store.add_documents(nodes)
        store.set_document_hash(doc.doc_id, doc.hash)
        store.persist("./index/docstore.json")
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        simple_kvstore: None = None,
        namespace: None = None,
        batch_size: None = None,
        *,
        persist_path: str | os.PathLike[str] | None = None,
    ) -> None:
        refuse_kvstore_options(
            "SimpleDocumentStore", "", simple_kvstore=simple_kvstore, namespace=namespace, batch_size=batch_size
        )
        self._raw: dict[str, dict[str, Any]] = {}
        self._nodes: dict[str, BaseNode] = {}
        self._ref_docs: dict[str, RefDocInfo] = {}
        self._hashes: dict[str, str] = {}
        self._pending_path = Path(persist_path) if persist_path is not None else None

    # ---------------------------------------------------------------- persistence
    def _load(self) -> None:
        if self._pending_path is None:
            return
        path, self._pending_path = self._pending_path, None
        self._apply(read_json(path, kind=_KIND, versions=(_VERSION,)), f"docstore file {path}")
        logger.debug("loaded docstore %s: %d nodes, %d documents", path, len(self._raw), len(self._ref_docs))

    def _apply(self, payload: dict[str, Any], where: str) -> None:
        nodes, ref_docs, hashes = payload.get("nodes"), payload.get("ref_doc_info"), payload.get("doc_hashes")
        if not isinstance(nodes, dict) or not isinstance(ref_docs, dict) or not isinstance(hashes, dict):
            msg = f"{where} lacks 'nodes'/'ref_doc_info'/'doc_hashes' objects; rebuild the index"
            raise InvalidInputError(msg)
        ref_doc_info = {doc_id: _ref_doc_info(where, doc_id, info) for doc_id, info in ref_docs.items()}
        if not all(isinstance(row, dict) for row in nodes.values()) or not all(
            isinstance(value, str) for value in hashes.values()
        ):
            msg = f"{where} holds a node that is not an object or a hash that is not a string; rebuild the index"
            raise InvalidInputError(msg)
        self._raw = dict(nodes)
        self._nodes = {}
        self._ref_docs = ref_doc_info
        self._hashes = {str(k): str(v) for k, v in hashes.items()}

    @classmethod
    @suggest_keywords
    def from_dict(cls, save_dict: dict[str, Any], namespace: None = None) -> SimpleDocumentStore:
        """Rebuild a store from :meth:`to_dict` output (LlamaIndex's ``namespace`` is taken only as ``None``).

        Raises:
            InvalidInputError: the dict is not a docstore payload of a known format version.
            TypeError: a ``namespace`` was given (see the class docstring).
        """
        refuse_kvstore_options("SimpleDocumentStore", "from_dict", namespace=namespace)
        check_payload(save_dict, kind=_KIND, versions=(_VERSION,), where="docstore dict")
        store = cls()
        store._apply(copy.deepcopy(save_dict), "docstore dict")
        return store

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, data: str) -> SimpleDocumentStore:
        """Rebuild a store from :meth:`to_json` output.

        Raises:
            InvalidInputError: the string is not JSON of a docstore payload.
        """
        return cls.from_dict(parse_json_object(data, "docstore JSON"))

    @classmethod
    @suggest_keywords
    def from_persist_path(
        cls, persist_path: str | os.PathLike[str], namespace: None = None, fs: None = None, *, lazy: bool = True
    ) -> SimpleDocumentStore:
        """Open a persisted docstore; with ``lazy`` the file is read on first use.

        LlamaIndex's ``namespace`` and ``fs`` are taken only as ``None`` (the local file system).

        Raises:
            NotFoundError: the file does not exist.
            TypeError: a ``namespace`` or an ``fs`` was given.
        """
        refuse_kvstore_options("SimpleDocumentStore", "from_persist_path", namespace=namespace, fs=fs)
        path = Path(persist_path)
        if not path.is_file():
            msg = f"docstore file {path} does not exist; persist an index there first (or check the path)"
            raise NotFoundError(msg)
        store = cls(persist_path=path)
        if not lazy:
            store._load()
        return store

    @classmethod
    @suggest_keywords
    def from_persist_dir(
        cls, persist_dir: str | os.PathLike[str], namespace: None = None, fs: None = None
    ) -> SimpleDocumentStore:
        """Open ``<persist_dir>/docstore.json`` lazily (LlamaIndex's ``namespace``/``fs`` only as ``None``)."""
        refuse_kvstore_options("SimpleDocumentStore", "from_persist_dir", namespace=namespace, fs=fs)
        return cls.from_persist_path(Path(persist_dir) / DEFAULT_DOCSTORE_FILE)

    def to_dict(self) -> dict[str, Any]:
        """The JSON payload written by :meth:`persist`."""
        self._load()
        return {
            "kind": _KIND,
            "format_version": _VERSION,
            "nodes": dict(self._raw),
            "ref_doc_info": {
                doc_id: {"node_ids": list(info.node_ids), "metadata": dict(info.metadata)}
                for doc_id, info in self._ref_docs.items()
            },
            "doc_hashes": dict(self._hashes),
        }

    @suggest_keywords
    def persist(self, persist_path: str | os.PathLike[str] = DEFAULT_DOCSTORE_FILE, fs: None = None) -> None:
        """Write the store to ``persist_path`` atomically (LlamaIndex's ``fs`` only as ``None``: the local disk)."""
        refuse_kvstore_options("SimpleDocumentStore", "persist", fs=fs)
        atomic_write_json(persist_path, self.to_dict())

    # ---------------------------------------------------------------- nodes
    @property
    def docs(self) -> dict[str, BaseNode]:
        """Every stored node by id (builds the node objects; prefer :meth:`get_nodes` on large stores)."""
        self._load()
        return {node_id: self.get_node(node_id) for node_id in list(self._raw)}

    def __len__(self) -> int:
        self._load()
        return len(self._raw)

    def node_ids(self) -> list[str]:
        """Ids of every stored node."""
        self._load()
        return list(self._raw)

    def add_documents(self, docs: Sequence[BaseNode], allow_update: bool = True, store_text: bool = True) -> None:
        """Store nodes (or documents) and record which document each node came from.

        Args:
            docs: the nodes.
            allow_update: replace a node that is already stored; when false an existing id is an error.
            store_text: keep the node itself; when false only the ``ref_doc_info`` bookkeeping is recorded.

        Raises:
            InvalidInputError: an item is not a node, or ``allow_update`` is false and an id exists; nothing is
                stored.
        """
        self._load()
        for doc in docs:
            if not isinstance(doc, BaseNode):
                msg = f"docstore.add_documents takes nodes/documents, got {type(doc).__name__}"
                raise InvalidInputError(msg)
            if not allow_update and doc.node_id in self._raw:
                msg = f"node {doc.node_id} is already in the docstore; pass allow_update=True to replace it"
                raise InvalidInputError(msg)
        for doc in docs:
            if store_text:
                self._raw[doc.node_id] = doc.to_dict()
                self._nodes.pop(doc.node_id, None)
            ref_doc_id = doc.ref_doc_id
            if ref_doc_id is not None:
                info = self._ref_docs.setdefault(ref_doc_id, RefDocInfo())
                if doc.node_id not in info.node_ids:
                    info.node_ids.append(doc.node_id)
                source = doc.source_node
                if source is not None and source.metadata and not info.metadata:
                    info.metadata = dict(source.metadata)

    @overload
    def get_node(self, node_id: str, raise_error: Literal[True] = True) -> BaseNode: ...

    @overload
    def get_node(self, node_id: str, raise_error: bool) -> BaseNode | None: ...

    def get_node(self, node_id: str, raise_error: bool = True) -> BaseNode | None:
        """The node with ``node_id`` (``None`` when it is missing and ``raise_error`` is false).

        Raises:
            NotFoundError: no such node and ``raise_error`` is true.
        """
        self._load()
        node = self._nodes.get(node_id)
        if node is not None:
            return node
        raw = self._raw.get(node_id)
        if raw is None:
            if not raise_error:
                return None
            msg = f"node {node_id!r} is not in the docstore; was the index built from another store?"
            raise NotFoundError(msg)
        node = node_from_dict(raw)
        self._nodes[node_id] = node
        return node

    def get_nodes(self, node_ids: Iterable[str], raise_error: bool = True) -> list[BaseNode]:
        """The nodes with these ids, in order; unknown ids raise, or are skipped when ``raise_error`` is false.

        Raises:
            InvalidInputError: ``node_ids`` is a string (not a list of ids) or holds a non-string.
        """
        ids = id_list(node_ids, "node_ids") or []
        self._load()
        found: list[BaseNode] = []
        for node_id in ids:
            node = self.get_node(node_id, raise_error=False)
            if node is not None:
                found.append(node)
            elif raise_error:
                msg = f"node {node_id!r} is not in the docstore; was the index built from another store?"
                raise NotFoundError(msg)
        return found

    def get_document(self, doc_id: str, raise_error: bool = True) -> BaseNode | None:
        """The node or document stored under ``doc_id`` (``None`` if missing and not ``raise_error``)."""
        self._load()
        return self.get_node(doc_id, raise_error=raise_error)

    def document_exists(self, doc_id: str) -> bool:
        """Whether a node/document with this id is stored."""
        self._load()
        return doc_id in self._raw

    def delete_document(self, doc_id: str, raise_error: bool = True) -> None:
        """Remove one stored node/document by id, and its entry in its document's ``ref_doc_info``.

        When that was the document's last node, the document's ``ref_doc_info``, hash and stored record go too
        (as a document with no nodes left is no longer indexed).

        Raises:
            NotFoundError: the id is neither stored nor recorded as a node of a document (only with
                ``raise_error``).
        """
        self._load()
        raw = self._raw.pop(doc_id, None)
        self._nodes.pop(doc_id, None)
        ref_doc_id = _ref_doc_id_of(raw) if raw is not None else self._owner_of(doc_id)
        info = self._ref_docs.get(ref_doc_id) if ref_doc_id else None
        if raw is None and info is None:
            if raise_error:
                msg = f"node {doc_id!r} is not in the docstore"
                raise NotFoundError(msg)
            return
        if ref_doc_id is not None and info is not None and doc_id in info.node_ids:
            info.node_ids.remove(doc_id)
            if not info.node_ids:  # the document itself goes too, as in LlamaIndex
                del self._ref_docs[ref_doc_id]
                self._hashes.pop(ref_doc_id, None)
                self._raw.pop(ref_doc_id, None)
                self._nodes.pop(ref_doc_id, None)

    def _owner_of(self, node_id: str) -> str | None:
        """The document whose ``ref_doc_info`` lists ``node_id`` (for nodes whose text is not stored here)."""
        for ref_doc_id, info in self._ref_docs.items():
            if node_id in info.node_ids:
                return ref_doc_id
        return None

    # ---------------------------------------------------------------- source documents
    def ref_doc_exists(self, ref_doc_id: str) -> bool:
        """Whether nodes from document ``ref_doc_id`` were recorded."""
        self._load()
        return ref_doc_id in self._ref_docs

    def get_ref_doc_info(self, ref_doc_id: str) -> RefDocInfo | None:
        """Node ids and metadata of one source document, if known."""
        self._load()
        return self._ref_docs.get(ref_doc_id)

    def get_all_ref_doc_info(self) -> dict[str, RefDocInfo]:
        """Node ids and metadata of every known source document."""
        self._load()
        return dict(self._ref_docs)

    def delete_ref_doc(self, ref_doc_id: str, raise_error: bool = True) -> None:
        """Remove a source document: its nodes, its ``ref_doc_info`` and its hash."""
        self._load()
        info = self._ref_docs.pop(ref_doc_id, None)
        self._hashes.pop(ref_doc_id, None)
        if info is None:
            if raise_error:
                msg = f"document {ref_doc_id!r} is not in the docstore"
                raise NotFoundError(msg)
            return
        for node_id in info.node_ids:
            self._raw.pop(node_id, None)
            self._nodes.pop(node_id, None)
        self._raw.pop(ref_doc_id, None)
        self._nodes.pop(ref_doc_id, None)

    # ---------------------------------------------------------------- hashes (ingestion ledger)
    def set_document_hash(self, doc_id: str, doc_hash: str) -> None:
        """Record that version ``doc_hash`` of document ``doc_id`` is fully indexed."""
        self._load()
        self._hashes[doc_id] = doc_hash

    def set_document_hashes(self, doc_hashes: dict[str, str]) -> None:
        """Record several document hashes."""
        self._load()
        self._hashes.update(doc_hashes)

    def get_document_hash(self, doc_id: str) -> str | None:
        """The recorded hash of document ``doc_id``, if any."""
        self._load()
        return self._hashes.get(doc_id)

    def get_all_document_hashes(self) -> dict[str, str]:
        """Every recorded document hash mapped to its document id, as LlamaIndex returns them (``{hash: doc_id}``;
        documents with equal content share one entry). :meth:`hashes_by_document_id` gives ``{doc_id: hash}``."""
        self._load()
        return {doc_hash: doc_id for doc_id, doc_hash in self._hashes.items()}

    def hashes_by_document_id(self) -> dict[str, str]:
        """Every recorded document hash, by document id (one entry per document)."""
        self._load()
        return dict(self._hashes)

    def get_all_document_ids(self) -> set[str]:
        """Ids of every stored node and document (LlamaIndex's ``get_all_document_ids``)."""
        self._load()
        return set(self._raw)

    async def aget_node(self, node_id: str, raise_error: bool = True) -> BaseNode | None:
        """Async :meth:`get_node`."""
        await asyncio.to_thread(self._load)
        return self.get_node(node_id, raise_error=raise_error)

    async_add_documents = async_twin(add_documents)
    aget_nodes = async_twin(get_nodes)
    aget_document = async_twin(get_document)
    adocument_exists = async_twin(document_exists)
    adelete_document = async_twin(delete_document)
    aref_doc_exists = async_twin(ref_doc_exists)
    aget_ref_doc_info = async_twin(get_ref_doc_info)
    aget_all_ref_doc_info = async_twin(get_all_ref_doc_info)
    adelete_ref_doc = async_twin(delete_ref_doc)
    aset_document_hash = async_twin(set_document_hash)
    aset_document_hashes = async_twin(set_document_hashes)
    aget_document_hash = async_twin(get_document_hash)
    aget_all_document_hashes = async_twin(get_all_document_hashes)
    ahashes_by_document_id = async_twin(hashes_by_document_id)
    aget_all_document_ids = async_twin(get_all_document_ids)


def _ref_doc_id_of(raw: dict[str, Any]) -> str | None:
    source = raw.get("relationships", {}).get("1")
    if isinstance(source, dict):
        node_id = source.get("node_id")
        return node_id if isinstance(node_id, str) else None
    return None


def _ref_doc_info(where: str, doc_id: str, info: Any) -> RefDocInfo:
    """One ``ref_doc_info`` entry of a docstore file, checked."""
    node_ids = info.get("node_ids", []) if isinstance(info, dict) else None
    metadata = info.get("metadata", {}) if isinstance(info, dict) else None
    if (
        not isinstance(node_ids, list)
        or not all(isinstance(i, str) for i in node_ids)
        or not isinstance(metadata, dict)
    ):
        msg = f"{where}: the record of document {doc_id!r} is malformed; rebuild the index"
        raise InvalidInputError(msg)
    return RefDocInfo(list(node_ids), dict(metadata))
