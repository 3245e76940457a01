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

    Example:
        ```python
        cache = IngestionCache()
        pipeline = IngestionPipeline(transformations=[splitter, embed_model], cache=cache)
        pipeline.run(documents=docs)
        cache.persist("./index/ingestion_cache.json")
        ```
    """

    @suggest_keywords
    def __init__(self, persist_path: str | os.PathLike[str] | None = None) -> None:
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
    def from_persist_path(cls, persist_path: str | os.PathLike[str]) -> IngestionCache:
        """Load a persisted cache (an absent file gives an empty cache bound to that path)."""
        return cls(persist_path)

    def __len__(self) -> int:
        return len(self._nodes) + len(self._vectors)

    def clear(self) -> None:
        """Forget every entry."""
        self._nodes.clear()
        self._vectors.clear()

    def persist(self, persist_path: str | os.PathLike[str] | None = None) -> None:
        """Write the cache as JSON (to ``persist_path`` or the path it was loaded from)."""
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
        raw = self._counted(self._nodes.get(key))
        return None if raw is None else [node_from_dict(item) for item in raw]

    def put_nodes(self, key: str, nodes: list[BaseNode]) -> None:
        """Remember the output of a transformation."""
        self._nodes[key] = [node.to_dict(include_embedding=True) for node in nodes]

    # ---------------------------------------------------------------- embeddings
    @staticmethod
    def vector_key(model_fingerprint: str, text: str) -> str:
        """Cache key of embedding ``text`` with a model (by fingerprint)."""
        return hashlib.sha256((model_fingerprint + "\x00" + text).encode("utf-8", "surrogatepass")).hexdigest()

    def get_vector(self, key: str) -> list[float] | None:
        """A cached embedding, or ``None``."""
        raw = self._counted(self._vectors.get(key))
        return None if raw is None else _decode_vector(raw)

    def put_vector(self, key: str, vector: list[float]) -> None:
        """Remember an embedding."""
        self._vectors[key] = _encode_vector(vector)

    # ---------------------------------------------------------------- collections
    def collection(self, name: str) -> IngestionCache:
        """A named part of this cache (LlamaIndex's ``cache_collection``): its entries are seen only through it.

        The collection shares this cache's storage (so :meth:`persist` writes it too) and its hit and miss
        counts; ``IngestionPipeline.run(cache_collection=name)`` uses it.

        Raises:
            InvalidInputError: ``name`` is not a non-empty ``str``.
        """
        if not isinstance(name, str) or not name:
            msg = f"a cache collection is named by a non-empty str, got {name!r}"
            raise InvalidInputError(msg)
        return CacheCollection(self, name)


class CacheCollection(IngestionCache):
    """The entries of one named collection of an :class:`IngestionCache` (see :meth:`IngestionCache.collection`)."""

    def __init__(self, parent: IngestionCache, name: str) -> None:
        self._parent = parent
        self.name = name
        self._prefix = f"{name}\x00"  # entry keys are hex digests: no collection's key can look like another's
        self._nodes = parent._nodes
        self._vectors = parent._vectors
        self._counts = parent._counts
        self.persist_path = parent.persist_path

    def __repr__(self) -> str:
        return f"CacheCollection(name={self.name!r})"

    def __len__(self) -> int:
        prefix = self._prefix
        return sum(key.startswith(prefix) for key in (*self._nodes, *self._vectors))

    def clear(self) -> None:
        """Forget this collection's entries (the rest of the cache is kept)."""
        for store in (self._nodes, self._vectors):
            for key in [key for key in store if key.startswith(self._prefix)]:
                del store[key]

    def persist(self, persist_path: str | os.PathLike[str] | None = None) -> None:
        """Write the whole cache (every collection) as :meth:`IngestionCache.persist` does."""
        self._parent.persist(persist_path)

    def collection(self, name: str) -> IngestionCache:
        """Another collection of the same cache."""
        return self._parent.collection(name)

    def get_nodes(self, key: str) -> list[BaseNode] | None:
        """Cached output nodes for ``key`` in this collection, or ``None``."""
        return self._parent.get_nodes(self._prefix + key)

    def put_nodes(self, key: str, nodes: list[BaseNode]) -> None:
        """Remember the output of a transformation in this collection."""
        self._parent.put_nodes(self._prefix + key, nodes)

    def get_vector(self, key: str) -> list[float] | None:
        """A cached embedding of this collection, or ``None``."""
        return self._parent.get_vector(self._prefix + key)

    def put_vector(self, key: str, vector: list[float]) -> None:
        """Remember an embedding in this collection."""
        self._parent.put_vector(self._prefix + key, vector)
