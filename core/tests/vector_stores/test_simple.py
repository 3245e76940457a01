"""SimpleVectorStore behaviour: scoring, top-k, upserts, deletes, reads, bad input, growth."""

from __future__ import annotations

import numpy as np
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode


def _nodes(matrix: np.ndarray, prefix: str = "n", doc_every: int = 0) -> list[TextNode]:
    nodes = []
    for i, row in enumerate(matrix):
        rel = {}
        if doc_every:
            rel = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=f"doc{i // doc_every}")}
        nodes.append(
            TextNode(id_=f"{prefix}{i}", text=f"text {i}", embedding=row.tolist(), metadata={"i": i}, relationships=rel)
        )
    return nodes


def _brute_force(matrix: np.ndarray, query: np.ndarray, similarity: str, k: int) -> tuple[list[int], np.ndarray]:
    m = matrix.astype(np.float64)
    q = query.astype(np.float64)
    if similarity == "cosine":
        scores = (m @ q) / (np.linalg.norm(m, axis=1) * np.linalg.norm(q))
    elif similarity == "dot":
        scores = m @ q
    else:
        scores = -np.linalg.norm(m - q, axis=1)
    order = np.argsort(-scores, kind="stable")[:k]
    return order.tolist(), scores[order]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.mark.parametrize("similarity", ["cosine", "dot", "euclidean"])
@pytest.mark.parametrize("k", [1, 5, 50, 500])
def test_top_k_matches_brute_force(rng: np.random.Generator, similarity: str, k: int) -> None:
    matrix = rng.standard_normal((300, 16)).astype(np.float32)
    store = SimpleVectorStore(similarity=similarity)
    store.add(_nodes(matrix))
    query = rng.standard_normal(16).astype(np.float32)
    result = store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=k))
    rows, scores = _brute_force(matrix, query, similarity, k)
    assert result.ids == [f"n{r}" for r in rows]
    assert result.similarities is not None
    np.testing.assert_allclose(result.similarities, scores, rtol=1e-4, atol=1e-4)
    assert result.nodes is not None
    assert [n.get_content() for n in result.nodes] == [f"text {r}" for r in rows]


def test_known_scores() -> None:
    store = SimpleVectorStore(similarity="euclidean")
    store.add([TextNode(id_="a", embedding=[3.0, 4.0]), TextNode(id_="b", embedding=[0.0, 0.0])])
    result = store.query(VectorStoreQuery(query_embedding=[0.0, 0.0], similarity_top_k=2))
    assert result.ids == ["b", "a"]
    assert result.similarities == pytest.approx([0.0, -5.0])
    cosine = SimpleVectorStore()
    cosine.add([TextNode(id_="a", embedding=[3.0, 4.0]), TextNode(id_="zero", embedding=[0.0, 0.0])])
    result = cosine.query(VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=2))
    assert result.ids == ["a", "zero"]
    assert result.similarities == pytest.approx([0.6, 0.0])


def test_query_nodes_are_copies_without_embeddings() -> None:
    store = SimpleVectorStore()
    store.add([TextNode(id_="a", text="t", embedding=[1.0, 0.0], metadata={"k": 1})])
    hit = store.query(VectorStoreQuery(query_embedding=[1.0, 0.0])).nodes[0]  # type: ignore[index]
    assert hit.embedding is None
    hit.metadata["k"] = 2
    assert store.get_nodes(["a"])[0].metadata == {"k": 1}


def test_caller_mutations_after_add_do_not_leak_in() -> None:
    node = TextNode(id_="a", text="t", embedding=[1.0, 0.0], metadata={"k": 1})
    store = SimpleVectorStore()
    store.add([node])
    node.metadata["k"] = 99
    node.embedding[0] = 0.0  # type: ignore[index]
    stored = store.get_nodes(["a"])[0]
    assert stored.metadata == {"k": 1}
    assert stored.embedding == [1.0, 0.0]
    assert node.embedding == [0.0, 0.0]  # the caller's node was not touched by add()


def test_node_class_survives() -> None:
    store = SimpleVectorStore()
    store.add([Document(id_="d", text="doc", embedding=[1.0])])
    got = store.get_nodes(["d"])[0]
    assert isinstance(got, Document)
    assert got.get_content() == "doc"


def test_upsert_within_and_across_batches() -> None:
    store = SimpleVectorStore()
    ids = store.add(
        [TextNode(id_="a", text="v1", embedding=[1.0, 0.0]), TextNode(id_="a", text="v2", embedding=[0.0, 1.0])]
    )
    assert ids == ["a", "a"]
    assert len(store) == 1
    assert store.get_nodes(["a"])[0].embedding == [0.0, 1.0]
    store.add([TextNode(id_="a", text="v3", embedding=[1.0, 1.0]), TextNode(id_="b", embedding=[1.0, 0.0])])
    assert len(store) == 2
    got = {n.node_id: n for n in store.get_nodes()}
    assert got["a"].get_content() == "v3"
    assert got["a"].embedding == [1.0, 1.0]


def test_upsert_moves_node_to_new_document() -> None:
    store = SimpleVectorStore()
    src = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id="d1")}
    store.add([TextNode(id_="a", embedding=[1.0], relationships=src)])
    store.add(
        [TextNode(id_="a", embedding=[1.0], relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id="d2")})]
    )
    store.delete("d1")
    assert len(store) == 1
    store.delete("d2")
    assert len(store) == 0


def test_random_deletes_keep_store_consistent(rng: np.random.Generator) -> None:
    matrix = rng.standard_normal((200, 8)).astype(np.float32)
    store = SimpleVectorStore()
    store.add(_nodes(matrix, doc_every=10))
    alive = set(range(200))
    for doc in rng.permutation(20)[:7].tolist():
        store.delete(f"doc{doc}")
        alive -= set(range(doc * 10, doc * 10 + 10))
    victims = rng.choice(sorted(alive), size=25, replace=False).tolist()
    store.delete_nodes(node_ids=[f"n{v}" for v in victims] + ["unknown"])
    alive -= set(victims)
    assert len(store) == len(alive)
    keep = sorted(alive)
    query = rng.standard_normal(8).astype(np.float32)
    result = store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=20))
    rows, scores = _brute_force(matrix[keep], query, "cosine", 20)
    assert result.ids == [f"n{keep[r]}" for r in rows]
    assert result.similarities is not None
    np.testing.assert_allclose(result.similarities, scores, rtol=1e-4)
    for node in store.get_nodes():
        i = int(node.node_id[1:])
        assert node.embedding == pytest.approx(matrix[i].tolist())
        assert node.metadata == {"i": i}


def test_delete_nodes_with_ids_and_filters_intersects() -> None:
    store = SimpleVectorStore()
    store.add(_nodes(np.eye(4, dtype=np.float32)))
    filters = MetadataFilters(filters=[MetadataFilter(key="i", value=2, operator=">=")])
    store.delete_nodes(node_ids=["n0", "n2"], filters=filters)
    assert sorted(n.node_id for n in store.get_nodes()) == ["n0", "n1", "n3"]
    store.delete_nodes()  # neither ids nor filters: nothing
    assert len(store) == 3


def test_get_nodes_order_and_unknown_ids() -> None:
    store = SimpleVectorStore()
    store.add(_nodes(np.eye(4, dtype=np.float32)))
    assert [n.node_id for n in store.get_nodes(["n3", "x", "n1", "n3"])] == ["n3", "n1"]
    assert store.get_nodes(["x"]) == []
    assert SimpleVectorStore().get_nodes() == []


def test_query_restricted_by_doc_ids_and_node_ids() -> None:
    store = SimpleVectorStore()
    store.add(_nodes(np.ones((6, 2), dtype=np.float32) + np.arange(6)[:, None] * [0, 0.1], doc_every=2))
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 1.0], similarity_top_k=10, doc_ids=["doc1"]))
    assert sorted(result.ids or []) == ["n2", "n3"]
    result = store.query(
        VectorStoreQuery(
            query_embedding=[1.0, 1.0], similarity_top_k=10, doc_ids=["doc1", "doc2"], node_ids=["n3", "n4", "n0"]
        )
    )
    assert sorted(result.ids or []) == ["n3", "n4"]
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 1.0], similarity_top_k=10, node_ids=[]))
    assert result.ids == []


def test_clear_resets_inferred_dimension() -> None:
    store = SimpleVectorStore()
    store.add([TextNode(embedding=[1.0, 2.0])])
    store.clear()
    assert store.dimension is None
    store.add([TextNode(embedding=[1.0, 2.0, 3.0])])
    assert store.dimension == 3
    fixed = SimpleVectorStore(embed_dim=2)
    with pytest.raises(InvalidInputError, match="dimension 3"):
        fixed.add([TextNode(embedding=[1.0, 2.0, 3.0])])


def test_capacity_grows_geometrically() -> None:
    store = SimpleVectorStore()
    capacities = set()
    for i in range(300):
        store.add([TextNode(id_=f"n{i}", embedding=[float(i), 1.0])])
        capacities.add(store._matrix.capacity)  # type: ignore[union-attr]
    assert len(store) == 300
    assert len(capacities) <= 10  # doubling: 1, 2, 4, ..., 512
    assert store.get_nodes(["n299"])[0].embedding == [299.0, 1.0]
    store.delete_nodes(node_ids=[f"n{i}" for i in range(290)])
    assert store._matrix.capacity < 300  # type: ignore[union-attr]
    assert sorted(n.embedding[0] for n in store.get_nodes()) == [float(i) for i in range(290, 300)]  # type: ignore[index]


# -- bad input ----------------------------------------------------------------------------------------------


def _snapshot(store: SimpleVectorStore) -> list[tuple[str, list[float] | None, str]]:
    return [(n.node_id, n.embedding, n.get_content()) for n in store.get_nodes()]


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (TextNode(id_="x", embedding=None), "has no embedding"),
        (TextNode(id_="x", embedding=[1.0, 2.0, 3.0]), "dimension 3"),
        (TextNode(id_="x", embedding=[1.0]), "dimension 1"),
        (TextNode(id_="x", embedding=[[1.0, 2.0], [3.0, 4.0]]), "must be flat lists"),
        (TextNode(id_="x", embedding=[float("nan"), 1.0]), "NaN or infinity"),
        (TextNode(id_="x", embedding=[float("inf"), 1.0]), "NaN or infinity"),
        (TextNode(id_="x", embedding=["a", "b"]), "must be flat lists of numbers"),
        ({"id_": "x", "embedding": [1.0, 2.0]}, "takes nodes"),
    ],
)
def test_failed_add_leaves_store_unchanged(bad: object, match: str) -> None:
    store = SimpleVectorStore()
    store.add([TextNode(id_="a", text="keep", embedding=[1.0, 0.0])])
    before = _snapshot(store)
    good = TextNode(id_="a", text="overwrite?", embedding=[0.0, 1.0])
    with pytest.raises(InvalidInputError, match=match):
        store.add([good, TextNode(id_="b", embedding=[1.0, 1.0]), bad])  # type: ignore[list-item]
    assert _snapshot(store) == before


def test_empty_embedding_rejected() -> None:
    with pytest.raises(InvalidInputError, match="at least one dimension"):
        SimpleVectorStore().add([TextNode(embedding=[])])


def test_add_nothing_returns_empty() -> None:
    store = SimpleVectorStore()
    assert store.add([]) == []
    assert len(store) == 0


@pytest.mark.parametrize(
    ("query", "match"),
    [
        (VectorStoreQuery(query_embedding=None), "needs query.query_embedding"),
        (VectorStoreQuery(query_embedding=[1.0, 0.0, 0.0]), "dimension 3"),
        (VectorStoreQuery(query_embedding=[float("nan"), 0.0]), "NaN or infinity"),
        (VectorStoreQuery(query_embedding=[0.0, 0.0]), "all zeros"),
        (VectorStoreQuery(query_embedding=[[1.0, 0.0]]), "flat list"),  # type: ignore[list-item]
        (VectorStoreQuery(query_embedding=["x", "y"]), "list of numbers"),  # type: ignore[list-item]
        (VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=0), "positive integer"),
        (VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=2.5), "positive integer"),  # type: ignore[arg-type]
        (
            VectorStoreQuery(query_embedding=[1.0, 0.0], mode=VectorStoreQueryMode.HYBRID),
            "only VectorStoreQueryMode.DEFAULT",
        ),
    ],
)
def test_bad_queries_raise(query: VectorStoreQuery, match: str) -> None:
    store = SimpleVectorStore()
    store.add([TextNode(embedding=[1.0, 0.0])])
    with pytest.raises(InvalidInputError, match=match):
        store.query(query)


def test_empty_store_query_returns_empty_lists_but_still_validates() -> None:
    store = SimpleVectorStore()
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 2.0], similarity_top_k=3))
    assert (result.ids, result.nodes, result.similarities) == ([], [], [])
    with pytest.raises(InvalidInputError):
        store.query(VectorStoreQuery(query_embedding=[float("inf")]))


def test_client_is_none_and_stores_text() -> None:
    store = SimpleVectorStore()
    assert store.client is None
    assert store.stores_text is True


def test_growth_across_many_pages_keeps_every_row(rng: np.random.Generator) -> None:
    # Grows the memory map well past its first pages (in place via mremap) and checks every row survives.
    matrix = rng.standard_normal((3000, 96)).astype(np.float32)
    store = SimpleVectorStore(similarity="dot")
    for start in range(0, 3000, 100):
        store.add(_nodes(matrix[start : start + 100], prefix=f"b{start}_"))
    assert len(store) == 3000
    assert store._matrix.capacity >= 3000  # type: ignore[union-attr]
    got = {n.node_id: n.embedding for n in store.get_nodes()}
    for start in range(0, 3000, 100):
        for i in range(100):
            assert got[f"b{start}_{i}"] == matrix[start + i].tolist()
    query = rng.standard_normal(96).astype(np.float32)
    rows, _ = _brute_force(matrix, query, "dot", 5)
    result = store.query(VectorStoreQuery(query_embedding=query.tolist(), similarity_top_k=5))
    assert result.ids == [f"b{(r // 100) * 100}_{r % 100}" for r in rows]


def test_growth_with_a_view_held_falls_back_to_copy() -> None:
    store = SimpleVectorStore()
    store.add([TextNode(id_="a", embedding=[1.0, 2.0])])
    store.add([TextNode(id_="b", embedding=[3.0, 4.0])])  # now backed by a memory map
    held = store._matrix.rows  # type: ignore[union-attr]
    store.add([TextNode(id_=f"n{i}", embedding=[float(i), 1.0]) for i in range(50)])
    assert held.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert len(store) == 52
    assert store.get_nodes(["n49"])[0].embedding == [49.0, 1.0]


def test_every_node_field_survives_storage() -> None:
    node = TextNode(text="x", embedding=[1.0, 0.0], metadata={"k": [1, 2]}, start_char_idx=0)
    node.excluded_llm_metadata_keys.append("k")  # filled in place: pydantic does not mark it as set
    node.end_char_idx = 5
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id="doc")
    store = SimpleVectorStore()
    store.add([node])
    got = store.get_nodes([node.node_id])[0]
    assert got.model_dump() == node.model_dump()
    hit = store.query(VectorStoreQuery(query_embedding=[1.0, 0.0])).nodes[0]  # type: ignore[index]
    assert hit.model_dump(exclude={"embedding"}) == node.model_dump(exclude={"embedding"})
    store.delete("doc")
    assert len(store) == 0


def test_returned_nodes_are_independent_models() -> None:
    node = TextNode(id_="a", text="x", embedding=[1.0, 0.0], metadata={"k": 1})
    node.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id="doc")
    store = SimpleVectorStore()
    store.add([node])
    node.relationships.clear()  # the caller's later edits do not reach the store
    got = store.get_nodes(["a"])[0]
    assert got.ref_doc_id == "doc"
    got.relationships.clear()
    got.excluded_embed_metadata_keys.append("k")
    got.text = "changed"  # type: ignore[attr-defined]
    again = store.get_nodes(["a"])[0]
    assert again.ref_doc_id == "doc"
    assert again.excluded_embed_metadata_keys == []
    assert again.get_content() == "x"
    assert again.model_copy(update={"text": "y"}).get_content() == "y"
    assert TextNode.model_validate(again.model_dump()).model_dump() == again.model_dump()


def test_numpy_integer_top_k_is_accepted() -> None:
    store = SimpleVectorStore()
    store.add(_nodes(np.eye(3, dtype=np.float32)))
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 0.5, 0.0], similarity_top_k=np.int64(2)))  # type: ignore[arg-type]
    assert result.ids == ["n0", "n1"]
