"""Every filter operator and nested AND/OR/NOT, run as SQL on the real server, against SimpleVectorStore.

SimpleVectorStore evaluates the same filters in Python (an independent implementation); both stores must
select the same nodes for every case. A few cases also pin the expected ids by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.postgres._filters import filters_sql

pytestmark = pytest.mark.integration

_META: dict[str, dict[str, Any]] = {
    "n1": {"color": "red", "year": 2020, "score": 0.5, "tags": ["x", "y"], "title": "Oak joinery", "ok": True},
    "n2": {"color": "blue", "year": 2021, "score": 1.5, "tags": ["y"], "title": "Pine boards", "ok": False},
    "n3": {"color": "red", "year": 2022, "tags": [], "title": "", "note": None},
    "n4": {"color": "green", "year": "2019", "tags": ["z", "x"], "title": "oak veneer"},
    "n5": {"year": 2018.0, "score": 3, "tags": "x", "title": "Walnut"},
}


def _nodes() -> list[TextNode]:
    return [
        TextNode(id_=name, text=name, metadata=meta, embedding=[1.0, float(i), 0.5])
        for i, (name, meta) in enumerate(_META.items())
    ]


def F(key: str, value: Any, operator: str = "==") -> dict[str, Any]:
    return {"key": key, "value": value, "operator": operator}


_CASES: list[tuple[str, list[Any], str, set[str] | None]] = [
    ("eq_str", [F("color", "red")], "and", {"n1", "n3"}),
    ("eq_int_matches_float", [F("year", 2018)], "and", {"n5"}),
    ("eq_bool", [F("ok", True)], "and", {"n1"}),
    ("eq_list", [F("tags", ["x", "y"])], "and", {"n1"}),
    ("eq_scalar_vs_stored_list", [F("tags", "y")], "and", set()),
    ("ne", [F("color", "red", "!=")], "and", {"n2", "n4"}),
    ("ne_null_stored", [F("note", "a", "!=")], "and", set()),
    ("gt", [F("year", 2020, ">")], "and", {"n2", "n3"}),
    ("gte_float", [F("score", 1.5, ">=")], "and", {"n2", "n5"}),
    ("lt", [F("year", 2021, "<")], "and", {"n1", "n5"}),
    ("lte", [F("score", 1.5, "<=")], "and", {"n1", "n2"}),
    ("gt_string", [F("title", "P", ">")], "and", {"n2", "n5", "n4"}),
    ("in", [F("color", ["blue", "green"], "in")], "and", {"n2", "n4"}),
    ("in_stored_list", [F("tags", ["z"], "in")], "and", {"n4"}),
    ("nin", [F("color", ["blue", "green"], "nin")], "and", {"n1", "n3"}),
    ("any", [F("tags", ["x", "q"], "any")], "and", {"n1", "n4"}),
    ("all", [F("tags", ["x", "y"], "all")], "and", {"n1"}),
    ("contains_list_or_substring", [F("tags", "x", "contains")], "and", {"n1", "n4", "n5"}),
    ("contains_string", [F("title", "oak", "contains")], "and", {"n4"}),
    ("text_match", [F("title", "Oak", "text_match")], "and", {"n1"}),
    ("is_empty", [F("tags", None, "is_empty")], "and", {"n3"}),
    ("is_empty_missing", [F("color", None, "is_empty")], "and", {"n5"}),
    ("or", [F("color", "blue"), F("year", 2022)], "or", {"n2", "n3"}),
    ("not", [F("color", "red")], "not", {"n2", "n4", "n5"}),
    ("not_or", [F("color", "red"), F("year", 2018.0)], "not", {"n2", "n4"}),
    (
        "nested_and_or_not",
        [
            {"filters": [F("color", "red"), F("color", "blue")], "condition": "or"},
            {"filters": [F("year", 2022)], "condition": "not"},
        ],
        "and",
        {"n1", "n2"},
    ),
    (
        "deep_nesting",
        [
            {
                "filters": [
                    {"filters": [F("tags", ["z"], "any"), F("score", 3)], "condition": "or"},
                    {"filters": [F("title", "Walnut")], "condition": "not"},
                ],
                "condition": "and",
            },
            F("year", 2020, "!="),
        ],
        "and",
        {"n4"},
    ),
    ("empty_group", [], "and", {"n1", "n2", "n3", "n4", "n5"}),
]


@pytest.fixture(scope="module")
def stores(pg_server: Any) -> Any:
    from dovetail.vector_stores.postgres import PGVectorStore

    store = PGVectorStore(connection_string=pg_server.dsn, table_name="filters_table")
    store.add(_nodes())
    oracle = SimpleVectorStore()
    oracle.add(_nodes())
    yield store, oracle
    store.clear()
    store.close()


@pytest.mark.parametrize(("filters", "condition", "expected"), [c[1:] for c in _CASES], ids=[c[0] for c in _CASES])
def test_filter_matches_simple_vector_store(
    stores: Any, filters: list[Any], condition: str, expected: set[str] | None
) -> None:
    store, oracle = stores
    metadata_filters = MetadataFilters.from_dicts(filters, condition=condition)
    got = {node.node_id for node in store.get_nodes(filters=metadata_filters)}
    assert got == {node.node_id for node in oracle.get_nodes(filters=metadata_filters)}
    if expected is not None:
        assert got == expected
    result = store.query(
        VectorStoreQuery(query_embedding=[1.0, 1.0, 1.0], similarity_top_k=10, filters=metadata_filters)
    )
    assert set(result.ids or []) == got


def test_filtered_delete_removes_only_matches(make_store: Any) -> None:
    store = make_store()
    store.add(_nodes())
    store.delete_nodes(filters=MetadataFilters.from_dicts([F("tags", "x", "contains")]))
    assert {node.node_id for node in store.get_nodes()} == {"n2", "n3"}  # n5 holds the string "x"


def test_values_are_bound_parameters_never_sql_text() -> None:
    hostile = "x'); DROP TABLE t; --"
    fragment, params = filters_sql(MetadataFilters.from_dicts([F(hostile, hostile), F("k", [hostile], "in")]))
    rendered = repr(fragment)
    assert "DROP" not in rendered
    assert any(hostile in str(p) for p in params)


@pytest.mark.parametrize(
    ("filters", "match"),
    [
        ([F("year", float("nan"), ">")], "finite"),
        ([F("color", "a\x00b")], "NUL"),
        ([F("year", [1, 2], ">")], "needs a number"),
        ([F("tags", "x", "any")], "needs a list"),
        ([F("title", 3, "text_match")], "needs a string"),
    ],
)
def test_filters_sql_cannot_express_raise(stores: Any, filters: list[Any], match: str) -> None:
    store, _ = stores
    with pytest.raises(InvalidInputError, match=match):
        store.query(
            VectorStoreQuery(
                query_embedding=[1.0, 1.0, 1.0], similarity_top_k=3, filters=MetadataFilters.from_dicts(filters)
            )
        )
