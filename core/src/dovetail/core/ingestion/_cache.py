"""The ingestion cache: what a transformation produced for given inputs, persisted as JSON (no pickle).

Two kinds of entries share one file:

* transformation outputs, keyed by the transformation's configuration and the input nodes' ids and content
  hashes (so a changed chunk size or a changed document misses), stored as node dicts;
* embeddings, keyed by the embedding model's configuration and the exact text embedded, stored as base64 of
  float64 bytes (exact round trip, a third of the size of JSON floats).
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import json
import logging
import os
import sys
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.schema import BaseNode
from dovetail.core.schema import node_from_dict
from dovetail.core.storage._io import atomic_write_json
from dovetail.core.storage._io import read_json

__all__ = ["DEFAULT_CACHE_FILE", "CacheCollection", "IngestionCache", "fingerprint"]

logger = logging.getLogger(__name__)

DEFAULT_CACHE_FILE = "ingestion_cache.json"
DEFAULT_COLLECTION = "llama_cache"
"""LlamaIndex's name of a cache's own collection."""
_Stored = TypeVar("_Stored")

_KIND = "ingestion_cache"
_VERSION = 1
_SIMPLE = (str, int, float, bool, type(None))


def _jsonable(value: Any, depth: int = 0) -> Any:
    if isinstance(value, _SIMPLE):
        return value
    if depth > 4:
        return type(value).__qualname__
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item, depth + 1) for key, item in value.items()}
    if inspect.isroutine(value):  # a function setting (e.g. a sentence splitter): which one, not just "function"
        return f"{getattr(value, '__module__', None)}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return type(value).__qualname__


def fingerprint(transformation: Any) -> str:
    """A stable digest of a transformation's class and configuration (secrets never enter it in clear).

    Pydantic models contribute their ``model_dump()`` (``SecretStr`` dumps masked); other objects their public
    scalar attributes. Functions in the configuration contribute their module and qualified name, other objects
    only their type name.
    """
    cls = type(transformation)
    config: Any
    dump = getattr(transformation, "model_dump", None)
    if callable(dump):
        try:
            config = dump(exclude={"callback_manager", "embeddings_cache"})
        except Exception:  # a model whose dump needs arguments we cannot give
            config = {}
    else:
        config = {key: value for key, value in vars(transformation).items() if not key.startswith("_")}
    payload = json.dumps({"class": f"{cls.__module__}.{cls.__qualname__}", "config": _jsonable(config)}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _encode_vector(vector: list[float]) -> str:
    data = array("d", vector)
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        data.byteswap()
    return base64.b64encode(data.tobytes()).decode("ascii")


def _decode_vector(text: str) -> list[float]:
    data = array("d")
    data.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":  # pragma: no cover
        data.byteswap()
    return data.tolist()


class IngestionCache:
    """Cache of transformation outputs and embeddings.

    Args:
        persist_path: a JSON file to load now (if it exists) and to write with :meth:`persist`.
        collection: the collection this cache reads and writes (LlamaIndex's keyword; default, or
            ``"llama_cache"``, LlamaIndex's default name: the cache's own entries). See :meth:`for_collection`.
        cache: LlamaIndex's storage backend (``SimpleCache``, ``RedisCache``, ...); only ``None`` is taken, the
            entries are kept in memory and persisted as JSON.

    Example:
        ```python
        cache = IngestionCache()
        pipeline = IngestionPipeline(transformations=[splitter, embed_model], cache=cache)
        pipeline.run(documents=docs)
        cache.persist("./index/ingestion_cache.json")
        ```
    """

    @suggest_keywords
    def __init__(
        self,
        persist_path: str | os.PathLike[str] | None = None,
        collection: str | None = None,
        cache: object | None = None,
    ) -> None:
        if cache is not None:
            msg = (
                f"IngestionCache(cache=...) takes only None: dovetail's cache keeps its entries itself and persists "
                f"them as JSON, so a {type(cache).__name__} would not be used; leave cache out"
            )
            raise InvalidInputError(msg)
        self._prefix = _prefix(collection)
        self.collection_name = collection or DEFAULT_COLLECTION
        self._nodes: dict[str, list[dict[str, Any]]] = {}
        self._vectors: dict[str, str] = {}
        self.persist_path = Path(persist_path) if persist_path is not None else None
        self._counts = [0, 0]  # hits, misses (shared with the cache's collections)
        if self.persist_path is not None and self.persist_path.is_file():
            self._load(self.persist_path)

    def _load(self, path: Path) -> None:
        payload = read_json(path, kind=_KIND, versions=(_VERSION,))
        nodes, vectors = payload.get("nodes", {}), payload.get("vectors", {})
        if not isinstance(nodes, dict) or not isinstance(vectors, dict):
            msg = f"ingestion cache {path} is damaged; delete it (it only saves work) and run again"
            raise InvalidInputError(msg)
        self._nodes, self._vectors = nodes, vectors

    @classmethod
    def from_persist_path(
        cls, persist_path: str | os.PathLike[str], collection: str | None = None, fs: object | None = None
    ) -> IngestionCache:
        """Load a persisted cache (an absent file gives an empty cache bound to that path).

        Raises:
            InvalidInputError: ``fs`` other than ``None`` (the file is local).
        """
        _refuse_fs("IngestionCache.from_persist_path", fs)
        return cls(persist_path, collection=collection)

    def __len__(self) -> int:
        if self._prefix:
            return sum(key.startswith(self._prefix) for key in (*self._nodes, *self._vectors))
        return len(self._nodes) + len(self._vectors)

    @property
    def collection(self) -> str:
        """The collection this cache reads and writes (LlamaIndex's field; ``"llama_cache"`` by default)."""
        return self.collection_name

    def clear(self, collection: str | None = None) -> None:
        """Forget every entry (a cache built with a ``collection``: only that collection's; with ``collection``:
        that collection's, as in LlamaIndex)."""
        if collection is not None:
            self.for_collection(collection).clear()
            return
        if self._prefix:
            for store in (self._nodes, self._vectors):
                for key in [key for key in store if key.startswith(self._prefix)]:
                    del store[key]
            return
        self._nodes.clear()
        self._vectors.clear()

    def persist(self, persist_path: str | os.PathLike[str] | None = None, fs: object | None = None) -> None:
        """Write the cache, every collection, as JSON (to ``persist_path`` or the path it was loaded from).

        Raises:
            InvalidInputError: no path at all, or ``fs`` other than ``None`` (the file is local).
        """
        _refuse_fs("IngestionCache.persist", fs)
        target = Path(persist_path) if persist_path is not None else self.persist_path
        if target is None:
            msg = "IngestionCache.persist needs a path: pass persist_path or build the cache with one"
            raise InvalidInputError(msg)
        payload = {"kind": _KIND, "format_version": _VERSION, "nodes": self._nodes, "vectors": self._vectors}
        atomic_write_json(target, payload)

    def _counted(self, raw: _Stored | None) -> _Stored | None:
        """``raw`` (a stored entry, or ``None`` when the key is not stored), counted as a hit or a miss."""
        self._counts[raw is None] += 1
        return raw

    @property
    def hits(self) -> int:
        """Lookups that found an entry (in any collection of this cache)."""
        return self._counts[0]

    @property
    def misses(self) -> int:
        """Lookups that found none (in any collection of this cache)."""
        return self._counts[1]

    # ---------------------------------------------------------------- transformation outputs
    @staticmethod
    def nodes_key(nodes: list[BaseNode], transformation_fingerprint: str) -> str:
        """Cache key of running a transformation (by fingerprint) on ``nodes``."""
        digest = hashlib.sha256(transformation_fingerprint.encode("ascii"))
        for node in nodes:
            digest.update(b"\x00" + node.node_id.encode("utf-8", "surrogatepass") + b"\x01" + node.hash.encode())
        return digest.hexdigest()

    def get_nodes(self, key: str) -> list[BaseNode] | None:
        """Cached output nodes for ``key`` (fresh objects), or ``None``."""
        raw = self._counted(self._nodes.get(self._prefix + key))
        return None if raw is None else [node_from_dict(item) for item in raw]

    def put_nodes(self, key: str, nodes: list[BaseNode]) -> None:
        """Remember the output of a transformation."""
        self._nodes[self._prefix + key] = [node.to_dict(include_embedding=True) for node in nodes]

    # ---------------------------------------------------------------- embeddings
    @staticmethod
    def vector_key(model_fingerprint: str, text: str) -> str:
        """Cache key of embedding ``text`` with a model (by fingerprint)."""
        return hashlib.sha256((model_fingerprint + "\x00" + text).encode("utf-8", "surrogatepass")).hexdigest()

    def get_vector(self, key: str) -> list[float] | None:
        """A cached embedding, or ``None``."""
        raw = self._counted(self._vectors.get(self._prefix + key))
        return None if raw is None else _decode_vector(raw)

    def put_vector(self, key: str, vector: list[float]) -> None:
        """Remember an embedding."""
        self._vectors[self._prefix + key] = _encode_vector(vector)

    # ---------------------------------------------------------------- collections
    def put(self, key: str, nodes: Sequence[BaseNode], collection: str | None = None) -> None:
        """LlamaIndex's ``put``: store ``nodes`` under ``key`` (in ``collection`` when given)."""
        target = self if collection is None else self.for_collection(collection)
        target.put_nodes(key, list(nodes))

    def get(self, key: str, collection: str | None = None) -> list[BaseNode] | None:
        """LlamaIndex's ``get``: the nodes stored under ``key`` (in ``collection`` when given), or ``None``."""
        target = self if collection is None else self.for_collection(collection)
        return target.get_nodes(key)

    def for_collection(self, name: str) -> IngestionCache:
        """A named part of this cache (LlamaIndex's ``cache_collection``): its entries are seen only through it.

        The collection shares this cache's storage (so :meth:`persist` writes it too) and its hit and miss
        counts; ``IngestionPipeline.run(cache_collection=name)`` uses it. ``"llama_cache"`` (LlamaIndex's
        default collection) is the cache's own entries.

        Raises:
            InvalidInputError: ``name`` is not a non-empty ``str``.
        """
        if not isinstance(name, str) or not name:
            msg = f"a cache collection is named by a non-empty str, got {name!r}"
            raise InvalidInputError(msg)
        return CacheCollection(self, name)


class CacheCollection(IngestionCache):
    """One named collection of an :class:`IngestionCache` (see :meth:`IngestionCache.for_collection`): the same
    storage, file and counts, its own entries."""

    def __init__(self, parent: IngestionCache, name: str) -> None:
        self._parent = parent
        self._prefix = _prefix(name)
        self.collection_name = name
        self._nodes = parent._nodes
        self._vectors = parent._vectors
        self._counts = parent._counts
        self.persist_path = parent.persist_path

    def __repr__(self) -> str:
        return f"CacheCollection(name={self.collection_name!r})"

    def persist(self, persist_path: str | os.PathLike[str] | None = None, fs: object | None = None) -> None:
        """Write the whole cache (every collection) as :meth:`IngestionCache.persist` does."""
        self._parent.persist(persist_path, fs)


def _prefix(collection: str | None) -> str:
    """The key prefix of a collection's entries (none for the cache's own entries).

    Entry keys are hex digests, so no collection's key can look like another collection's.
    """
    if collection is None or collection == DEFAULT_COLLECTION:
        return ""
    if not isinstance(collection, str) or not collection:
        msg = f"a cache collection is named by a non-empty str or None, got {collection!r}"
        raise InvalidInputError(msg)
    return f"{collection}\x00"


def _refuse_fs(owner: str, fs: object | None) -> None:
    if fs is not None:
        msg = f"{owner}() writes and reads local files only; pass fs=None (fsspec file systems are not supported)"
        raise InvalidInputError(msg)
