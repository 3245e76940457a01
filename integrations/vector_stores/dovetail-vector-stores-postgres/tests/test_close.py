"""``close()`` closes both pools: the asyncio pool too, in the event loop that opened it."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from dovetail.core.schema import TextNode
from dovetail.vector_stores.postgres import PGVectorStore

pytestmark = pytest.mark.integration


def _nodes() -> list[TextNode]:
    return [TextNode(id_=f"n{i}", text=f"text {i}", embedding=[float(i), 1.0, 0.0]) for i in range(5)]


def _backends(dsn: str, application: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [application]
        ).fetchone()
    assert row is not None
    return int(row[0])


def _store(pg_server: Any, application: str) -> PGVectorStore:
    return PGVectorStore(connection_string=f"{pg_server.dsn}?application_name={application}", table_name=application)


def test_sync_close_closes_the_asyncio_pool_in_its_idle_loop(pg_server: Any) -> None:
    store = _store(pg_server, "close_idle_loop")
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(store.async_add(_nodes()))
        pool = store._aengine._pool if store._aengine is not None else None
        assert pool is not None
        assert not pool.closed
        assert _backends(pg_server.dsn, "close_idle_loop") >= 1
        store.close()
        assert pool.closed
        assert _backends(pg_server.dsn, "close_idle_loop") == 0
    finally:
        loop.close()


async def test_sync_close_inside_the_loop_closes_the_asyncio_pool_at_the_next_await(pg_server: Any) -> None:
    store = _store(pg_server, "close_in_loop")
    await store.async_add(_nodes())
    pool = store._aengine._pool if store._aengine is not None else None
    assert pool is not None
    store.close()
    for _ in range(100):
        if pool.closed:
            break
        await asyncio.sleep(0.02)
    assert pool.closed
    assert _backends(pg_server.dsn, "close_in_loop") == 0


def test_store_reopens_after_close(pg_server: Any) -> None:
    store = _store(pg_server, "close_reopen")
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(store.async_add(_nodes()))
        store.close()
        assert len(loop.run_until_complete(store.aget_nodes())) == 5
        assert len(store.get_nodes()) == 5
        loop.run_until_complete(store.aclose())
    finally:
        loop.close()
