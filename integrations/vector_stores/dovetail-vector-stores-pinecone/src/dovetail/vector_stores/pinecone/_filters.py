"""Translate dovetail :class:`MetadataFilters` into Pinecone's metadata filter language (pure, no I/O).

| dovetail operator | Pinecone filter |
|---|---|
| ``==`` | ``{"k": {"$eq": v}}`` (string, number or bool) |
| ``!=`` | ``{"$and": [{"k": {"$exists": true}}, {"k": {"$ne": v}}]}`` |
| ``>`` ``>=`` ``<`` ``<=`` | ``$gt`` ``$gte`` ``$lt`` ``$lte`` (numbers only) |
| ``in`` | ``{"k": {"$in": [...]}}`` with a non-empty list of strings, numbers or bools |
| ``nin`` | ``{"$and": [{"k": {"$exists": true}}, {"k": {"$nin": [...]}}]}`` |
| ``contains`` | ``{"k": {"$in": [v]}}``: a stored list of strings holds ``v`` |
| ``any`` / ``all`` | ``$in`` / ``$and`` of one ``$in`` per value |
| ``is_empty`` | ``{"$or": [{"k": {"$exists": false}}, {"k": {"$eq": ""}}]}`` |
| ``text_match`` | rejected: Pinecone has no substring match |
| a key starting with ``$`` | rejected: Pinecone would read it as an operator |
| condition ``and`` / ``or`` | ``$and`` / ``$or`` (nested groups nest) |
| condition ``not`` | ``$and`` of each filter's complement ("none of its filters match") |

Pinecone has no ``$not``, so a negation is pushed down to the operators (De Morgan flips ``and``/``or``):
``$eq``↔``$ne``, ``$in``↔``$nin``, a range ↔ "key missing or the opposite range", ``is_empty`` ↔ "exists and not
empty", ``!=``/``nin`` ↔ "missing or ``$eq``/``$in``".

A missing key matches no operator but ``is_empty`` (as in dovetail's in-memory store), hence the ``$exists``
guard on ``!=``/``nin``, whose Pinecone forms would also match records without the key. ``is_empty`` is exact
because the store never writes ``None`` or empty lists into Pinecone metadata (they stay
in the serialized node only), so "missing" covers them.
"""

from __future__ import annotations

import math
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.core.vector_stores import FilterCondition
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters

__all__ = ["to_pinecone_filter"]

_COMPARISON = {
    FilterOperator.EQ: "$eq",
    FilterOperator.NE: "$ne",
    FilterOperator.GT: "$gt",
    FilterOperator.GTE: "$gte",
    FilterOperator.LT: "$lt",
    FilterOperator.LTE: "$lte",
}
_COMPLEMENT = {
    FilterOperator.GT: FilterOperator.LTE,
    FilterOperator.GTE: FilterOperator.LT,
    FilterOperator.LT: FilterOperator.GTE,
    FilterOperator.LTE: FilterOperator.GT,
}
_NUMERIC_ONLY = frozenset({FilterOperator.GT, FilterOperator.GTE, FilterOperator.LT, FilterOperator.LTE})


def to_pinecone_filter(filters: MetadataFilters | None) -> dict[str, Any] | None:
    """Return the Pinecone filter for ``filters``, or ``None`` when there is nothing to filter on.

    Raises:
        InvalidInputError: an operator or condition Pinecone cannot express, or a value of the wrong type;
            the message names the key and says what to use instead.
    """
    if filters is None:
        return None
    return _group(filters)


# Matches no record (an empty group negated): a key that both exists and does not.
_NOTHING: dict[str, Any] = {"$and": [{"_node_content": {"$exists": True}}, {"_node_content": {"$exists": False}}]}


def _group(group: MetadataFilters, negate: bool = False) -> dict[str, Any] | None:
    """The filter for ``group`` (negated when ``negate``); ``None`` means "every record"."""
    # NOT (none of its filters match) is the AND of the negated filters; negating a group flips and/or
    # (De Morgan), so every negation is pushed down to the operators, which all have Pinecone complements.
    if not group.filters:
        return dict(_NOTHING) if negate else None  # an empty group matches every record
    negate_items = negate != (group.condition == FilterCondition.NOT)
    combiner = "$or" if group.condition == FilterCondition.OR else "$and"
    if negate:
        combiner = "$and" if combiner == "$or" else "$or"
    parts: list[dict[str, Any]] = []
    for item in group.filters:
        part = _group(item, negate_items) if isinstance(item, MetadataFilters) else _one(item, negate_items)
        if part is None:  # "every record": absorbs an $or, drops out of an $and
            if combiner == "$or":
                return None
            continue
        parts.append(part)
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return {combiner: parts}


def _missing_or(key: str, clause: dict[str, Any]) -> dict[str, Any]:
    return {"$or": [{key: {"$exists": False}}, clause]}


def _one(flt: MetadataFilter, negate: bool = False) -> dict[str, Any]:
    op, key, value = flt.operator, flt.key, flt.value
    if not key:
        msg = "a metadata filter needs a non-empty key"
        raise InvalidInputError(msg)
    if not isinstance(key, str) or key.startswith("$"):
        # "$and"/"$or"/"$in"... as a key would be read as an operator by Pinecone, changing what the filter means.
        msg = f"metadata filter key {key!r} starts with '$', which Pinecone reserves for operators; rename the key"
        raise InvalidInputError(msg)
    if op in _COMPARISON:
        if op in _NUMERIC_ONLY:
            _check_number(key, op, value)
        else:
            _check_scalar(key, op, value)
        if op == FilterOperator.EQ:
            return {key: {"$ne" if negate else "$eq": value}}
        if op == FilterOperator.NE:
            return _missing_or(key, {key: {"$eq": value}}) if negate else _present(key, {key: {"$ne": value}})
        if negate:
            return _missing_or(key, {key: {_COMPARISON[_COMPLEMENT[op]]: value}})
        return {key: {_COMPARISON[op]: value}}
    if op == FilterOperator.IN:
        return {key: {"$nin" if negate else "$in": _check_list(key, op, value)}}
    if op == FilterOperator.NIN:
        values = _check_list(key, op, value)
        return _missing_or(key, {key: {"$in": values}}) if negate else _present(key, {key: {"$nin": values}})
    if op == FilterOperator.CONTAINS:
        _check_string(key, op, value)
        return {key: {"$nin" if negate else "$in": [value]}}
    if op == FilterOperator.ANY:
        return {key: {"$nin" if negate else "$in": _check_list(key, op, value, strings_only=True)}}
    if op == FilterOperator.ALL:
        values = _check_list(key, op, value, strings_only=True)
        parts = [{key: {"$nin" if negate else "$in": [item]}} for item in values]
        return parts[0] if len(parts) == 1 else {"$or" if negate else "$and": parts}
    if op == FilterOperator.IS_EMPTY:
        if negate:
            return {"$and": [{key: {"$exists": True}}, {key: {"$ne": ""}}]}
        return {"$or": [{key: {"$exists": False}}, {key: {"$eq": ""}}]}
    msg = (
        f"filter operator {op.value!r} on key {key!r} is not supported by Pinecone (no substring or "
        "full-text match); use '==', 'in' or 'contains', or filter the results yourself"
    )
    raise InvalidInputError(msg)


def _present(key: str, clause: dict[str, Any]) -> dict[str, Any]:
    # Pinecone's $ne/$nin also match records without the key; dovetail's semantics (as LlamaIndex's
    # in-memory filters) say a missing key matches nothing but is_empty, so require the key to exist.
    return {"$and": [{key: {"$exists": True}}, clause]}


def _check_scalar(key: str, op: FilterOperator, value: Any) -> None:
    if isinstance(value, (str, bool)):
        return
    if isinstance(value, (int, float)):
        _check_number(key, op, value)
        return
    hint = "; use operator 'is_empty' to match a missing value" if value is None else ""
    msg = f"filter {key!r} {op.value!r} needs a string, number or bool value, got {value!r}{hint}"
    raise InvalidInputError(msg)


def _check_number(key: str, op: FilterOperator, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"filter {key!r} {op.value!r} compares numbers only (Pinecone range operators), got {value!r}"
        raise InvalidInputError(msg)
    if not math.isfinite(value):
        msg = f"filter {key!r} {op.value!r} needs a finite number, got {value!r}"
        raise InvalidInputError(msg)


def _check_string(key: str, op: FilterOperator, value: Any) -> None:
    if not isinstance(value, str):
        msg = f"filter {key!r} {op.value!r} needs a string value (Pinecone lists hold strings only), got {value!r}"
        raise InvalidInputError(msg)


def _check_list(key: str, op: FilterOperator, value: Any, *, strings_only: bool = False) -> list[Any]:
    if not isinstance(value, (list, tuple)) or not value:
        msg = f"filter {key!r} {op.value!r} needs a non-empty list of values, got {value!r}"
        raise InvalidInputError(msg)
    for item in value:
        if strings_only:
            _check_string(key, op, item)
        else:
            _check_scalar(key, op, item)
    return list(value)
