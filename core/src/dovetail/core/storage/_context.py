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
from collections.abc import Mapping
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
from dovetail.core.storage._io import STAGING_DIR
from dovetail.core.storage._io import StagedCommit
from dovetail.core.storage._io import parse_json_object
from dovetail.core.storage._io import recover
from dovetail.core.storage._kvstore_options import refuse_kvstore_options
from dovetail.core.storage._lock import snapshot_lock

if TYPE_CHECKING:
    from dovetail.core.vector_stores import BasePydanticVectorStore

__all__ = ["DEFAULT_PERSIST_DIR", "DEFAULT_VECTOR_STORE", "StorageContext", "vector_store_file"]

logger = logging.getLogger(__name__)

DEFAULT_PERSIST_DIR = "./storage"
DEFAULT_VECTOR_STORE = "default"
IMAGE_VECTOR_STORE_NAMESPACE = "image"
_NAMESPACE_SEP = "__"
_VECTOR_STORE_FNAME = "vector_store.json"
_NAMESPACED_SUFFIX = f"{_NAMESPACE_SEP}{_VECTOR_STORE_FNAME}"
# LlamaIndex's persist() takes these file names too; dovetail writes no such file (see _refuse_unwritten_names).
_UNWRITTEN_FNAMES = {
    "image_store_fname": "image_store.json",
    "graph_store_fname": "graph_store.json",
    "pg_graph_store_fname": "property_graph_store.json",
}
_VECTOR_STORES_KEY = "vector_store"
_OLD_VECTOR_STORES_KEY = "vector_stores"
_NO_GRAPH_STORES = (
    "dovetail has no graph stores (knowledge-graph indexes are not part of it), so there is nothing to put there; "
    "leave {name} out"
)


def vector_store_file(namespace: str = DEFAULT_VECTOR_STORE, fname: str = _VECTOR_STORE_FNAME) -> str:
    """File name of a vector store namespace inside a persist directory (``<namespace>__<fname>``)."""
    return f"{namespace}{_NAMESPACE_SEP}{fname}"


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
        image_store: BasePydanticVectorStore | None = None,
        vector_stores: Mapping[str, BasePydanticVectorStore] | None = None,
        graph_store: None = None,
        property_graph_store: None = None,
        persist_dir: str | os.PathLike[str] | None = None,
        fs: None = None,
    ) -> StorageContext:
        """Build a context; with ``persist_dir`` the missing parts are loaded from that directory.

        ``vector_store`` is the ``"default"`` namespace, ``image_store`` the ``"image"`` one, and ``vector_stores``
        gives stores by namespace (all three combine; a namespace given twice is refused). With ``persist_dir``
        the namespaces not given are loaded from ``<namespace>__vector_store.json`` there.

        The docstore is opened lazily (read on first use), so loading an index whose vector store keeps the
        node text never parses ``docstore.json``.

        LlamaIndex's ``graph_store``, ``property_graph_store`` and ``fs`` are taken only as ``None``: dovetail has
        no graph stores and persists to the local file system.

        Raises:
            NotFoundError: ``persist_dir`` does not exist or holds no index.
            InvalidInputError: a file there is damaged or of an unknown format version.
            TypeError: a graph store or ``fs`` was given, a namespace was given twice, or a vector store is not a
                ``BasePydanticVectorStore``.
        """
        _refuse_graph_stores("from_defaults", graph_store=graph_store, property_graph_store=property_graph_store)
        refuse_kvstore_options("StorageContext", "from_defaults", fs=fs)
        given = _given_vector_stores(vector_store, image_store, vector_stores)
        if persist_dir is None:
            given.setdefault(DEFAULT_VECTOR_STORE, _default_vector_store())
            return cls(
                docstore=docstore if docstore is not None else SimpleDocumentStore(),
                index_store=index_store if index_store is not None else SimpleIndexStore(),
                vector_stores=given,
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
            loaded = {DEFAULT_VECTOR_STORE: directory / vector_store_file()}
            for path in sorted(directory.glob(f"*{_NAMESPACED_SUFFIX}")):
                loaded[path.name[: -len(_NAMESPACED_SUFFIX)]] = path
            for namespace, path in loaded.items():
                if namespace not in given:
                    given[namespace] = _load_vector_store(path)
            return cls(
                docstore=docstore if docstore is not None else SimpleDocumentStore.from_persist_dir(directory),
                index_store=index_store if index_store is not None else SimpleIndexStore.from_persist_dir(directory),
                vector_stores=given,
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
        """Everything in the context as one JSON-ready dict, read back by :meth:`from_dict`.

        The keys are LlamaIndex's: ``doc_store``, ``index_store``, ``vector_store`` (the stores by namespace),
        and ``graph_store``/``property_graph_store`` as ``None`` (dovetail has no graph stores).

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
            _VECTOR_STORES_KEY: vector_stores,
            "doc_store": self.docstore.to_dict(),
            "index_store": self.index_store.to_dict(),
            "graph_store": None,
            "property_graph_store": None,
        }

    @classmethod
    def from_dict(cls, save_dict: dict[str, Any]) -> StorageContext:
        """Rebuild a context from :meth:`to_dict` output.

        The vector stores are read from ``vector_store`` (LlamaIndex's key) or ``vector_stores`` (the key of
        dovetail 0.x payloads). A non-empty ``graph_store``/``property_graph_store`` is refused: dovetail has no
        graph stores to put it in.

        Raises:
            InvalidInputError: the dict is not such a payload, or holds a graph store's data.
        """
        from dovetail.core.vector_stores import SimpleVectorStore

        if not isinstance(save_dict, dict) or not {"doc_store", "index_store"} <= save_dict.keys():
            msg = "a StorageContext dict needs 'doc_store', 'index_store' and 'vector_store'; pass to_dict() output"
            raise InvalidInputError(msg)
        stores = save_dict.get(_VECTOR_STORES_KEY, save_dict.get(_OLD_VECTOR_STORES_KEY))
        if not isinstance(stores, dict) or DEFAULT_VECTOR_STORE not in stores:
            msg = f"the StorageContext dict has no {DEFAULT_VECTOR_STORE!r} vector store; pass to_dict() output"
            raise InvalidInputError(msg)
        for key in ("graph_store", "property_graph_store"):
            if not _is_empty(save_dict.get(key)):
                msg = (
                    f"the StorageContext dict holds a {key} with data, and dovetail has no graph stores to load it "
                    f"into; drop the {key!r} entry (its graph would be lost) or keep that index in LlamaIndex"
                )
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
    def persist(
        self,
        persist_dir: str | os.PathLike[str] = DEFAULT_PERSIST_DIR,
        docstore_fname: str = DEFAULT_DOCSTORE_FILE,
        index_store_fname: str = DEFAULT_INDEX_STORE_FILE,
        vector_store_fname: str = _VECTOR_STORE_FNAME,
        image_store_fname: str = _UNWRITTEN_FNAMES["image_store_fname"],
        graph_store_fname: str = _UNWRITTEN_FNAMES["graph_store_fname"],
        pg_graph_store_fname: str = _UNWRITTEN_FNAMES["pg_graph_store_fname"],
        fs: None = None,
    ) -> None:
        """Write docstore, index store and every vector store to ``persist_dir``, all or nothing.

        Each vector store goes to ``<namespace>__<vector_store_fname>`` (the image store is the ``"image"``
        namespace, as in LlamaIndex). :meth:`from_defaults` reads the default file names; files written under
        other names are read back with the stores' own ``from_persist_path``. Remote vector stores (whose
        ``persist`` is a no-op) keep their data on their server.

        Raises:
            InvalidInputError: ``persist_dir`` is a file, or a file name is empty or holds a folder separator.
            TypeError: ``fs`` was given, or a name of a file dovetail does not write (``image_store_fname``,
                ``graph_store_fname``, ``pg_graph_store_fname``) differs from LlamaIndex's default.
        """
        refuse_kvstore_options("StorageContext", "persist", fs=fs)
        _refuse_unwritten_names(
            image_store_fname=image_store_fname,
            graph_store_fname=graph_store_fname,
            pg_graph_store_fname=pg_graph_store_fname,
        )
        names = {
            "docstore_fname": docstore_fname,
            "index_store_fname": index_store_fname,
            "vector_store_fname": vector_store_fname,
        }
        for keyword, name in names.items():
            _check_file_name(keyword, name)
        directory = Path(persist_dir)
        if directory.exists() and not directory.is_dir():
            msg = f"cannot persist to {directory}: it is a file, not a directory"
            raise InvalidInputError(msg)
        with StagedCommit(directory) as stage:
            for namespace, store in self.vector_stores.items():
                store.persist(str(stage.path(vector_store_file(namespace, vector_store_fname))))
            self.index_store.persist(stage.path(index_store_fname))
            self.docstore.persist(stage.path(docstore_fname))
        self.persist_dir = str(directory)
        logger.debug("persisted storage context to %s", directory)


def _given_vector_stores(
    vector_store: BasePydanticVectorStore | None,
    image_store: BasePydanticVectorStore | None,
    vector_stores: Mapping[str, BasePydanticVectorStore] | None,
) -> dict[str, BasePydanticVectorStore]:
    """The vector stores passed to ``from_defaults``, by namespace; a namespace given twice is refused."""
    from dovetail.core.vector_stores import BasePydanticVectorStore

    if vector_stores is not None and not isinstance(vector_stores, Mapping):
        msg = f"vector_stores must map namespaces to vector stores, got {type(vector_stores).__name__}"
        raise TypeError(msg)
    given: dict[str, BasePydanticVectorStore] = dict(vector_stores or {})
    for keyword, namespace, store in (
        ("vector_store", DEFAULT_VECTOR_STORE, vector_store),
        ("image_store", IMAGE_VECTOR_STORE_NAMESPACE, image_store),
    ):
        if store is None:
            continue
        if namespace in given:
            msg = (
                f"StorageContext.from_defaults() got the {namespace!r} vector store twice: as {keyword}= and in "
                f"vector_stores; pass it once"
            )
            raise TypeError(msg)
        given[namespace] = store
    for namespace, store in given.items():
        if not isinstance(namespace, str) or not isinstance(store, BasePydanticVectorStore):
            msg = (
                f"vector store {namespace!r} is a {type(store).__name__}, not a vector store; pass a "
                "BasePydanticVectorStore (SimpleVectorStore, PineconeVectorStore, ...) under a str namespace"
            )
            raise TypeError(msg)
    return given


def _refuse_graph_stores(method: str, **given: object) -> None:
    for name, value in given.items():
        if value is not None:
            msg = f"StorageContext.{method}() does not take LlamaIndex's {name!r}: " + _NO_GRAPH_STORES.format(
                name=name
            )
            raise TypeError(msg)


def _refuse_unwritten_names(**given: str) -> None:
    for keyword, name in given.items():
        default = _UNWRITTEN_FNAMES[keyword]
        if name == default:
            continue
        if keyword == "image_store_fname":
            advice = (
                "the image store is the 'image' vector store namespace and is written as image__<vector_store_fname> "
                "(LlamaIndex does the same and never uses this name); leave image_store_fname out"
            )
        else:
            advice = _NO_GRAPH_STORES.format(name=keyword)
        msg = f"StorageContext.persist() got {keyword}={name!r}, a name for a file it never writes: {advice}"
        raise TypeError(msg)


def _check_file_name(keyword: str, name: object) -> None:
    if not isinstance(name, str) or not name or name in {".", ".."} or "/" in name or os.sep in name:
        msg = f"{keyword} must be a plain file name such as 'docstore.json' (no folder), got {name!r}"
        raise InvalidInputError(msg)
    if name.startswith(STAGING_DIR):
        msg = f"{keyword} {name!r} starts with {STAGING_DIR!r}, which the persist directory reserves for commits"
        raise InvalidInputError(msg)


def _is_empty(payload: object) -> bool:
    """Whether a serialised graph store holds nothing (``None``, or containers that are all empty)."""
    if payload is None:
        return True
    if isinstance(payload, dict):
        return all(_is_empty(value) for value in payload.values())
    return payload == {} or payload == []


def _load_vector_store(path: Path) -> BasePydanticVectorStore:
    from dovetail.core.vector_stores import SimpleVectorStore

    if not path.is_file():
        logger.debug("no %s; starting an empty SimpleVectorStore", path)
        return SimpleVectorStore()
    # Loading builds one object per node and nothing cyclic; without the pause the cyclic collector rescans the
    # growing heap again and again (measured: half of the load time of a 100k-node store).
    with gc_paused():
        return SimpleVectorStore.from_persist_path(str(path))
