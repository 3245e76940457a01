"""Evaluate :class:`MetadataFilters` over all rows at once, as a boolean mask (before any ranking).

Each metadata key used by a filter gets a cached *column*: the distinct values of that key and, per row, the
code of its value (dictionary encoding). A filter is evaluated once per distinct value in Python and mapped to
the rows with one numpy take, so a filter over 100k rows with few distinct values costs microseconds. Numeric
range filters use a float64 copy of the column instead. Columns are rebuilt lazily after a write.

Semantics (same as LlamaIndex's in-memory filters): a row whose key is missing or ``None`` matches no operator
except ``is_empty``; an unknown key therefore matches nothing (no error). ``NOT`` matches rows where none of its
filters match. An empty group matches every row.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from dovetail.core._exceptions import InvalidInputError
from dovetail.core.vector_stores._types import FilterCondition
from dovetail.core.vector_stores._types import FilterOperator
from dovetail.core.vector_stores._types import MetadataFilter
from dovetail.core.vector_stores._types import MetadataFilters
from dovetail.core.vector_stores.filter_check import ORDER_OPERATORS
from dovetail.core.vector_stores.filter_check import check_filter_value

__all__ = ["ColumnCache", "filter_mask", "validate_filters"]

Mask = npt.NDArray[np.bool_]
_MISSING: Any = object()


def validate_filters(filters: MetadataFilters) -> None:
    """Check value shapes per operator before touching any data.

    Raises:
        InvalidInputError: a list operator without a list value, a range/text operator with a list value.
    """
    for item in filters.filters:
        if isinstance(item, MetadataFilters):
            validate_filters(item)
            continue
        check_filter_value(item)


def _freeze(value: Any) -> Hashable:
    if isinstance(value, list):
        return ("\x00list", *(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("\x00dict", *sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, bool):
        return ("\x00bool", value)  # keep True and 1 apart in the code table; == still treats them alike
    return value if isinstance(value, Hashable) else ("\x00id", id(value))


def _compare(op: FilterOperator, stored: Any, wanted: Any) -> bool:
    if op == FilterOperator.IS_EMPTY:
        return stored is _MISSING or stored is None or stored == "" or stored == []
    if stored is _MISSING or stored is None:
        return False
    try:
        if op == FilterOperator.EQ:
            return bool(stored == wanted)
        if op == FilterOperator.NE:
            return bool(stored != wanted)
        if op == FilterOperator.GT:
            return bool(stored > wanted)
        if op == FilterOperator.GTE:
            return bool(stored >= wanted)
        if op == FilterOperator.LT:
            return bool(stored < wanted)
        if op == FilterOperator.LTE:
            return bool(stored <= wanted)
    except TypeError:
        return False  # e.g. "2020" > 5: values of another type never match a range filter
    items = stored if isinstance(stored, list) else [stored]
    if op == FilterOperator.IN:
        return any(v in wanted for v in items)
    if op == FilterOperator.NIN:
        return not any(v in wanted for v in items)
    if op == FilterOperator.ANY:
        return isinstance(stored, list) and any(v in stored for v in wanted)
    if op == FilterOperator.ALL:
        return isinstance(stored, list) and all(v in stored for v in wanted)
    if op == FilterOperator.CONTAINS:
        return isinstance(stored, (list, str)) and _contains(stored, wanted)
    if op == FilterOperator.TEXT_MATCH:
        return isinstance(stored, str) and wanted in stored
    msg = f"unsupported filter operator {op!r}"  # unreachable: FilterOperator.parse rejects the rest
    raise InvalidInputError(msg)


def _contains(stored: list[Any] | str, wanted: Any) -> bool:
    if isinstance(stored, str):
        return isinstance(wanted, str) and wanted in stored
    return wanted in stored


class _Column:
    """Dictionary-encoded values of one metadata key over all rows."""

    def __init__(self, values: Sequence[Any]) -> None:
        table: dict[Hashable, int] = {}
        self.distinct: list[Any] = []
        codes = np.empty(len(values), dtype=np.int32)
        for row, value in enumerate(values):
            key = _freeze(value) if value is not _MISSING else _MISSING
            code = table.get(key)
            if code is None:
                code = table[key] = len(self.distinct)
                self.distinct.append(value)
            codes[row] = code
        self.codes = codes
        self._numbers: npt.NDArray[np.float64] | None = None

    @property
    def numbers(self) -> npt.NDArray[np.float64]:
        """The column as float64 (NaN where the value is not a number), for vectorised range filters."""
        if self._numbers is None:
            per_code = np.array(
                [float(v) if isinstance(v, (int, float)) else np.nan for v in self.distinct],
                dtype=np.float64,
            )
            self._numbers = per_code[self.codes] if per_code.size else np.empty(0, dtype=np.float64)
        return self._numbers

    def mask(self, item: MetadataFilter) -> Mask:
        op, wanted = item.operator, item.value
        is_number = isinstance(wanted, (int, float)) and not isinstance(wanted, bool)
        if op in ORDER_OPERATORS and is_number and len(self.distinct) > 64:
            numbers = self.numbers
            with np.errstate(invalid="ignore"):
                return _RANGE[op](numbers, float(wanted))  # type: ignore[arg-type]
        table = np.fromiter((_compare(op, v, wanted) for v in self.distinct), dtype=np.bool_, count=len(self.distinct))
        return table[self.codes]


_RANGE: dict[FilterOperator, Callable[[npt.NDArray[np.float64], float], Mask]] = {
    FilterOperator.GT: np.greater,
    FilterOperator.GTE: np.greater_equal,
    FilterOperator.LT: np.less,
    FilterOperator.LTE: np.less_equal,
}


class ColumnCache:
    """Per-key columns over the store's metadata; call :meth:`invalidate` after every write."""

    def __init__(self) -> None:
        self._columns: dict[str, _Column] = {}

    def invalidate(self) -> None:
        """Forget every column (they are rebuilt on the next filtered read)."""
        self._columns.clear()

    def mask(self, filters: MetadataFilters, metadata: Sequence[dict[str, Any]]) -> Mask:
        """Rows of ``metadata`` matching ``filters``."""
        count = len(metadata)
        if not filters.filters:
            return np.ones(count, dtype=np.bool_)
        parts = [
            self.mask(item, metadata)
            if isinstance(item, MetadataFilters)
            else self._column(item.key, metadata).mask(item)
            for item in filters.filters
        ]
        if filters.condition == FilterCondition.AND:
            return np.logical_and.reduce(parts)  # type: ignore[no-any-return]
        combined = np.logical_or.reduce(parts)
        return ~combined if filters.condition == FilterCondition.NOT else combined  # type: ignore[no-any-return]

    def _column(self, key: str, metadata: Sequence[dict[str, Any]]) -> _Column:
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = _Column([md.get(key, _MISSING) for md in metadata])
        return column


def filter_mask(filters: MetadataFilters, metadata: Sequence[dict[str, Any]]) -> Mask:
    """Which of ``metadata`` (one dict per item) match ``filters``, with the in-process store's semantics.

    For components that filter their own items the way :class:`SimpleVectorStore` does (e.g. a keyword
    retriever applying a query's ``MetadataFilters``).

    Raises:
        InvalidInputError: a filter value of the wrong shape for its operator.
    """
    validate_filters(filters)
    return ColumnCache().mask(filters, metadata)
