"""Query modes, distances, HNSW use (EXPLAIN), per-query ef_search, schema checks and the async twins."""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode
from dovetail.vector_stores.postgres import PGVectorStore
from dovetail.vector_stores.postgres._plans import query_plan
from psycopg import sql

pytestmark = pytest.mark.integration

_DOCS = {
    "oak": ("Oak is a hard wood used for dovetail joints and furniture", [1.0, 0.0, 0.0]),
    "pine": ("Pine is a soft wood for framing and boards", [0.9, 0.1, 0.0]),
    "glue": ("Hide glue and epoxy hold joints together", [0.0, 1.0, 0.0]),
    "saw": ("A dovetail saw cuts fine joints in hard wood", [0.0, 0.0, 1.0]),
}


def _nodes() -> list[TextNode]:
    return [TextNode(id_=k, text=t, embedding=e, metadata={"k": k}) for k, (t, e) in _DOCS.items()]


@pytest.fixture
def hybrid_store(make_store: Any) -> PGVectorStore:
    store: PGVectorStore = make_store(hybrid_search=True, hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32})
    store.add(_nodes())
    return store


def test_text_search_uses_postgres_full_text(hybrid_store: PGVectorStore) -> None:
    result = hybrid_store.query(
        VectorStoreQuery(query_str="dovetail joints", mode=VectorStoreQueryMode.TEXT_SEARCH, similarity_top_k=5)
    )
    assert set(result.ids or []) == {"oak", "saw"}  # stemming: "joints" matches "joint(s)"
    assert all(score > 0 for score in result.similarities or [])
    # a plain string, as LlamaIndex users write it (the annotation says VectorStoreQueryMode)
    by_string = VectorStoreQuery(query_str="glue", mode="sparse", similarity_top_k=5)  # type: ignore[arg-type]
    sparse = hybrid_store.query(by_string)
    assert sparse.ids == ["glue"]


def test_hybrid_fuses_dense_and_text(hybrid_store: PGVectorStore) -> None:
    query = VectorStoreQuery(
        query_embedding=[0.0, 0.0, 1.0], query_str="oak furniture", mode=VectorStoreQueryMode.HYBRID, similarity_top_k=2
    )
    rrf = hybrid_store.query(query)
    assert set(rrf.ids or []) == {"saw", "oak"}  # best dense hit and the only text hit
    dense_only = hybrid_store.query(VectorStoreQuery(**{**query.__dict__, "alpha": 1.0, "similarity_top_k": 1}))
    text_only = hybrid_store.query(VectorStoreQuery(**{**query.__dict__, "alpha": 0.0, "similarity_top_k": 1}))
    assert dense_only.ids == ["saw"]
    assert text_only.ids == ["oak"]


async def test_async_hybrid_and_text(hybrid_store: PGVectorStore) -> None:
    query = VectorStoreQuery(
        query_embedding=[1.0, 0.0, 0.0], query_str="glue", mode=VectorStoreQueryMode.HYBRID, similarity_top_k=2
    )
    result = await hybrid_store.aquery(query)
    assert set(result.ids or []) == {"oak", "glue"}
    filtered = await hybrid_store.aquery(
        VectorStoreQuery(
            query_str="wood",
            mode=VectorStoreQueryMode.TEXT_SEARCH,
            filters=MetadataFilters.from_dicts([{"key": "k", "value": "pine"}]),
        )
    )
    assert filtered.ids == ["pine"]
    await hybrid_store.aclose()


def test_text_modes_need_hybrid_search_and_query_str(make_store: Any, hybrid_store: PGVectorStore) -> None:
    plain = make_store()
    plain.add(_nodes())
    # the modes as plain strings, as LlamaIndex users write them (the annotation says VectorStoreQueryMode)
    with pytest.raises(InvalidInputError, match="hybrid_search=True"):
        plain.query(VectorStoreQuery(query_str="oak", mode="text_search"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="query_str"):
        hybrid_store.query(VectorStoreQuery(query_embedding=[1.0, 0, 0], mode="hybrid"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="does not support query mode"):
        hybrid_store.query(VectorStoreQuery(query_embedding=[1.0, 0, 0], mode="mmr"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("distance", "expected_scores"),
    [("cosine", None), ("inner_product", [2.0, 0.0]), ("l2", [-1.0, -np.sqrt(5.0)])],
)
def test_distances(make_store: Any, distance: str, expected_scores: list[float] | None) -> None:
    store = make_store(distance=distance)
    store.add([TextNode(id_="a", text="a", embedding=[2.0, 0.0]), TextNode(id_="b", text="b", embedding=[0.0, 2.0])])
    result = store.query(VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=2))
    assert result.ids == ["a", "b"]
    if expected_scores is None:
        assert result.similarities == pytest.approx([1.0, 0.0], abs=1e-6)
    else:
        assert result.similarities == pytest.approx(expected_scores, abs=1e-5)


def test_ivfflat_index_and_probes(make_store: Any) -> None:
    store = make_store(ivfflat_kwargs={"ivfflat_lists": 4, "ivfflat_probes": 4, "ivfflat_dist_method": "vector_l2_ops"})
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((200, 8)).tolist()
    store.add([TextNode(id_=str(i), text="t", embedding=v) for i, v in enumerate(vectors)])
    result = store.query(VectorStoreQuery(query_embedding=vectors[17], similarity_top_k=1), ivfflat_probes=4)
    assert result.ids == ["17"]


def _explain(store: PGVectorStore, dsn: str, query: VectorStoreQuery, filtered_search: str = "exact") -> str:
    spec = store._table(None)
    assert spec is not None
    plan = query_plan(spec, query, filtered_search=filtered_search, candidates=200)
    with psycopg.connect(dsn) as conn:
        from pgvector.psycopg import register_vector

        register_vector(conn)
        rows = conn.execute(sql.SQL("EXPLAIN ") + plan.statement, plan.params).fetchall()
    return "\n".join(row[0] for row in rows)


def test_explain_shows_hnsw_for_unfiltered_query_and_exact_scan_when_filtered(make_store: Any, pg_server: Any) -> None:
    store = make_store(
        hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32, "hnsw_ef_search": 40}, filtered_search="exact"
    )
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((3000, 16)).astype(np.float32)
    store.add(
        [TextNode(id_=str(i), text="t", embedding=v.tolist(), metadata={"g": i % 10}) for i, v in enumerate(vectors)]
    )
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(store.table_name)))
    unfiltered = _explain(
        store, pg_server.dsn, VectorStoreQuery(query_embedding=vectors[5].tolist(), similarity_top_k=10)
    )
    assert "embedding_hnsw_idx" in unfiltered, unfiltered
    filtered_query = VectorStoreQuery(
        query_embedding=vectors[5].tolist(),
        similarity_top_k=10,
        filters=MetadataFilters.from_dicts([{"key": "g", "value": 5}]),
    )
    filtered = _explain(store, pg_server.dsn, filtered_query)
    assert "hnsw" not in filtered, filtered
    result = store.query(filtered_query)
    exact = np.argsort(1 - (vectors @ vectors[5]) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(vectors[5])))
    assert result.ids == [str(i) for i in exact if i % 10 == 5][:10]
    low = store.query(VectorStoreQuery(query_embedding=vectors[5].tolist(), similarity_top_k=10), hnsw_ef_search=10)
    assert low.ids is not None
    assert low.ids[0] == "5"
    with pytest.raises(InvalidInputError, match="positive integer"):
        store.query(VectorStoreQuery(query_embedding=vectors[5].tolist()), hnsw_ef_search=0)


def test_existing_table_mismatches_raise_and_keep_data(make_store: Any) -> None:
    store = make_store(hnsw_kwargs={"hnsw_dist_method": "vector_cosine_ops"})
    store.add(_nodes())
    name = store.table_name
    with pytest.raises(ConfigurationError, match="3-dimensional"):
        make_store(table_name=name, embed_dim=8).get_nodes()
    with pytest.raises(ConfigurationError, match="cosine distance"):
        make_store(table_name=name, distance="l2").get_nodes()
    with pytest.raises(ConfigurationError, match="full-text"):
        make_store(table_name=name, hybrid_search=True).get_nodes()
    reopened = make_store(table_name=name)
    assert {n.node_id for n in reopened.get_nodes()} == set(_DOCS)
    assert reopened.get_nodes(node_ids=["saw", "oak"])[0].node_id == "saw"


def test_settings_are_validated_without_connecting() -> None:
    with pytest.raises(ConfigurationError, match="hnsw_kwargs"):
        PGVectorStore(hnsw_kwargs={"m": 16})
    with pytest.raises(ConfigurationError, match="not both"):
        PGVectorStore(hnsw_kwargs={}, ivfflat_kwargs={})
    with pytest.raises(ConfigurationError, match="contradicts"):
        PGVectorStore(distance="l2", hnsw_kwargs={"hnsw_dist_method": "vector_ip_ops"})
    with pytest.raises(ConfigurationError, match="batch_size"):
        PGVectorStore(batch_size=0)


def test_perform_setup_false_on_missing_table(make_store: Any) -> None:
    from dovetail.core.errors import NotFoundError

    with pytest.raises(NotFoundError, match="perform_setup=True"):
        make_store(perform_setup=False).get_nodes()


def test_unknown_text_search_config_is_a_configuration_error(make_store: Any) -> None:
    store = make_store(hybrid_search=True, text_search_config="klingon")
    with pytest.raises(ConfigurationError, match="klingon"):
        store.add(_nodes())


def test_doc_ids_and_node_ids_restrict_the_query(make_store: Any) -> None:
    from dovetail.core.schema import NodeRelationship
    from dovetail.core.schema import RelatedNodeInfo

    store = make_store()
    nodes = _nodes()
    for node, doc in zip(nodes, ["d1", "d1", "d2", "d3"], strict=True):
        node.relationships = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc)}
    store.add(nodes)
    query = VectorStoreQuery(query_embedding=[1.0, 0.0, 0.0], similarity_top_k=10, doc_ids=["d2", "d3"])
    assert set(store.query(query).ids or []) == {"glue", "saw"}
    by_node = store.query(VectorStoreQuery(query_embedding=[1.0, 0.0, 0.0], similarity_top_k=10, node_ids=["pine"]))
    assert by_node.ids == ["pine"]
    with pytest.raises(InvalidInputError, match="node_ids"):
        store.query(VectorStoreQuery(query_embedding=[1.0, 0.0, 0.0], node_ids="pine"))  # type: ignore[arg-type]


def _session_ef_search(store: PGVectorStore) -> str:
    with store.client.connection() as conn:
        row = conn.execute("SHOW hnsw.ef_search").fetchone()
    return str(row[0])


def test_filtered_candidates_use_hnsw_and_fall_back_to_the_exact_top_k(make_store: Any, pg_server: Any) -> None:
    from dovetail.vector_stores.postgres._config import DEFAULT_EF_SEARCH

    store = make_store(hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32}, pool_size=1)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((3000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.add(
        [
            TextNode(id_=str(i), text="t", embedding=v.tolist(), metadata={"rare": i % 100, "half": i % 2})
            for i, v in enumerate(vectors)
        ]
    )
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(store.table_name)))
    q = vectors[11]
    order = np.argsort(-(vectors @ q))

    def query(key: str, value: int) -> VectorStoreQuery:
        filters = MetadataFilters.from_dicts([{"key": key, "value": value}])
        return VectorStoreQuery(query_embedding=q.tolist(), similarity_top_k=10, filters=filters)

    assert "hnsw" in _explain(store, pg_server.dsn, query("half", 1), filtered_search="candidates")
    # 30 rows match: the 200 index candidates hold too few of them, so the exact top-10 among the 30 is returned.
    rare = store.query(query("rare", 11))
    assert rare.ids == [str(i) for i in order if i % 100 == 11][:10]
    # Half the rows match: the candidates suffice (an approximate answer, like any HNSW query).
    half = store.query(query("half", 1))
    true_half = [str(i) for i in order if i % 2 == 1][:10]
    assert half.ids is not None
    assert len(half.ids) == 10
    assert all(int(i) % 2 == 1 for i in half.ids)
    assert len(set(half.ids) & set(true_half)) >= 8
    assert half.similarities == pytest.approx([float(vectors[int(i)] @ q) for i in half.ids], abs=1e-5)
    # The raised ef_search lived only in the query's transaction.
    assert _session_ef_search(store) == str(DEFAULT_EF_SEARCH)
    exact_store = make_store(table_name=store.table_name, filtered_search="exact", hnsw_kwargs={})
    assert exact_store.query(query("half", 1)).ids == true_half


async def test_filtered_candidates_async_matches_sync(make_store: Any) -> None:
    store = make_store(hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32})
    rng = np.random.default_rng(8)
    vectors = rng.standard_normal((500, 8)).astype(np.float32)
    store.add(
        [TextNode(id_=str(i), text="t", embedding=v.tolist(), metadata={"g": i % 50}) for i, v in enumerate(vectors)]
    )
    query = VectorStoreQuery(
        query_embedding=vectors[3].tolist(),
        similarity_top_k=5,
        filters=MetadataFilters.from_dicts([{"key": "g", "value": 3}]),
    )
    assert (await store.aquery(query)).ids == store.query(query).ids


def test_per_query_ef_search_changes_the_session_only_when_needed(make_store: Any) -> None:
    from dovetail.vector_stores.postgres._config import DEFAULT_EF_SEARCH

    store = make_store(hnsw_kwargs={}, pool_size=1)
    store.add(_nodes())
    vector = VectorStoreQuery(query_embedding=[1.0, 0.0, 0.0], similarity_top_k=2)
    assert store.query(vector).ids == ["oak", "pine"]
    assert _session_ef_search(store) == str(DEFAULT_EF_SEARCH)
    assert store.query(vector, hnsw_ef_search=7).ids == ["oak", "pine"]
    assert _session_ef_search(store) == "7"
    assert store.query(vector).ids == ["oak", "pine"]
    assert _session_ef_search(store) == str(DEFAULT_EF_SEARCH)
