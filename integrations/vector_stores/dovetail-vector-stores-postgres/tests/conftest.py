"""Fixtures: one real PostgreSQL 16 + pgvector per test session (from the pgserver wheel) and fresh stores."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _pgserver import LocalPostgres
from dovetail.vector_stores.postgres import PGVectorStore


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    server = LocalPostgres()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_store(pg_server: LocalPostgres) -> Iterator[Callable[..., PGVectorStore]]:
    """Build stores on the test server, each on its own new table unless ``table_name`` is given."""
    made: list[PGVectorStore] = []

    def make(**kwargs: Any) -> PGVectorStore:
        kwargs.setdefault("table_name", f"t_{uuid.uuid4().hex[:12]}")
        kwargs.setdefault("connection_string", pg_server.dsn)
        store = PGVectorStore(**kwargs)
        made.append(store)
        return store

    yield make
    for store in made:
        # An async test opened an asyncio pool in its own event loop, which is still open (not running) here:
        # close the pool in that loop, or the loop's teardown waits on the pool's tasks.
        engine = store._aengine
        loop = getattr(engine, "_loop", None)
        if loop is not None and not loop.is_closed() and not loop.is_running():
            loop.run_until_complete(store.aclose())
        else:
            store.close()
