"""Metadata filters in SimpleVectorStore: every operator, nested groups, edge values, column cache."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery

_META: dict[str, dict[str, Any]] = {
    "a": {"lang": "en", "year": 2020, "score": 0.5, "tags": ["x", "y"], "title": "Dovetail joints", "flag": True},
    "b": {"lang": "de", "year": 2021, "score": 1.5, "tags": ["y"], "title": "Zinken", "flag": False},
    "c": {"lang": "en", "year": 2022, "tags": [], "title": "", "note": None},
    "d": {"lang": "fr", "year": "2019", "tags": ["z", "x"], "title": "Queue d'aronde"},
    "e": {},
}


@pytest.fixture
def store() -> SimpleVectorStore:
    store = SimpleVectorStore()
    store.add([TextNode(id_=k, embedding=[1.0, float(i)], metadata=v) for i, (k, v) in enumerate(_META.items())])
    return store


def _hits(store: SimpleVectorStore, filters: MetadataFilters) -> set[str]:
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 1.0], similarity_top_k=10_000, filters=filters))
    via_get = {n.node_id for n in store.get_nodes(filters=filters)}
    assert set(result.ids or []) == via_get
    return via_get


def _one(key: str, value: Any, op: str) -> MetadataFilters:
    return MetadataFilters(filters=[MetadataFilter(key=key, value=value, operator=op)])


@pytest.mark.parametrize(
    ("key", "value", "op", "expected"),
    [
        ("lang", "en", "==", {"a", "c"}),
        ("lang", "en", "!=", {"b", "d"}),  # rows without the key never match
        ("year", 2020, ">", {"b", "c"}),  # "2019" (a string) never compares with a number
        ("year", 2020, ">=", {"a", "b", "c"}),
        ("year", 2021, "<", {"a"}),
        ("year", 2021, "<=", {"a", "b"}),
        ("score", 1.0, "<", {"a"}),
        ("year", "2000", ">", {"d"}),  # strings compare with strings
        ("lang", ["de", "fr"], "in", {"b", "d"}),
        ("lang", ["de", "fr"], "nin", {"a", "c"}),
        ("tags", ["z", "q"], "in", {"d"}),  # a stored list matches `in` when any element is in the value
        ("tags", ["y"], "nin", {"c", "d"}),
        ("tags", "x", "contains", {"a", "d"}),
        ("title", "ail", "contains", {"a"}),
        ("title", "Zink", "text_match", {"b"}),
        ("title", "zink", "text_match", set()),  # case-sensitive
        ("tags", ["x", "q"], "any", {"a", "d"}),
        ("tags", ["x", "y"], "all", {"a"}),
        ("tags", None, "is_empty", {"c", "e"}),
        ("title", None, "is_empty", {"c", "e"}),
        ("note", None, "is_empty", {"a", "b", "c", "d", "e"}),
        ("flag", True, "==", {"a"}),
        ("flag", False, "==", {"b"}),
        ("missing", "x", "==", set()),
        ("missing", "x", "!=", set()),
    ],
)
def test_every_operator(store: SimpleVectorStore, key: str, value: Any, op: str, expected: set[str]) -> None:
    assert _hits(store, _one(key, value, op)) == expected


def test_nested_and_or_not(store: SimpleVectorStore) -> None:
    en_or_de = {"filters": [{"key": "lang", "value": "en"}, {"key": "lang", "value": "de"}], "condition": "or"}
    recent = {"key": "year", "value": 2021, "operator": ">="}
    assert _hits(store, MetadataFilters.from_dicts([en_or_de, recent])) == {"b", "c"}
    assert _hits(store, MetadataFilters.from_dicts([en_or_de, recent], condition="or")) == {"a", "b", "c"}
    assert _hits(store, MetadataFilters.from_dicts([en_or_de], condition="not")) == {"d", "e"}
    not_group = {"filters": [recent], "condition": "not"}
    assert _hits(store, MetadataFilters.from_dicts([en_or_de, not_group])) == {"a"}
    assert _hits(store, MetadataFilters(filters=[])) == {"a", "b", "c", "d", "e"}


@pytest.mark.parametrize(
    ("value", "op", "match"),
    [
        ("en", "in", "needs a list"),
        ("en", "any", "needs a list"),
        (["a"], ">", "needs a number or string"),
        (None, "<=", "needs a number or string"),
        (3, "text_match", "needs a string"),
    ],
)
def test_malformed_filter_values_raise(store: SimpleVectorStore, value: Any, op: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        store.query(VectorStoreQuery(query_embedding=[1.0, 0.0], filters=_one("lang", value, op)))
    with pytest.raises(InvalidInputError, match=match):
        store.delete_nodes(filters=_one("lang", value, op))
    assert len(store) == 5


def test_filters_see_writes(store: SimpleVectorStore) -> None:
    en = _one("lang", "en", "==")
    assert _hits(store, en) == {"a", "c"}
    store.add([TextNode(id_="f", embedding=[1.0, 0.0], metadata={"lang": "en"})])
    store.add([TextNode(id_="a", embedding=[1.0, 0.0], metadata={"lang": "de"})])
    assert _hits(store, en) == {"c", "f"}
    store.delete_nodes(node_ids=["c"])
    assert _hits(store, en) == {"f"}


def test_numeric_fast_path_agrees_with_python() -> None:
    # > 64 distinct values switches range filters to a float64 column; the result must equal Python's comparisons.
    rng = np.random.default_rng(3)
    values: list[Any] = rng.integers(0, 1000, size=500).tolist()
    for i in range(0, 500, 7):
        values[i] = str(values[i])
    for i in range(3, 500, 11):
        values[i] = values[i] + 0.5 if not isinstance(values[i], str) else None
    values[5], values[6] = True, False
    store = SimpleVectorStore()
    store.add([TextNode(id_=str(i), embedding=[1.0, 0.0], metadata={"v": v}) for i, v in enumerate(values)])
    compare = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
    for op, fn in compare.items():
        for bound in (0, 250.5, 999):
            expected = {str(i) for i, v in enumerate(values) if isinstance(v, (int, float)) and fn(v, bound)}
            assert _hits(store, _one("v", bound, op)) == expected


def test_filter_selects_before_ranking() -> None:
    # The 3 closest rows are all "far"; the filter must still return the best "near" rows, not an empty top-k.
    store = SimpleVectorStore()
    rows = [TextNode(id_=f"x{i}", embedding=[1.0, 0.01 * i], metadata={"group": "far"}) for i in range(50)]
    rows += [TextNode(id_=f"y{i}", embedding=[0.0, 1.0 + i], metadata={"group": "near"}) for i in range(5)]
    store.add(rows)
    result = store.query(
        VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=3, filters=_one("group", "near", "=="))
    )
    assert result.ids is not None
    assert len(result.ids) == 3
    assert all(i.startswith("y") for i in result.ids)
