"""``MetadataFilters`` to a SQL ``WHERE`` fragment over the ``metadata`` JSONB column (pure, no I/O).

Every key and value travels as a bound parameter (``%s``); nothing from a filter is ever spliced into the SQL
text, so quotes, ``$``, semicolons or SQL fragments in keys and values are data, not code. Semantics match
:class:`~dovetail.core.vector_stores.SimpleVectorStore`: a missing or ``null`` key matches no operator except
``is_empty``; ``NOT`` matches rows where none of its filters match; ``==`` on a scalar uses JSONB containment
(served by the GIN index); range operators only compare values of the filter value's JSON type.

A filter SQL cannot express faithfully (NaN/infinity, or a NUL character that PostgreSQL text cannot hold)
raises :class:`~dovetail.core.errors.InvalidInputError`; nothing falls back to fetching every row.
"""

from __future__ import annotations

import json
import math
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.core.vector_stores import FilterCondition
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores.filter_check import check_filter_value
from psycopg import sql

__all__ = ["Where", "filters_sql", "json_param"]

Where = tuple[sql.Composable, list[Any]]
"""A SQL fragment and its parameters, in order."""

_ORDER = {
    FilterOperator.GT: sql.SQL(">"),
    FilterOperator.GTE: sql.SQL(">="),
    FilterOperator.LT: sql.SQL("<"),
    FilterOperator.LTE: sql.SQL("<="),
}
_TRUE = sql.SQL("TRUE")
_FALSE = sql.SQL("FALSE")


def _check_value(key: str, value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        msg = f"filter on {key!r}: {value!r} cannot be compared in PostgreSQL JSON; use a finite number"
        raise InvalidInputError(msg)
    if isinstance(value, str) and "\x00" in value:
        msg = f"filter on {key!r}: the value holds a NUL character, which PostgreSQL text cannot store"
        raise InvalidInputError(msg)
    if isinstance(value, list):
        for item in value:
            _check_value(key, item)


def json_param(value: Any) -> str:
    """``value`` as JSON text for a ``%s::jsonb`` parameter (finite numbers only)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _leaf(item: MetadataFilter, column: sql.Composable) -> Where:
    key, op, value = item.key, item.operator, item.value
    if "\x00" in key:
        msg = f"filter key {key!r} holds a NUL character, which PostgreSQL text cannot store"
        raise InvalidInputError(msg)
    _check_value(key, value)
    check_filter_value(item)
    v = sql.SQL("({} -> %s)").format(column)
    if op == FilterOperator.IS_EMPTY:
        fragment = sql.SQL("COALESCE({v} IN ('null'::jsonb, '\"\"'::jsonb, '[]'::jsonb), TRUE)").format(v=v)
        return fragment, [key]
    if value is None and op in (FilterOperator.EQ, FilterOperator.NE, FilterOperator.CONTAINS):
        return _FALSE, []  # a stored null never matches, and nothing equals a missing value
    if op == FilterOperator.EQ:
        if isinstance(value, list):
            return sql.SQL("COALESCE({v} = %s::jsonb, FALSE)").format(v=v), [key, json_param(value)]
        return sql.SQL("({} @> %s::jsonb)").format(column), [json_param({key: value})]
    if op == FilterOperator.NE:
        fragment = sql.SQL("COALESCE({v} <> 'null'::jsonb AND {v} <> %s::jsonb, FALSE)").format(v=v)
        return fragment, [key, key, json_param(value)]
    if op in _ORDER:
        order = sql.SQL("COALESCE(jsonb_typeof({v}) = jsonb_typeof(%s::jsonb) AND {v} {op} %s::jsonb, FALSE)")
        return order.format(v=v, op=_ORDER[op]), [key, json_param(value), key, json_param(value)]
    if op in (FilterOperator.IN, FilterOperator.NIN):
        # A stored list matches IN when any of its elements is in the filter's list.
        inside = sql.SQL(
            "CASE WHEN jsonb_typeof({v}) = 'array' "
            "THEN EXISTS (SELECT 1 FROM jsonb_array_elements({v}) AS e WHERE %s::jsonb @> jsonb_build_array(e)) "
            "ELSE %s::jsonb @> jsonb_build_array({v}) END"
        ).format(v=v)
        wanted = json_param(value)
        if op == FilterOperator.IN:
            return sql.SQL("COALESCE({}, FALSE)").format(inside), [key, key, wanted, wanted, key]
        fragment = sql.SQL("COALESCE({v} <> 'null'::jsonb AND NOT ({inside}), FALSE)").format(v=v, inside=inside)
        return fragment, [key, key, key, wanted, wanted, key]
    if op == FilterOperator.ANY:
        fragment = sql.SQL(
            "COALESCE(jsonb_typeof({v}) = 'array' AND EXISTS "
            "(SELECT 1 FROM jsonb_array_elements(%s::jsonb) AS w WHERE {v} @> jsonb_build_array(w)), FALSE)"
        ).format(v=v)
        return fragment, [key, json_param(value), key]
    if op == FilterOperator.ALL:
        fragment = sql.SQL("COALESCE(jsonb_typeof({v}) = 'array' AND {v} @> %s::jsonb, FALSE)").format(v=v)
        return fragment, [key, key, json_param(value)]
    if op == FilterOperator.CONTAINS:
        fragment = sql.SQL(
            "COALESCE(CASE jsonb_typeof({v}) "
            "WHEN 'array' THEN {v} @> jsonb_build_array(%s::jsonb) "
            "WHEN 'string' THEN jsonb_typeof(%s::jsonb) = 'string' AND strpos({v} #>> '{{}}', %s) > 0 "
            "ELSE FALSE END, FALSE)"
        ).format(v=v)
        text = value if isinstance(value, str) else ""
        return fragment, [key, key, json_param(value), json_param(value), key, text]
    if op == FilterOperator.TEXT_MATCH:
        match = sql.SQL("COALESCE(jsonb_typeof({v}) = 'string' AND strpos({v} #>> '{{}}', %s) > 0, FALSE)")
        return match.format(v=v), [key, key, value]
    msg = f"filter operator {op.value!r} is not supported by PGVectorStore"  # every FilterOperator is handled
    raise InvalidInputError(msg)


def filters_sql(filters: MetadataFilters, column: sql.Composable | None = None) -> Where:
    """The ``WHERE`` fragment of ``filters`` over ``column`` (default ``"metadata"``), with its parameters.

    Raises:
        InvalidInputError: a value of the wrong shape for its operator, NaN/infinity, or a NUL character.
    """
    column = column if column is not None else sql.Identifier("metadata")
    parts: list[sql.Composable] = []
    params: list[Any] = []
    for item in filters.filters:
        fragment, values = filters_sql(item, column) if isinstance(item, MetadataFilters) else _leaf(item, column)
        parts.append(fragment)
        params.extend(values)
    if not parts:
        return _TRUE, []
    if filters.condition == FilterCondition.NOT:
        return sql.SQL("NOT ({})").format(sql.SQL(" OR ").join(parts)), params
    joiner = sql.SQL(" OR ") if filters.condition == FilterCondition.OR else sql.SQL(" AND ")
    return sql.SQL("({})").format(joiner.join(parts)), params
