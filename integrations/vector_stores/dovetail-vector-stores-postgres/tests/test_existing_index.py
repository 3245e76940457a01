"""A store opened without ``hnsw_kwargs`` on a table that has an HNSW index queries it like a store given them."""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
import pytest
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.postgres import PGVectorStore
from dovetail.vector_stores.postgres._config import DEFAULT_EF_SEARCH
from dovetail.vector_stores.postgres._plans import query_plan
from dovetail.vector_stores.postgres._setup import detect_index
from dovetail.vector_stores.postgres._sql import AnnIndex
from psycopg import sql

pytestmark = pytest.mark.integration


def _fill(store: PGVectorStore, count: int = 400, dim: int = 8) -> np.ndarray:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((count, dim)).astype(np.float32)
    store.add(
        [TextNode(id_=str(i), text="t", embedding=v.tolist(), metadata={"g": i % 4}) for i, v in enumerate(vectors)]
    )
    return vectors


def _session(store: PGVectorStore, setting: str) -> str:
    with store.client.connection() as conn:
        row = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(*setting.split(".")))).fetchone()
    return str(row[0])


async def _async_session(store: PGVectorStore, setting: str) -> str:
    pool = await store._async().pool()
    async with pool.connection() as conn:
        cursor = await conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(*setting.split("."))))
        row = await cursor.fetchone()
    return str(row[0])


def _filtered(vector: np.ndarray) -> VectorStoreQuery:
    filters = MetadataFilters.from_dicts([{"key": "g", "value": 1}])
    return VectorStoreQuery(query_embedding=vector.tolist(), similarity_top_k=5, filters=filters)


def _indexes(dsn: str, table: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table]).fetchall()
    return sorted(row[0] for row in rows)


def test_an_existing_hnsw_table_gets_the_hnsw_defaults(make_store: Any, pg_server: Any) -> None:
    creator = make_store(hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32})
    vectors = _fill(creator)
    before = _indexes(pg_server.dsn, creator.table_name)
    opened = make_store(table_name=creator.table_name, pool_size=1)
    result = opened.query(_filtered(vectors[3]))
    assert result.ids is not None
    assert len(result.ids) == 5
    assert all(int(i) % 4 == 1 for i in result.ids)
    assert _session(opened, "hnsw.ef_search") == str(DEFAULT_EF_SEARCH)  # the server's own default is 40
    spec = opened._table(None)
    assert spec is not None
    assert spec.index == AnnIndex("hnsw", m=8, ef_construction=32)
    plan = query_plan(spec, _filtered(vectors[3]), filtered_search=opened.filtered_search, candidates=200)
    assert plan.local_settings == [("hnsw.ef_search", "200")]  # filtered candidates drawn from the index
    assert _indexes(pg_server.dsn, creator.table_name) == before  # nothing created for the opened store
    # Exactly what the store that created the table answers.
    assert creator.query(_filtered(vectors[3])).ids == result.ids


def test_connections_opened_before_the_table_was_read_get_the_default_too(make_store: Any) -> None:
    creator = make_store(hnsw_kwargs={})
    vectors = _fill(creator, count=50)
    opened = make_store(table_name=creator.table_name, pool_size=1)
    opened.query(VectorStoreQuery(query_embedding=vectors[0].tolist(), similarity_top_k=2))
    assert _session(opened, "hnsw.ef_search") == str(DEFAULT_EF_SEARCH)
    assert opened.query(VectorStoreQuery(query_embedding=vectors[0].tolist()), hnsw_ef_search=9).ids == ["0"]
    assert _session(opened, "hnsw.ef_search") == "9"
    opened.query(VectorStoreQuery(query_embedding=vectors[0].tolist()))
    assert _session(opened, "hnsw.ef_search") == str(DEFAULT_EF_SEARCH)


async def test_the_async_path_detects_the_index_too(make_store: Any) -> None:
    creator = make_store(hnsw_kwargs={"hnsw_m": 8, "hnsw_ef_construction": 32})
    vectors = _fill(creator, count=100)
    opened = make_store(table_name=creator.table_name, pool_size=1)
    result = await opened.aquery(_filtered(vectors[7]))
    assert result.ids == creator.query(_filtered(vectors[7])).ids
    assert await _async_session(opened, "hnsw.ef_search") == str(DEFAULT_EF_SEARCH)


def test_a_table_without_an_ann_index_or_with_ivfflat_keeps_the_server_default(make_store: Any) -> None:
    for settings in ({}, {"ivfflat_kwargs": {"ivfflat_lists": 4}}):
        creator = make_store(**settings)
        vectors = _fill(creator, count=50)
        opened = make_store(table_name=creator.table_name, pool_size=1)
        opened.query(VectorStoreQuery(query_embedding=vectors[0].tolist(), similarity_top_k=2))
        assert _session(opened, "hnsw.ef_search") == "40"
        spec = opened._table(None)
        assert spec is not None
        assert spec.index == (AnnIndex("ivfflat", lists=4) if settings else None)


def test_an_index_made_by_hand_under_another_name_is_detected_and_not_duplicated(
    make_store: Any, pg_server: Any
) -> None:
    creator = make_store()
    _fill(creator, count=50)
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING hnsw (embedding vector_cosine_ops) WITH (m = 12)").format(
                sql.Identifier(f"{creator.table_name}_my_ann"), sql.Identifier(creator.table_name)
            )
        )
    before = _indexes(pg_server.dsn, creator.table_name)
    opened = make_store(table_name=creator.table_name, distance="cosine")
    spec = opened._table(None)
    assert spec is not None
    assert spec.index == AnnIndex("hnsw", m=12, ef_construction=64)
    assert _indexes(pg_server.dsn, creator.table_name) == before


@pytest.mark.parametrize(
    ("definitions", "expected"),
    [
        (["CREATE INDEX a ON public.t USING btree (ref_doc_id)"], None),
        (
            ["CREATE INDEX a ON public.t USING hnsw (embedding vector_l2_ops) WITH (m='8', ef_construction='32')"],
            AnnIndex("hnsw", m=8, ef_construction=32),
        ),
        (["CREATE INDEX a ON public.t USING hnsw (embedding vector_ip_ops)"], AnnIndex("hnsw")),
        (
            ["CREATE INDEX a ON s.t USING ivfflat (embedding vector_l2_ops) WITH (lists='7')"],
            AnnIndex("ivfflat", lists=7),
        ),
        (
            [
                "CREATE INDEX a ON s.t USING ivfflat (embedding vector_l2_ops) WITH (lists='7')",
                "CREATE INDEX b ON s.t USING hnsw (embedding vector_l2_ops) WITH (m='4', ef_construction='16')",
            ],
            AnnIndex("hnsw", m=4, ef_construction=16),
        ),
        (["CREATE INDEX a ON public.t USING hnsw (embedding vector_l2_ops) WHERE (ref_doc_id = 'x'::text)"], None),
        (["CREATE INDEX a ON public.t USING hnsw (((embedding)::halfvec(3)) halfvec_l2_ops)"], None),
    ],
)
def test_detect_index_reads_index_definitions(definitions: list[str], expected: AnnIndex | None) -> None:
    assert detect_index(definitions) == expected
