"""A small LRU cache of filtered selections: the rows a restriction selects and a contiguous copy of them.

A filtered query spends most of its time gathering the selected rows out of the store's matrix (10 % of 100k x 384
float32 is 15 MB of scattered reads), not in the matrix-vector product. Filters repeat in practice (one tenant,
user or category across many queries), so the store keeps the gathered rows per restriction and answers a repeated
one with a matmul over the cached block.

The key is a canonical, hashable form of the restriction (:func:`selection_key`): two equal filters built
separately give equal keys; filters that could select different rows never do. Values keep their type (``1``,
``1.0``, ``True`` and ``"1"`` are four keys), lists are turned into tagged tuples in their given order, and a
value the canonical form does not know makes the restriction uncacheable (answered without the cache) rather than
risk a collision or fail. Filters that select the same rows but are spelled differently (``[1, 2]`` vs ``[2, 1]``)
are separate entries; that costs memory, never correctness.

Entries carry the store version they were built at; the store bumps its version and clears the cache on every
write, and a lookup that finds an entry of another version drops the whole cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from dovetail.core.vector_stores._matrix import Similarity
from dovetail.core.vector_stores._matrix import similarities
from dovetail.core.vector_stores._types import MetadataFilter
from dovetail.core.vector_stores._types import MetadataFilters

__all__ = ["FilterCacheInfo", "Selection", "SelectionCache", "selection_key"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]

_EXACT = (bool, int, str)  # compared by exact type, so True, 1 and "1" stay apart (bool is an int subclass)


def selection_key(
    filters: MetadataFilters | None,
    doc_ids: Sequence[str] | None,
    node_ids: Sequence[str] | None,
) -> Hashable | None:
    """A hashable key for the rows a query restriction selects, or ``None`` when it cannot be keyed safely."""
    makers: tuple[tuple[Any, Callable[[Any], Hashable | None]], ...] = (
        (filters, _group_key),
        (doc_ids, _ids_key),
        (node_ids, _ids_key),
    )
    parts: list[Hashable] = []
    for given, make in makers:
        key = None if given is None else make(given)
        if given is not None and key is None:
            return None
        parts.append(key)
    return tuple(parts)


def _group_key(group: MetadataFilters) -> Hashable | None:
    items: list[Hashable] = []
    for item in group.filters:
        key = _group_key(item) if isinstance(item, MetadataFilters) else _filter_key(item)
        if key is None:
            return None
        items.append(key)
    condition = getattr(group.condition, "value", None)
    return None if not isinstance(condition, str) else ("group", condition, tuple(items))


def _filter_key(item: Any) -> Hashable | None:
    if not isinstance(item, MetadataFilter) or type(item.key) is not str:
        return None
    operator = getattr(item.operator, "value", None)
    value = _value_key(item.value)
    return None if value is None or not isinstance(operator, str) else ("filter", item.key, operator, value)


def _value_key(value: Any) -> Hashable | None:
    kind = type(value)
    if value is None:
        return ("none",)
    if kind is float:
        return ("float", repr(value))  # repr: a NaN value matches its own key; -0.0 and 0.0 are two (safe) keys
    if kind in _EXACT:
        return (kind.__name__, value)
    if kind is list:
        items = tuple(_value_key(v) for v in value)
        return None if any(v is None for v in items) else ("list", items)
    return None


def _ids_key(ids: Sequence[str]) -> Hashable | None:
    if not isinstance(ids, (list, tuple)) or not all(type(i) is str for i in ids):
        return None
    return tuple(ids)


@dataclass(frozen=True)
class Selection:
    """Rows selected by one restriction at one store version, with a contiguous copy of their vectors and norms."""

    rows: I64
    vectors: F32
    norms: F32
    version: int

    def __post_init__(self) -> None:
        for array in (self.rows, self.vectors, self.norms):
            array.flags.writeable = False  # shared by every query that hits this entry

    def scores(self, query: F32, similarity: Similarity) -> F32:
        """Similarity of ``query`` to each selected row, in ``rows`` order (as ``VectorMatrix.scores``)."""
        return similarities(self.vectors @ query, self.norms, query, similarity)

    @property
    def size(self) -> int:
        """Number of selected rows."""
        return int(self.rows.shape[0])

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays of this entry."""
        return int(self.rows.nbytes + self.vectors.nbytes + self.norms.nbytes)


class FilterCacheInfo(NamedTuple):
    """Statistics of a store's filtered-selection cache, in the spirit of ``functools.lru_cache().cache_info()``.

    Attributes:
        hits: filtered queries answered from the cache.
        misses: cacheable filtered queries that evaluated their filter (the entry was absent or stale).
        entries: selections held now.
        rows: rows held by every entry together.
        nbytes: memory held by every entry together.
    """

    hits: int
    misses: int
    entries: int
    rows: int
    nbytes: int


class SelectionCache:
    """Least-recently-used :class:`Selection` entries, bounded in count and in total rows (set per insert)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, Selection] = OrderedDict()
        self._rows = 0
        self._hits = 0
        self._misses = 0

    def info(self) -> FilterCacheInfo:
        """Hit and miss counts since the store was built, and what the cache holds now."""
        return FilterCacheInfo(self._hits, self._misses, len(self._entries), self._rows, self.nbytes)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def rows(self) -> int:
        """Rows held by every entry together."""
        return self._rows

    @property
    def nbytes(self) -> int:
        """Memory held by every entry together."""
        return sum(entry.nbytes for entry in self._entries.values())

    def clear(self) -> None:
        """Drop every entry (and free its memory now, not at the next lookup)."""
        self._entries.clear()
        self._rows = 0

    def get(self, key: Hashable, version: int) -> Selection | None:
        """The entry for ``key`` built at ``version``; an entry of another version clears the cache."""
        entry = self._entries.get(key)
        if entry is None:
            self._misses += 1
            return None
        if entry.version != version:
            self.clear()  # every entry predates the same write
            self._misses += 1
            return None
        self._entries.move_to_end(key)
        self._hits += 1
        return entry

    def put(self, key: Hashable, entry: Selection, *, max_entries: int, max_rows: int) -> bool:
        """Keep ``entry`` under ``key``, evicting the least recently used ones to stay within both bounds.

        Returns:
            Whether the entry was kept (it is not when it alone exceeds ``max_rows`` or ``max_entries`` < 1).
        """
        if max_entries < 1 or entry.size > max_rows:
            return False
        if any(old.version != entry.version for old in self._entries.values()):
            self.clear()
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._rows -= previous.size
        while self._entries and (len(self._entries) >= max_entries or self._rows + entry.size > max_rows):
            _, evicted = self._entries.popitem(last=False)
            self._rows -= evicted.size
        self._entries[key] = entry
        self._rows += entry.size
        return True
