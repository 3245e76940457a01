"""Fuzz metadata filters: SimpleVectorStore answers exactly what a naive row-by-row evaluation answers, or raises
a typed dovetail error; the Pinecone translation returns a filter in Pinecone's language or a typed error."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from dovetail.core.errors import DovetailError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import FilterCondition
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

EXAMPLES = settings().max_examples  # the loaded profile's

KEYS = ["a", "b", "c"]
_MISSING = object()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=5),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "x", "xy", "y", "2020", "é", "\x00"]),
    st.text(max_size=6),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4))
metadata = st.dictionaries(st.sampled_from(KEYS), values, max_size=3)
operators = st.one_of(
    st.sampled_from([op.value for op in FilterOperator]),
    st.sampled_from([op.name for op in FilterOperator]),
    st.text(max_size=4),
)
conditions = st.one_of(st.sampled_from(["and", "or", "not", "AND"]), st.text(max_size=3))
filter_dicts = st.fixed_dictionaries(
    {"key": st.one_of(st.sampled_from(KEYS), st.text(max_size=3)), "value": values, "operator": operators}
)
groups = st.recursive(
    st.lists(filter_dicts, max_size=3),
    lambda inner: st.lists(
        st.one_of(filter_dicts, st.fixed_dictionaries({"filters": inner, "condition": conditions})), max_size=3
    ),
    max_leaves=6,
)


def _compare(op: FilterOperator, stored: Any, wanted: Any) -> bool:
    """Row-by-row semantics as documented (LlamaIndex's in-memory filters)."""
    if op is FilterOperator.IS_EMPTY:
        return stored is _MISSING or stored is None or stored == "" or stored == []
    if stored is _MISSING or stored is None:
        return False
    if op in (FilterOperator.EQ, FilterOperator.NE):
        equal = stored == wanted
        return bool(equal) if op is FilterOperator.EQ else not equal
    if op in (FilterOperator.GT, FilterOperator.GTE, FilterOperator.LT, FilterOperator.LTE):
        try:
            return bool(
                {
                    FilterOperator.GT: stored > wanted,
                    FilterOperator.GTE: stored >= wanted,
                    FilterOperator.LT: stored < wanted,
                    FilterOperator.LTE: stored <= wanted,
                }[op]
            )
        except TypeError:
            return False
    items = stored if isinstance(stored, list) else [stored]
    if op is FilterOperator.IN:
        return any(item in wanted for item in items)
    if op is FilterOperator.NIN:
        return all(item not in wanted for item in items)
    if op is FilterOperator.ANY:
        return isinstance(stored, list) and any(item in stored for item in wanted)
    if op is FilterOperator.ALL:
        return isinstance(stored, list) and all(item in stored for item in wanted)
    if op is FilterOperator.CONTAINS:
        if isinstance(stored, str):
            return isinstance(wanted, str) and wanted in stored
        return isinstance(stored, list) and wanted in stored
    assert op is FilterOperator.TEXT_MATCH
    return isinstance(stored, str) and wanted in stored


def _matches(md: dict[str, Any], item: MetadataFilter | MetadataFilters) -> bool:
    if isinstance(item, MetadataFilters):
        if not item.filters:
            return True
        parts = [_matches(md, inner) for inner in item.filters]
        if item.condition is FilterCondition.AND:
            return all(parts)
        return any(parts) if item.condition is FilterCondition.OR else not any(parts)
    return _compare(item.operator, md.get(item.key, _MISSING), item.value)


def _store(rows: list[dict[str, Any]]) -> SimpleVectorStore:
    store = SimpleVectorStore(filter_cache_fraction=1.0)
    store.add(
        [
            TextNode(id_=f"n{i}", text=f"row {i}", embedding=[1.0, float(i % 3) + 0.5], metadata=md)
            for i, md in enumerate(rows)
        ]
    )
    return store


@given(rows=st.lists(metadata, min_size=1, max_size=12), spec=groups, condition=conditions)
def test_simple_vector_store_filters_match_a_naive_evaluation(
    rows: list[dict[str, Any]], spec: list[dict[str, Any]], condition: str
) -> None:
    try:
        filters = MetadataFilters.from_dicts(spec, condition=condition)
    except DovetailError:
        return
    store = _store(rows)
    query = VectorStoreQuery(query_embedding=[1.0, 1.0], similarity_top_k=len(rows), filters=filters)
    try:
        first = store.query(query)
    except DovetailError:
        return
    expected = {f"n{i}" for i, md in enumerate(rows) if _matches(md, filters)}
    assert set(first.ids or []) == expected
    assert set(store.query(query).ids or []) == expected  # the second answer comes from the filter cache
    assert {node.node_id for node in store.get_nodes(filters=filters)} == expected


@settings(max_examples=max(EXAMPLES // 10, 20))
@given(column=st.lists(scalars, min_size=65, max_size=80), wanted=scalars)
def test_range_filters_on_many_distinct_values_match_a_naive_evaluation(column: list[Any], wanted: Any) -> None:
    # over 64 distinct values the store compares a float64 copy of the column; the answer must not change
    rows = [{"a": value if i % 5 else i} for i, value in enumerate(column)]
    rows[0] = {}
    store = _store(rows)
    for op in (">", ">=", "<", "<="):
        try:
            filters = MetadataFilters.from_dicts([{"key": "a", "value": wanted, "operator": op}])
            query = VectorStoreQuery(query_embedding=[1.0, 1.0], similarity_top_k=len(rows), filters=filters)
            hits = store.query(query)
        except DovetailError:
            continue
        expected = {f"n{i}" for i, md in enumerate(rows) if _matches(md, filters)}
        assert set(hits.ids or []) == expected, op


_PINECONE_OPS = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$and", "$or"}


def _pinecone_operators(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {key for key in node if key.startswith("$")}
        for value in node.values():
            found |= _pinecone_operators(value)
        return found
    if isinstance(node, list):
        return set().union(*(_pinecone_operators(item) for item in node)) if node else set()
    return set()


@given(spec=groups, condition=conditions)
def test_pinecone_translation_gives_pinecone_filters_or_typed_errors(
    spec: list[dict[str, Any]], condition: str
) -> None:
    from dovetail.vector_stores.pinecone._filters import to_pinecone_filter

    try:
        filters = MetadataFilters.from_dicts(spec, condition=condition)
        translated = to_pinecone_filter(filters)
    except DovetailError:
        return
    if translated is None:
        return
    assert isinstance(translated, dict)
    json.dumps(translated, allow_nan=False)  # Pinecone receives JSON: no NaN or infinity may slip through
    used_keys = filters.keys()  # metadata keys, not operators
    assert _pinecone_operators(translated) <= _PINECONE_OPS | {key for key in used_keys if key.startswith("$")}


def test_oracle_sanity() -> None:
    # the naive evaluation itself: a few hand-checked answers
    md = {"a": [1, 2], "b": "xy"}
    assert _compare(FilterOperator.CONTAINS, md["a"], 2)
    assert not _compare(FilterOperator.GT, "2020", 5)
    assert _compare(FilterOperator.IS_EMPTY, _MISSING, None)
    assert not _compare(FilterOperator.EQ, math.nan, math.nan)
