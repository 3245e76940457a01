"""Fixtures: one real PostgreSQL 16 + pgvector per test session (from the pgserver wheel) and fresh stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.vector_stores.postgres import PGVectorStore

from ._pgserver import LocalPostgres


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalPostgres]:
    server = LocalPostgres()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def make_store(pg_server: LocalPostgres) -> AsyncIterator[Callable[..., PGVectorStore]]:
    """Build stores on the test server, each on its own new table unless ``table_name`` is given.

    An async fixture, so its teardown runs inside the test's event loop, before that loop closes: an asyncio
    pool a test opened is closed in its own loop (otherwise the loop's teardown waits on the pool's tasks).
    """

    def build(**kwargs: Any) -> PGVectorStore:
        kwargs.setdefault("table_name", f"t_{uuid.uuid4().hex[:12]}")
        return PGVectorStore(**kwargs)

    async with closing_factory(build, connection_string=pg_server.dsn) as make:
        yield make
