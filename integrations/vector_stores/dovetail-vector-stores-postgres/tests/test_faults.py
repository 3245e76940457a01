"""Faults on the real server: ``pg_ctl restart`` in the middle of a batched upsert, and statement timeouts."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

import numpy as np
import psycopg
import pytest
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.retry import RetryPolicy
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import VectorStoreQuery

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOTAL = 6000
DIM = 64


def _nodes(offset: int = 0) -> list[TextNode]:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((TOTAL, DIM)).astype(np.float32).tolist()
    return [
        TextNode(id_=f"n{i}", text=f"text {i + offset}", metadata={"i": i}, embedding=vectors[i]) for i in range(TOTAL)
    ]


def _rows(dsn: str, table: str) -> tuple[int, int, int]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            f"SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE text = 'text ' || (metadata->>'i')) "
            f'FROM public."{table}"'
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])


def _restart_once_rows_appear(server: Any, table: str, done: threading.Event) -> list[int]:
    seen: list[int] = []
    deadline = time.monotonic() + 60
    while not done.is_set() and time.monotonic() < deadline:
        try:
            count = _rows(server.dsn, table)[0]
        except psycopg.Error:
            count = 0
        if 0 < count < TOTAL:
            seen.append(count)
            server.restart()
            return seen
        time.sleep(0.005)
    return seen


def _retry_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return any("postgres.upsert failed" in r.getMessage() and "retry" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("method", ["copy", "executemany"])
def test_restart_mid_upsert_is_retried_nothing_lost_or_duplicated(
    make_store: Any, pg_server: Any, caplog: pytest.LogCaptureFixture, method: str
) -> None:
    caplog.set_level(logging.WARNING, logger="dovetail.core.retry")
    store = make_store(
        batch_size=250,
        upsert_method=method,
        retry_policy=RetryPolicy(max_retries=8, initial_delay=0.2, max_delay=1.0),
    )
    store.add(_nodes(offset=1)[:10])  # table exists; these rows are overwritten below
    done = threading.Event()
    restarts: list[int] = []
    watcher = threading.Thread(
        target=lambda: restarts.extend(_restart_once_rows_appear(pg_server, store.table_name, done))
    )
    store.clear()
    watcher.start()
    try:
        ids = store.add(_nodes())
    finally:
        done.set()
        watcher.join()
    assert restarts, "the server was never restarted mid-batch; the test did not exercise the fault"
    assert ids == [f"n{i}" for i in range(TOTAL)]
    assert _rows(pg_server.dsn, store.table_name) == (TOTAL, TOTAL, TOTAL)
    assert _retry_logged(caplog)
    result = store.query(VectorStoreQuery(query_embedding=_nodes()[42].embedding, similarity_top_k=1))
    assert result.ids == ["n42"]


async def test_async_restart_mid_upsert(make_store: Any, pg_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="dovetail.core.retry")
    store = make_store(batch_size=250, retry_policy=RetryPolicy(max_retries=8, initial_delay=0.2, max_delay=1.0))
    await store.async_add(_nodes()[:1])
    await store.aclear()
    done = threading.Event()
    restarts: list[int] = []
    watcher = threading.Thread(
        target=lambda: restarts.extend(_restart_once_rows_appear(pg_server, store.table_name, done))
    )
    watcher.start()
    try:
        await store.async_add(_nodes())
    finally:
        done.set()
        await asyncio.to_thread(watcher.join)
        await store.aclose()
    assert restarts
    assert _rows(pg_server.dsn, store.table_name) == (TOTAL, TOTAL, TOTAL)
    assert _retry_logged(caplog)


def test_statement_timeout_cancels_and_raises_timeout(make_store: Any, pg_server: Any) -> None:
    store = make_store(statement_timeout=0.2, max_retries=0)
    store.add([TextNode(id_="a", text="a", embedding=[1.0, 0.0])])
    with psycopg.connect(pg_server.dsn) as blocker:
        blocker.execute(f'LOCK TABLE public."{store.table_name}" IN ACCESS EXCLUSIVE MODE')
        started = time.monotonic()
        with pytest.raises(ProviderTimeoutError, match="statement_timeout"):
            store.query(VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=1))
        assert time.monotonic() - started < 5
    assert store.query(VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=1)).ids == ["a"]
