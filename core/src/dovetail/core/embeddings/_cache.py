"""The embeddings cache protocol and an in-memory default."""

from __future__ import annotations

import hashlib
import threading
from typing import Any
from typing import Literal
from typing import Protocol
from typing import runtime_checkable

__all__ = ["EmbeddingsCache", "SimpleKVCache", "cache_key"]

EmbeddingMode = Literal["query", "text"]


@runtime_checkable
class EmbeddingsCache(Protocol):
    """What ``BaseEmbedding.embeddings_cache`` needs: ``get(key)`` (``None`` on a miss) and ``put(key, value)``.

    Values are plain ``list[float]``, so any JSON-capable key-value store works.
    """

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or ``None``."""
        ...

    def put(self, key: str, val: Any) -> None:
        """Store ``val`` under ``key``."""
        ...


class SimpleKVCache:
    """A thread-safe in-memory key-value cache, optionally bounded (oldest entries are evicted first).

    Args:
        max_entries: keep at most this many entries; ``None`` means unbounded.

    Example:
        ```python
        embed_model = MockEmbedding(embed_dim=8, embeddings_cache=SimpleKVCache())
        ```
    """

    def __init__(self, max_entries: int | None = None) -> None:
        self._data: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def __repr__(self) -> str:
        return f"SimpleKVCache(entries={len(self._data)}, max_entries={self._max_entries})"

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or ``None``."""
        return self._data.get(key)

    def put(self, key: str, val: Any) -> None:
        """Store ``val`` under ``key``, evicting the oldest entry when full."""
        with self._lock:
            self._data[key] = val
            if self._max_entries is not None:
                while len(self._data) > self._max_entries:
                    self._data.pop(next(iter(self._data)))

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()


def cache_key(model_name: str, mode: EmbeddingMode, text: str) -> str:
    """The cache key of ``text`` embedded by ``model_name`` as a query or as a document text.

    Query and text embeddings differ for asymmetric models (e5, instructor), so the mode is part of the key;
    the text is hashed so keys stay short whatever the text length.
    """
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{model_name}:{mode}:{digest}"
