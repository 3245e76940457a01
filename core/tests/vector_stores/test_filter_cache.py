"""SimpleVectorStore's cache of filtered selections: keys, invalidation by every write, bounds, threads, equality."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import FilterCondition
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryResult
from dovetail.core.vector_stores._selection import Selection
from dovetail.core.vector_stores._selection import SelectionCache
from dovetail.core.vector_stores._selection import selection_key

DIM, COUNT, GROUPS = 8, 40, 4
GROUP_1 = MetadataFilters(filters=[MetadataFilter(key="group", value=1)])


def _node(i: int, vector: np.ndarray, group: int, doc: str | None = None) -> TextNode:
    rel = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc)} if doc else {}
    return TextNode(
        id_=f"n{i}", text=f"text {i}", embedding=vector.tolist(), metadata={"group": group}, relationships=rel
    )


def _vectors(seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((COUNT, DIM)).astype(np.float32)


def _store(**settings: Any) -> SimpleVectorStore:
    store = SimpleVectorStore(**{"filter_cache_fraction": 0.5, **settings})
    store.add([_node(i, row, i % GROUPS, doc=f"doc{i // 5}") for i, row in enumerate(_vectors())])
    return store


def _query(vector: np.ndarray, filters: MetadataFilters | None = GROUP_1, k: int = 5, **extra: Any) -> VectorStoreQuery:
    return VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=k, filters=filters, **extra)


def _expected(store: SimpleVectorStore, vector: np.ndarray, group: int, k: int) -> tuple[list[str], list[float]]:
    """Brute-force top k over ``get_nodes()`` (which never uses the selection cache)."""
    nodes = [n for n in store.get_nodes() if n.metadata.get("group") == group]
    if not nodes:
        return [], []
    matrix = np.array([n.embedding for n in nodes], dtype=np.float64)
    scores = matrix @ vector / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector))
    order = np.argsort(-scores, kind="stable")[:k]
    return [nodes[i].node_id for i in order], scores[order].tolist()


def _assert_same(result: VectorStoreQueryResult, ids: list[str], scores: list[float]) -> None:
    assert result.ids == ids
    np.testing.assert_allclose(result.similarities or [], scores, rtol=1e-5, atol=1e-6)


# -- keys -----------------------------------------------------------------------------------------------------


def _f(key: str, value: Any, op: Any = "==") -> MetadataFilter:
    return MetadataFilter(key=key, value=value, operator=op)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (MetadataFilters(filters=[_f("a", 1)]), MetadataFilters.from_dicts([{"key": "a", "value": 1}])),
        (MetadataFilters(filters=[_f("a", 1, "==")]), MetadataFilters(filters=[_f("a", 1, FilterOperator.EQ)])),
        (MetadataFilters(filters=[_f("a", 1, "EQ")]), MetadataFilters(filters=[_f("a", 1, "==")])),
        (
            MetadataFilters(filters=[_f("a", [1, "x"], "in")], condition="OR"),
            MetadataFilters.from_dicts([{"key": "a", "value": [1, "x"], "operator": "in"}], condition="or"),
        ),
        (
            MetadataFilters(filters=[_f("a", 1), MetadataFilters(filters=[_f("b", ["x"], "nin")], condition="not")]),
            MetadataFilters.from_dicts(
                [
                    {"key": "a", "value": 1},
                    {"filters": [{"key": "b", "value": ["x"], "operator": "nin"}], "condition": "NOT"},
                ]
            ),
        ),
        (MetadataFilters(filters=[_f("a", None, "is_empty")]), MetadataFilters(filters=[_f("a", None, "is_empty")])),
        (MetadataFilters(filters=[]), MetadataFilters()),
        (MetadataFilters(filters=[_f("a", float("nan"))]), MetadataFilters(filters=[_f("a", float("nan"))])),
    ],
)
def test_equal_filters_built_separately_share_a_key(one: MetadataFilters, other: MetadataFilters) -> None:
    assert one is not other
    key = selection_key(one, None, None)
    assert key is not None
    assert key == selection_key(other, None, None)
    assert hash(key) == hash(selection_key(other, None, None))


def test_different_restrictions_never_collide() -> None:
    group = MetadataFilters
    values: list[Any] = [1, 1.0, True, "1", 0, 0.0, -0.0, False, "", None, [1], [1.0], [True], ["1"], [1, 2], [2, 1]]
    values += [[], [[]], float("nan"), 2**70]
    candidates: list[tuple[MetadataFilters | None, list[str] | None, list[str] | None]] = [
        (group(filters=[MetadataFilter.model_construct(key="a", value=v, operator=FilterOperator.EQ)]), None, None)
        for v in values
    ]
    candidates += [(group(filters=[_f("a", [1], op)]), None, None) for op in ("in", "nin", "any", "all")]
    candidates += [(group(filters=[_f(key, 1, op)]), None, None) for key in ("b", "A") for op in ("==", "!=", ">")]
    children = [_f("a", 1), _f("b", 2)]
    candidates += [(group(filters=children, condition=c), None, None) for c in FilterCondition]
    candidates += [(group(filters=children[::-1]), None, None), (group(filters=[group(filters=children)]), None, None)]
    candidates += [(group(filters=[group(filters=[_f("a", 1)]), _f("b", 2)]), None, None)]
    candidates += [(group(filters=[], condition=c), None, None) for c in FilterCondition]
    candidates += [
        (None, ["d1"], None),
        (None, None, ["d1"]),
        (None, [], None),
        (None, None, []),
        (None, ["d1", "d2"], None),
    ]
    candidates += [(group(filters=[_f("a", 1)]), ["d1"], None), (group(filters=[_f("a", 1)]), None, ["d1"])]
    keys = [selection_key(*candidate) for candidate in candidates]
    assert all(key is not None for key in keys)
    assert len(set(keys)) == len(keys)


def test_values_without_a_canonical_form_are_answered_uncached() -> None:
    store = _store()
    # np.int64 is outside MetadataFilter's declared value types on purpose: values that slip past validation
    numpy_one = MetadataFilter.model_construct(key="group", value=np.int64(1), operator=FilterOperator.EQ)  # type: ignore[arg-type]
    weird = MetadataFilters(filters=[numpy_one])  # np.int64 is not int: no canonical form, but it does match
    assert selection_key(weird, None, None) is None
    assert selection_key(None, None, [1]) is None  # type: ignore[list-item]
    assert selection_key(None, {"n1"}, None) is None  # type: ignore[arg-type]
    vector = _vectors(9)[0]
    result = store.query(_query(vector, weird))
    assert result.ids == _expected(store, vector, 1, 5)[0]
    assert store.filter_cache_info() == (0, 0, 0, 0, 0)


# -- the cache is used, and bounded -----------------------------------------------------------------------------


def test_repeated_filter_is_answered_from_the_cache() -> None:
    store = _store()
    vector = _vectors(9)[0]
    first = store.query(_query(vector))
    again = store.query(_query(vector, MetadataFilters.from_dicts([{"key": "group", "value": 1}])))
    other_vector = store.query(_query(_vectors(9)[1]))
    info = store.filter_cache_info()
    assert (info.hits, info.misses, info.entries, info.rows) == (2, 1, 1, COUNT // GROUPS)
    assert (again.ids, again.similarities) == (first.ids, first.similarities)
    _assert_same(other_vector, *_expected(store, _vectors(9)[1], 1, 5))


def test_unfiltered_queries_do_not_touch_the_cache() -> None:
    store = _store()
    store.query(_query(_vectors(9)[0], None))
    assert store.filter_cache_info() == (0, 0, 0, 0, 0)


def test_selection_larger_than_the_budget_is_not_cached() -> None:
    store = _store(filter_cache_fraction=0.25)
    half = MetadataFilters(filters=[_f("group", [0, 1], "in")])
    vector = _vectors(9)[0]
    first = store.query(_query(vector, half, k=30))
    second = store.query(_query(vector, half, k=30))
    assert store.filter_cache_info()[:3] == (0, 2, 0)  # (hits, misses, entries)
    assert first.ids == second.ids
    assert len(first.ids or []) == 20


def test_least_recently_used_entry_is_evicted_first() -> None:
    store = _store(filter_cache_size=2, filter_cache_fraction=1.0)
    vector = _vectors(9)[0]
    groups = [MetadataFilters(filters=[_f("group", g)]) for g in range(3)]
    store.query(_query(vector, groups[0]))
    store.query(_query(vector, groups[1]))
    store.query(_query(vector, groups[0]))  # hit: group 1 is now the least recently used
    store.query(_query(vector, groups[2]))  # evicts group 1
    assert store.filter_cache_info().misses == 3
    store.query(_query(vector, groups[0]))
    assert store.filter_cache_info().misses == 3
    store.query(_query(vector, groups[1]))
    assert store.filter_cache_info().misses == 4
    assert store.filter_cache_info().entries == 2


def test_cached_rows_stay_within_the_fraction() -> None:
    store = _store(filter_cache_fraction=0.5)  # 20 of 40 rows
    vector = _vectors(9)[0]
    for g in range(GROUPS):
        store.query(_query(vector, MetadataFilters(filters=[_f("group", g)])))
        assert store.filter_cache_info().rows <= COUNT // 2
    info = store.filter_cache_info()
    assert info.entries == 2
    assert info.nbytes >= info.rows * DIM * 4  # at least the gathered float32 vectors


def test_cache_size_zero_turns_the_cache_off() -> None:
    store = _store(filter_cache_size=0)
    vector = _vectors(9)[0]
    store.query(_query(vector))
    store.query(_query(vector))
    assert store.filter_cache_info() == (0, 0, 0, 0, 0)


def test_an_entry_from_another_version_is_never_served() -> None:
    cache = SelectionCache()
    rows = np.arange(3, dtype=np.int64)
    entry = Selection(rows, np.ones((3, 2), dtype=np.float32), np.ones(3, dtype=np.float32), version=1)
    assert cache.put("k", entry, max_entries=4, max_rows=10)
    assert cache.get("k", 1) is entry
    assert cache.get("k", 2) is None
    assert len(cache) == 0  # every entry predates the same write, so all are dropped
    assert not cache.put("k", entry, max_entries=4, max_rows=2)  # alone larger than the budget
    assert not cache.put("k", entry, max_entries=0, max_rows=10)
    with pytest.raises(ValueError, match="read-only"):
        entry.vectors[0, 0] = 2.0  # shared by every hit: nobody may write into it


# -- every write invalidates ------------------------------------------------------------------------------------

QUERY = _vectors(9)[0]


def _top_group_1(store: SimpleVectorStore) -> str:
    return _expected(store, QUERY, 1, 1)[0][0]


def _add_matching(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.add([_node(100, QUERY, 1)])
    return lambda ids: ids[0] == "n100"


def _upsert_into_group(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.add([_node(0, QUERY, 1)])  # n0 was in group 0
    return lambda ids: ids[0] == "n0"


def _upsert_out_of_group(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    top = _top_group_1(store)
    store.add([_node(int(top[1:]), _vectors()[int(top[1:])], 2)])
    return lambda ids: top not in ids


def _upsert_new_vector(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.add([_node(37, -QUERY, 1)])  # now the farthest group-1 node
    return lambda ids: ids[-1] == "n37"


def _delete_document(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    top = _top_group_1(store)
    store.delete(f"doc{int(top[1:]) // 5}")
    return lambda ids: top not in ids


def _delete_nodes_by_id(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    top = _top_group_1(store)
    store.delete_nodes(node_ids=[top])
    return lambda ids: top not in ids


def _delete_nodes_by_filter(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.delete_nodes(filters=GROUP_1)
    return lambda ids: ids == []


def _delete_rows_that_move_cached_rows(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    # Rows 39 and 38 go first, then row 0 takes the last row, n37 (group 1): cached row numbers would be stale.
    store.delete_nodes(node_ids=["n0", "n39", "n38"])
    return lambda ids: "n37" in ids


def _clear(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.clear()
    return lambda ids: ids == []


def _clear_and_refill(store: SimpleVectorStore) -> Callable[[list[str]], bool]:
    store.clear()
    store.add([_node(i + 200, row, 1) for i, row in enumerate(_vectors(5)[:3])])
    return lambda ids: sorted(ids) == ["n200", "n201", "n202"]


@pytest.mark.parametrize(
    "mutate",
    [
        _add_matching,
        _upsert_into_group,
        _upsert_out_of_group,
        _upsert_new_vector,
        _delete_document,
        _delete_nodes_by_id,
        _delete_nodes_by_filter,
        _delete_rows_that_move_cached_rows,
        _clear,
        _clear_and_refill,
    ],
)
def test_every_write_invalidates_cached_selections(mutate: Callable[[SimpleVectorStore], Any]) -> None:
    store = _store()
    before = store.query(_query(QUERY, k=COUNT))
    _assert_same(before, *_expected(store, QUERY, 1, COUNT))
    assert store.filter_cache_info().entries == 1
    check = mutate(store)
    after = store.query(_query(QUERY, k=COUNT))
    _assert_same(after, *_expected(store, QUERY, 1, COUNT))
    assert check(after.ids or [])
    changed = (after.ids, after.similarities) != (before.ids, before.similarities)
    assert changed or mutate is _delete_rows_that_move_cached_rows
    again = store.query(_query(QUERY, k=COUNT))  # and the entry rebuilt after the write is right too
    assert (again.ids, again.similarities) == (after.ids, after.similarities)


def test_writes_that_change_nothing_keep_the_cache() -> None:
    store = _store()
    store.query(_query(QUERY))
    store.add([])
    store.delete("no-such-doc")
    store.delete_nodes()
    store.delete_nodes(node_ids=["no-such-node"])
    store.query(_query(QUERY))
    assert store.filter_cache_info()[:2] == (1, 1)  # (hits, misses): the second query was a hit


async def test_async_writes_invalidate_too() -> None:
    store = _store()
    await store.aquery(_query(QUERY))
    await store.async_add([_node(100, QUERY, 1)])
    assert (await store.aquery(_query(QUERY))).ids[0] == "n100"  # type: ignore[index]
    await store.adelete_nodes(node_ids=["n100"])
    assert "n100" not in ((await store.aquery(_query(QUERY))).ids or [])
    await store.aclear()
    assert (await store.aquery(_query(QUERY))).ids == []


def test_persisted_and_loaded_stores_do_not_share_selections(tmp_path: Path) -> None:
    store = _store()
    path = str(tmp_path / "store.json")
    first = store.query(_query(QUERY))
    store.persist(path)
    store.add([_node(100, QUERY, 1)])
    loaded = SimpleVectorStore.from_persist_path(path)
    assert loaded.query(_query(QUERY)).ids == first.ids
    assert store.query(_query(QUERY)).ids[0] == "n100"  # type: ignore[index]
    loaded.delete_nodes(node_ids=[first.ids[0]])  # type: ignore[index]
    assert first.ids[0] not in (loaded.query(_query(QUERY)).ids or [])  # type: ignore[index]
    store.persist(path)  # replace the files: a fresh load sees the new rows
    assert SimpleVectorStore.from_persist_path(path).query(_query(QUERY)).ids[0] == "n100"  # type: ignore[index]


def test_doc_ids_and_node_ids_restrictions_are_cached_and_invalidated() -> None:
    store = _store()
    by_doc = _query(QUERY, None, k=COUNT, doc_ids=["doc0", "doc1"])
    by_node = _query(QUERY, GROUP_1, k=COUNT, node_ids=["n1", "n5", "n6"])
    assert sorted(store.query(by_doc).ids or []) == [f"n{i}" for i in range(10)]
    assert sorted(store.query(by_node).ids or []) == ["n1", "n5"]
    store.query(by_doc)
    store.query(by_node)
    assert store.filter_cache_info()[:3] == (2, 2, 2)  # (hits, misses, entries)
    store.add([_node(6, _vectors()[6], 1, doc="doc7")])  # n6 joins group 1 and leaves doc1
    assert "n6" not in (store.query(by_doc).ids or [])
    assert sorted(store.query(by_node).ids or []) == ["n1", "n5", "n6"]


# -- threads ----------------------------------------------------------------------------------------------------


def test_concurrent_writes_never_serve_stale_rows() -> None:
    # Writers move nodes in and out of group 1 (same id, same vector) and add/delete others, so rows shift.
    # Readers check every hit against the truth of its id: in group 1 now or a moment ago is not checkable, but a
    # stale row would pair an id with another node's vector or metadata, which is.
    vectors = np.random.default_rng(11).standard_normal((200, DIM)).astype(np.float32)
    store = SimpleVectorStore(filter_cache_fraction=1.0)
    store.add([_node(i, vectors[i], i % 2, doc=f"doc{i // 10}") for i in range(100)])
    stop = threading.Event()
    errors: list[BaseException] = []
    query = vectors[150]
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    truth = unit @ (query / np.linalg.norm(query))

    def write() -> None:
        rng = np.random.default_rng(1)
        while not stop.is_set():
            i = int(rng.integers(0, 200))
            if rng.random() < 0.3:
                store.delete_nodes(node_ids=[f"n{i}"])
            else:
                store.add([_node(i, vectors[i], int(rng.integers(0, 3)), doc=f"doc{i // 10}")])

    def read() -> None:
        try:
            for _ in range(300):
                result = store.query(_query(query, k=8))
                for node_id, node, score in zip(
                    result.ids or [], result.nodes or [], result.similarities or [], strict=True
                ):
                    assert node.node_id == node_id
                    assert node.metadata["group"] == 1
                    assert score == pytest.approx(float(truth[int(node_id[1:])]), abs=1e-5)
                assert result.similarities == sorted(result.similarities or [], reverse=True)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    writer = threading.Thread(target=write)
    readers = [threading.Thread(target=read) for _ in range(3)]
    writer.start()
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    stop.set()
    writer.join()
    assert errors == []


# -- cached and uncached results are identical -------------------------------------------------------------------


def _random_store(rng: np.random.Generator, similarity: str, **settings: Any) -> SimpleVectorStore:
    colors, tags = ["red", "green", "blue", "oak"], ["a", "b", "c", "d", "e"]
    nodes = []
    for i in range(600):
        metadata: dict[str, Any] = {"group": int(rng.integers(0, 10)), "color": colors[int(rng.integers(0, 4))]}
        metadata["tags"] = [t for t in tags if rng.random() < 0.3]
        if rng.random() < 0.8:
            metadata["score"] = float(rng.random())
        nodes.append(
            TextNode(
                id_=f"n{i}",
                embedding=rng.standard_normal(16).astype(np.float32).tolist(),
                metadata=metadata,
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=f"doc{i % 30}")},
            )
        )
    store = SimpleVectorStore(similarity=similarity, **settings)
    store.add(nodes)
    return store


RANDOM_FILTERS: list[dict[str, Any]] = [
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": 3}])},
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": 3, "operator": "!="}])},
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": [1, 4, 7], "operator": "in"}])},
    {"filters": MetadataFilters.from_dicts([{"key": "color", "value": ["red", "oak"], "operator": "nin"}])},
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": 2}, {"key": "color", "value": "blue"}], "or")},
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": [0, 1, 2, 3], "operator": "in"}], "not")},
    {
        "filters": MetadataFilters.from_dicts(
            [
                {"key": "score", "value": 0.3, "operator": ">="},
                {
                    "filters": [
                        {"key": "tags", "value": ["a", "b"], "operator": "any"},
                        {"key": "color", "value": "green", "operator": "!="},
                    ],
                    "condition": "not",
                },
            ]
        )
    },
    {"filters": MetadataFilters.from_dicts([{"key": "tags", "value": ["c", "d"], "operator": "all"}])},
    {"filters": MetadataFilters.from_dicts([{"key": "score", "value": None, "operator": "is_empty"}])},
    {"filters": MetadataFilters.from_dicts([{"key": "color", "value": "re", "operator": "text_match"}])},
    {"filters": MetadataFilters.from_dicts([{"key": "missing", "value": 1}])},
    {"filters": MetadataFilters.from_dicts([{"key": "group", "value": 5}]), "doc_ids": ["doc1", "doc2", "doc5"]},
    {"doc_ids": [f"doc{i}" for i in range(0, 30, 3)]},
    {
        "node_ids": [f"n{i}" for i in range(0, 600, 7)],
        "filters": MetadataFilters.from_dicts([{"key": "group", "value": 1}]),
    },
]


@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
@pytest.mark.parametrize("restriction", RANDOM_FILTERS)
def test_cached_results_equal_uncached_results(similarity: str, restriction: dict[str, Any]) -> None:
    cached = _random_store(np.random.default_rng(21), similarity, filter_cache_fraction=1.0)
    uncached = _random_store(np.random.default_rng(21), similarity, filter_cache_size=0)
    queries = np.random.default_rng(22).standard_normal((4, 16)).astype(np.float32)
    for k in (1, 10, 1000):
        for vector in queries:
            query = _query(vector, k=k, **{"filters": None, **restriction})
            want = uncached.query(query)
            for _ in range(2):  # the first builds the entry, the second is a hit
                got = cached.query(query)
                assert got.ids == want.ids
                np.testing.assert_allclose(got.similarities or [], want.similarities or [], rtol=1e-6, atol=1e-6)
                assert [n.node_id for n in got.nodes or []] == want.ids
    assert cached.filter_cache_info().entries == 1
    assert uncached.filter_cache_info().entries == 0
