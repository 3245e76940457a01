"""The pure MetadataFilters -> Pinecone filter translator, as a table; plus the same filters run on needledb."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.pinecone._filters import to_pinecone_filter


def _f(key: str, value: Any, op: str = "==") -> MetadataFilter:
    return MetadataFilter(key=key, value=value, operator=op)


def _group(*items: MetadataFilter | MetadataFilters, condition: str = "and") -> MetadataFilters:
    return MetadataFilters(filters=list(items), condition=condition)


EXISTS = {"$exists": True}

TRANSLATIONS: list[tuple[str, MetadataFilters | None, dict[str, Any] | None]] = [
    ("none", None, None),
    ("empty", _group(), None),
    ("or-absorbs-empty", _group(_f("color", "red"), _group(), condition="or"), None),
    ("eq-str", _group(_f("color", "red")), {"color": {"$eq": "red"}}),
    ("eq-int", _group(_f("year", 2020)), {"year": {"$eq": 2020}}),
    ("eq-bool", _group(_f("draft", True)), {"draft": {"$eq": True}}),
    ("ne", _group(_f("color", "red", "!=")), {"$and": [{"color": EXISTS}, {"color": {"$ne": "red"}}]}),
    ("gt", _group(_f("year", 2020, ">")), {"year": {"$gt": 2020}}),
    ("gte-float", _group(_f("score", 0.5, ">=")), {"score": {"$gte": 0.5}}),
    ("lt", _group(_f("year", 2020, "<")), {"year": {"$lt": 2020}}),
    ("lte", _group(_f("year", 2020, "<=")), {"year": {"$lte": 2020}}),
    ("in", _group(_f("color", ["red", "blue"], "in")), {"color": {"$in": ["red", "blue"]}}),
    ("in-numbers", _group(_f("year", [2019, 2020], "in")), {"year": {"$in": [2019, 2020]}}),
    (
        "nin",
        _group(_f("color", ["red"], "nin")),
        {"$and": [{"color": EXISTS}, {"color": {"$nin": ["red"]}}]},
    ),
    ("contains", _group(_f("tags", "x", "contains")), {"tags": {"$in": ["x"]}}),
    ("any", _group(_f("tags", ["x", "z"], "any")), {"tags": {"$in": ["x", "z"]}}),
    ("all-one", _group(_f("tags", ["x"], "all")), {"tags": {"$in": ["x"]}}),
    ("all", _group(_f("tags", ["x", "y"], "all")), {"$and": [{"tags": {"$in": ["x"]}}, {"tags": {"$in": ["y"]}}]}),
    (
        "is_empty",
        _group(_f("note", None, "is_empty")),
        {"$or": [{"note": {"$exists": False}}, {"note": {"$eq": ""}}]},
    ),
    (
        "and",
        _group(_f("color", "red"), _f("year", 2021, ">")),
        {"$and": [{"color": {"$eq": "red"}}, {"year": {"$gt": 2021}}]},
    ),
    (
        "or",
        _group(_f("color", "blue"), _f("year", 2019), condition="or"),
        {"$or": [{"color": {"$eq": "blue"}}, {"year": {"$eq": 2019}}]},
    ),
    (
        "nested",
        _group(_f("color", "red"), _group(_f("year", 2020), _f("year", 2022), condition="or")),
        {"$and": [{"color": {"$eq": "red"}}, {"$or": [{"year": {"$eq": 2020}}, {"year": {"$eq": 2022}}]}]},
    ),
    ("nested-empty-dropped", _group(_f("color", "red"), _group()), {"color": {"$eq": "red"}}),
    ("not-eq", _group(_f("color", "red"), condition="not"), {"color": {"$ne": "red"}}),
    (
        "not-two",
        _group(_f("year", 2020, ">"), _f("tags", ["x", "y"], "all"), condition="not"),
        {
            "$and": [
                {"$or": [{"year": {"$exists": False}}, {"year": {"$lte": 2020}}]},
                {"$or": [{"tags": {"$nin": ["x"]}}, {"tags": {"$nin": ["y"]}}]},
            ]
        },
    ),
    (
        "not-or-group",
        _group(_group(_f("color", "red"), _f("year", [2019], "nin"), condition="or"), condition="not"),
        {"$and": [{"color": {"$ne": "red"}}, {"$or": [{"year": {"$exists": False}}, {"year": {"$in": [2019]}}]}]},
    ),
    (
        "not-not",
        _group(_group(_f("note", None, "is_empty"), _f("color", "x", "!="), condition="not"), condition="not"),
        {
            "$or": [
                {"$or": [{"note": {"$exists": False}}, {"note": {"$eq": ""}}]},
                {"$and": [{"color": EXISTS}, {"color": {"$ne": "x"}}]},
            ]
        },
    ),
]


@pytest.mark.parametrize(("filters", "expected"), [t[1:] for t in TRANSLATIONS], ids=[t[0] for t in TRANSLATIONS])
def test_translation(filters: MetadataFilters | None, expected: dict[str, Any] | None) -> None:
    assert to_pinecone_filter(filters) == expected


REJECTED: list[tuple[str, MetadataFilters, str]] = [
    ("text_match", _group(_f("title", "oak", "text_match")), "not supported by Pinecone"),
    ("range-string", _group(_f("year", "2020", ">")), "compares numbers only"),
    ("range-bool", _group(_f("year", True, ">=")), "compares numbers only"),
    ("range-nan", _group(_f("year", float("nan"), "<")), "finite number"),
    ("eq-none", _group(_f("color", None)), "is_empty"),
    ("eq-list", _group(_f("color", ["red"])), "string, number or bool"),
    ("eq-inf", _group(_f("score", float("inf"))), "finite"),
    ("in-not-list", _group(_f("color", "red", "in")), "non-empty list"),
    ("in-empty", _group(_f("color", [], "in")), "non-empty list"),
    ("contains-int", _group(_f("tags", 3, "contains")), "needs a string"),
    ("any-ints", _group(_f("tags", [1, 2], "any")), "needs a string"),
    ("empty-key", _group(_f("", "x")), "non-empty key"),
    ("dollar-or-key", _group(_f("$or", "x")), "reserves for operators"),
    ("dollar-key-in", _group(_f("$in", ["x"], "in")), "reserves for operators"),
    ("dollar-key-negated", MetadataFilters(filters=[_f("$where", 1)], condition="not"), "reserves for operators"),
    ("nested-bad", _group(_f("a", "b"), _group(_f("t", "x", "text_match"))), "not supported"),
]


@pytest.mark.parametrize(("filters", "message"), [r[1:] for r in REJECTED], ids=[r[0] for r in REJECTED])
def test_rejected(filters: MetadataFilters, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        to_pinecone_filter(filters)


# The same operators evaluated by a real server: what each translated filter selects on needledb.
ROWS = {
    "a": {"color": "red", "year": 2020, "tags": ["x", "y"], "note": "n"},
    "b": {"color": "blue", "year": 2021, "tags": ["y"], "note": ""},
    "c": {"color": "red", "year": 2022, "tags": ["z"], "note": None},
    "d": {"color": "green", "year": 2019, "tags": []},
}
SERVER_CASES: list[tuple[str, MetadataFilters, set[str]]] = [
    ("contains", _group(_f("tags", "y", "contains")), {"a", "b"}),
    ("any", _group(_f("tags", ["x", "z"], "any")), {"a", "c"}),
    ("all", _group(_f("tags", ["x", "y"], "all")), {"a"}),
    ("is_empty", _group(_f("note", None, "is_empty")), {"b", "c", "d"}),
    ("ne-missing-key", _group(_f("note", "n", "!=")), {"b"}),
    ("nin-missing-key", _group(_f("note", ["n"], "nin")), {"b"}),
    ("in-bool-free", _group(_f("year", [2019, 2022], "in")), {"c", "d"}),
]


@pytest.mark.integration
@pytest.mark.parametrize(("filters", "expected"), [c[1:] for c in SERVER_CASES], ids=[c[0] for c in SERVER_CASES])
def test_translated_filters_on_server(make_store: Any, filters: MetadataFilters, expected: set[str]) -> None:
    store = make_store()
    nodes = [
        TextNode(id_=name, text=name, embedding=[1.0, 0.1 * i, 0, 0, 0, 0], metadata=md)
        for i, (name, md) in enumerate(ROWS.items())
    ]
    store.add(nodes)
    result = store.query(VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=10, filters=filters))
    assert set(result.ids or []) == expected


# Differential check: every filter below selects the same rows on needledb as dovetail's in-memory store.
DIFF_ROWS: dict[str, dict[str, Any]] = {
    "r1": {"color": "red", "year": 2020, "score": 0.5, "tags": ["x", "y"], "note": "n", "flag": True},
    "r2": {"color": "blue", "year": 2021, "score": 1.5, "tags": ["y"], "note": "", "flag": False},
    "r3": {"color": "red", "year": 2022, "tags": ["z"], "note": None},
    "r4": {"color": "green", "year": 2019, "score": -1.0},
    "r5": {"year": 2023, "tags": ["x"], "flag": True},
    "r6": {"color": "blue", "score": 0.0, "note": "m"},
}


def _leaf_cases() -> list[MetadataFilter]:
    return [
        _f("color", "red"),
        _f("flag", True),
        _f("year", 2020),
        _f("color", "red", "!="),
        _f("flag", True, "!="),
        _f("year", 2020, ">"),
        _f("year", 2020, ">="),
        _f("score", 0.5, "<"),
        _f("score", 0.5, "<="),
        _f("color", ["blue", "green"], "in"),
        _f("year", [2019, 2023], "in"),
        _f("color", ["red"], "nin"),
        _f("year", [2020], "nin"),
        _f("tags", "y", "contains"),
        _f("tags", ["x", "z"], "any"),
        _f("tags", ["x", "y"], "all"),
        _f("tags", ["x"], "in"),
        _f("tags", ["y"], "nin"),
        _f("note", None, "is_empty"),
        _f("color", None, "is_empty"),
        _f("tags", None, "is_empty"),
        _f("no_such_key", "x"),
    ]


def _diff_cases() -> list[tuple[str, MetadataFilters]]:
    leaves = _leaf_cases()
    cases = [(f"{leaf.key}{leaf.operator.value}", _group(leaf)) for leaf in leaves]
    cases += [(f"not-{leaf.key}{leaf.operator.value}", _group(leaf, condition="not")) for leaf in leaves]
    cases += [
        ("and", _group(_f("color", "red"), _f("year", 2021, ">"))),
        ("or", _group(_f("color", "blue"), _f("tags", "x", "contains"), condition="or")),
        ("not-many", _group(_f("color", "red"), _f("year", 2021, ">"), condition="not")),
        ("not-or", _group(_group(_f("color", "blue"), _f("note", None, "is_empty"), condition="or"), condition="not")),
        ("not-not", _group(_group(_f("score", 0.0, ">="), condition="not"), condition="not")),
        ("or-with-empty", _group(_f("color", "red"), _group(), condition="or")),
        ("and-with-empty", _group(_f("color", "red"), _group())),
        ("not-empty", _group(condition="not")),
        ("not-of-empty", _group(_group(), condition="not")),
        ("not-or-with-empty", _group(_group(_f("color", "red"), _group(), condition="or"), condition="not")),
        (
            "nested",
            _group(
                _f("year", 2019, ">="),
                _group(_f("color", ["red"], "nin"), _group(_f("flag", True), condition="not"), condition="or"),
            ),
        ),
    ]
    return cases


DIFF_CASES = _diff_cases()


@pytest.fixture
def diff_stores(make_store: Any) -> tuple[Any, Any]:
    from dovetail.core.vector_stores import SimpleVectorStore

    nodes = [
        TextNode(id_=name, text=name, embedding=[1.0, 0.1 * i, 0.2, 0.0, 0.0, 0.3], metadata=md)
        for i, (name, md) in enumerate(DIFF_ROWS.items())
    ]
    pinecone_store, simple = make_store(), SimpleVectorStore()
    pinecone_store.add([node.model_copy(deep=True) for node in nodes])
    simple.add([node.model_copy(deep=True) for node in nodes])
    return pinecone_store, simple


@pytest.mark.integration
def test_same_rows_as_the_in_memory_store(diff_stores: tuple[Any, Any]) -> None:
    pinecone_store, simple = diff_stores
    mismatches = []
    for name, filters in DIFF_CASES:
        query = VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=20, filters=filters)
        got, want = set(pinecone_store.query(query).ids or []), set(simple.query(query).ids or [])
        if got != want:
            mismatches.append((name, sorted(got), sorted(want)))
    assert mismatches == []
    assert len(DIFF_CASES) > 40
