"""The storage context: the docstore, index store and vector store(s) an index lives in.

A persist directory looks like this (every file JSON, vectors as ``.npy``; no pickle)::

    docstore.json               nodes, document → node ids, document hashes
    index_store.json            one small record per index (embedding model, ...)
    default__vector_store.json  the vector store's own files (SimpleVectorStore: JSON + .npy)
    ...npy

:meth:`StorageContext.persist` writes them all through a staged commit, so a crash mid-write leaves the
previous state intact; :meth:`StorageContext.from_defaults` finishes or discards an interrupted commit first.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core._gc import gc_paused
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.storage._docstore import DEFAULT_DOCSTORE_FILE
from dovetail.core.storage._docstore import SimpleDocumentStore
from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE
from dovetail.core.storage._index_store import SimpleIndexStore
from dovetail.core.storage._io import StagedCommit
from dovetail.core.storage._io import parse_json_object
from dovetail.core.storage._io import recover
from dovetail.core.storage._lock import snapshot_lock

if TYPE_CHECKING:
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["DEFAULT_PERSIST_DIR", "DEFAULT_VECTOR_STORE", "StorageContext", "vector_store_file"]

logger = logging.getLogger(__name__)

DEFAULT_PERSIST_DIR = "./storage"
DEFAULT_VECTOR_STORE = "default"
_NAMESPACED_SUFFIX = "__vector_store.json"


def vector_store_file(namespace: str = DEFAULT_VECTOR_STORE) -> str:
    """File name of a vector store namespace inside a persist directory."""
    return f"{namespace}{_NAMESPACED_SUFFIX}"


def _default_vector_store() -> BasePydanticVectorStore:
    from dovetail.core.vector_stores import SimpleVectorStore

    return SimpleVectorStore()


@dataclass
class StorageContext:
    """Where an index keeps its data.

    Attributes:
        docstore: nodes and the ingestion ledger.
        index_store: index records.
        vector_stores: vector stores by namespace (``"default"`` is :attr:`vector_store`).

    Example:
        ```python
        storage = StorageContext.from_defaults()
        index = VectorStoreIndex.from_documents(docs, storage_context=storage)
        storage.persist("./index")
        index = load_index_from_storage(StorageContext.from_defaults(persist_dir="./index"))
        ```
    """

    docstore: SimpleDocumentStore = field(default_factory=SimpleDocumentStore)
    index_store: SimpleIndexStore = field(default_factory=SimpleIndexStore)
    vector_stores: dict[str, BasePydanticVectorStore] = field(default_factory=dict)
    persist_dir: str | None = None

    @classmethod
    @suggest_keywords
    def from_defaults(
        cls,
        docstore: SimpleDocumentStore | None = None,
        index_store: SimpleIndexStore | None = None,
        vector_store: BasePydanticVectorStore | None = None,
        persist_dir: str | os.PathLike[str] | None = None,
    ) -> StorageContext:
        """Build a context; with ``persist_dir`` the missing parts are loaded from that directory.

        The docstore is opened lazily (read on first use), so loading an index whose vector store keeps the
        node text never parses ``docstore.json``.

        Raises:
            NotFoundError: ``persist_dir`` does not exist or holds no index.
            InvalidInputError: a file there is damaged or of an unknown format version.
        """
        if persist_dir is None:
            return cls(
                docstore=docstore if docstore is not None else SimpleDocumentStore(),
                index_store=index_store if index_store is not None else SimpleIndexStore(),
                vector_stores={
                    DEFAULT_VECTOR_STORE: vector_store if vector_store is not None else _default_vector_store()
                },
            )
        directory = Path(persist_dir)
        if not directory.is_dir():
            msg = (
                f"no index at {directory}: the directory does not exist — build one with "
                f"`dovetail ingest PATH --index {directory}` or VectorStoreIndex(...).storage_context.persist()"
            )
            raise NotFoundError(msg)
        recover(directory)
        with snapshot_lock(directory):  # a commit being moved into place finishes first
            if not (directory / DEFAULT_INDEX_STORE_FILE).is_file():
                msg = f"{directory} holds no dovetail index ({DEFAULT_INDEX_STORE_FILE} is missing); ingest it first"
                raise NotFoundError(msg)
            if vector_store is None:
                vector_store = _load_vector_store(directory / vector_store_file())
            vector_stores = {DEFAULT_VECTOR_STORE: vector_store}
            for path in sorted(directory.glob(f"*{_NAMESPACED_SUFFIX}")):
                namespace = path.name[: -len(_NAMESPACED_SUFFIX)]
                if namespace != DEFAULT_VECTOR_STORE:
                    vector_stores[namespace] = _load_vector_store(path)
            return cls(
                docstore=docstore if docstore is not None else SimpleDocumentStore.from_persist_dir(directory),
                index_store=index_store if index_store is not None else SimpleIndexStore.from_persist_dir(directory),
                vector_stores=vector_stores,
                persist_dir=str(directory),
            )

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The default vector store."""
        return self.vector_stores[DEFAULT_VECTOR_STORE]

    def add_vector_store(self, vector_store: BasePydanticVectorStore, namespace: str) -> None:
        """Register another vector store under ``namespace``."""
        self.vector_stores[namespace] = vector_store

    def to_dict(self) -> dict[str, Any]:
        """Everything in the context as one JSON-ready dict (LlamaIndex's keys: ``doc_store``, ``index_store``,
        ``vector_stores``), read back by :meth:`from_dict`.

        Raises:
            InvalidInputError: a vector store keeps its data elsewhere (a remote store has no ``to_dict``).
        """
        vector_stores: dict[str, Any] = {}
        for namespace, store in self.vector_stores.items():
            to_dict = getattr(store, "to_dict", None)
            if not callable(to_dict):
                msg = (
                    f"vector store {namespace!r} ({type(store).__name__}) keeps its data on its server and cannot be "
                    "put into a dict; persist() the context instead, or use a SimpleVectorStore"
                )
                raise InvalidInputError(msg)
            vector_stores[namespace] = to_dict()
        return {
            "doc_store": self.docstore.to_dict(),
            "index_store": self.index_store.to_dict(),
            "vector_stores": vector_stores,
        }

    @classmethod
    def from_dict(cls, save_dict: dict[str, Any]) -> StorageContext:
        """Rebuild a context from :meth:`to_dict` output.

        Raises:
            InvalidInputError: the dict is not such a payload.
        """
        from dovetail.core.vector_stores import SimpleVectorStore

        if not isinstance(save_dict, dict) or not {"doc_store", "index_store", "vector_stores"} <= save_dict.keys():
            msg = "a StorageContext dict needs 'doc_store', 'index_store' and 'vector_stores'; pass to_dict() output"
            raise InvalidInputError(msg)
        stores = save_dict["vector_stores"]
        if not isinstance(stores, dict) or DEFAULT_VECTOR_STORE not in stores:
            msg = f"the StorageContext dict has no {DEFAULT_VECTOR_STORE!r} vector store; pass to_dict() output"
            raise InvalidInputError(msg)
        return cls(
            docstore=SimpleDocumentStore.from_dict(save_dict["doc_store"]),
            index_store=SimpleIndexStore.from_dict(save_dict["index_store"]),
            vector_stores={name: SimpleVectorStore.from_dict(data) for name, data in stores.items()},
        )

    def to_json(self) -> str:
        """:meth:`to_dict` as a JSON string."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, data: str) -> StorageContext:
        """Rebuild a context from :meth:`to_json` output."""
        return cls.from_dict(parse_json_object(data, "StorageContext JSON"))

    @suggest_keywords
    def persist(self, persist_dir: str | os.PathLike[str] = DEFAULT_PERSIST_DIR) -> None:
        """Write docstore, index store and every vector store to ``persist_dir``, all or nothing.

        Remote vector stores (whose ``persist`` is a no-op) keep their data on their server.
        """
        directory = Path(persist_dir)
        if directory.exists() and not directory.is_dir():
            msg = f"cannot persist to {directory}: it is a file, not a directory"
            raise InvalidInputError(msg)
        with StagedCommit(directory) as stage:
            for namespace, store in self.vector_stores.items():
                store.persist(str(stage.path(vector_store_file(namespace))))
            self.index_store.persist(stage.path(DEFAULT_INDEX_STORE_FILE))
            self.docstore.persist(stage.path(DEFAULT_DOCSTORE_FILE))
        self.persist_dir = str(directory)
        logger.debug("persisted storage context to %s", directory)


def _load_vector_store(path: Path) -> BasePydanticVectorStore:
    from dovetail.core.vector_stores import SimpleVectorStore

    if not path.is_file():
        logger.debug("no %s; starting an empty SimpleVectorStore", path)
        return SimpleVectorStore()
    # Loading builds one object per node and nothing cyclic; without the pause the cyclic collector rescans the
    # growing heap again and again (measured: half of the load time of a 100k-node store).
    with gc_paused():
        return SimpleVectorStore.from_persist_path(str(path))
