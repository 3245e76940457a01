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

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dovetail.core._exceptions import InvalidInputError, NotFoundError
from dovetail.core._gc import gc_paused
from dovetail.core.storage._docstore import DEFAULT_DOCSTORE_FILE, SimpleDocumentStore
from dovetail.core.storage._index_store import DEFAULT_INDEX_STORE_FILE, SimpleIndexStore
from dovetail.core.storage._io import StagedCommit, recover
from dovetail.core.storage._lock import snapshot_lock

if TYPE_CHECKING:
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["DEFAULT_PERSIST_DIR", "DEFAULT_VECTOR_STORE", "StorageContext", "vector_store_file"]

logger = logging.getLogger(__name__)

DEFAULT_PERSIST_DIR = "./storage"
DEFAULT_VECTOR_STORE = "default"


def vector_store_file(namespace: str = DEFAULT_VECTOR_STORE) -> str:
    """File name of a vector store namespace inside a persist directory."""
    return f"{namespace}__vector_store.json"


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
            return cls(
                docstore=docstore if docstore is not None else SimpleDocumentStore.from_persist_dir(directory),
                index_store=index_store if index_store is not None else SimpleIndexStore.from_persist_dir(directory),
                vector_stores={DEFAULT_VECTOR_STORE: vector_store},
                persist_dir=str(directory),
            )

    @property
    def vector_store(self) -> BasePydanticVectorStore:
        """The default vector store."""
        return self.vector_stores[DEFAULT_VECTOR_STORE]

    def add_vector_store(self, vector_store: BasePydanticVectorStore, namespace: str) -> None:
        """Register another vector store under ``namespace``."""
        self.vector_stores[namespace] = vector_store

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
