"""Connection pools and the one retry layer around them (psycopg 3 + psycopg_pool, sync and asyncio).

Each operation runs as a function of one pooled connection inside :func:`dovetail.core.retry.retry_call`: a
psycopg error is mapped to the dovetail tree, connection losses and server restarts are retried (after the
pool has dropped its broken connections), everything else is raised at once. Connections run in autocommit
mode (a read is one round trip); writes open an explicit transaction. Pools open on first use, never in a
constructor; psycopg prepares statements a connection runs repeatedly (``prepare_threshold``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from dovetail.core.errors import ProviderConnectionError
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import aretry_call
from dovetail.core.retry import retry_call
from dovetail.vector_stores.postgres._errors import map_error
from dovetail.vector_stores.postgres._search import SearchSettings
from dovetail.vector_stores.postgres._settings import Connection

__all__ = ["AsyncEngine", "EngineOptions", "SyncEngine"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class EngineOptions:
    """Pool and session settings shared by the sync and async engines."""

    pool_size: int
    pool_timeout: float
    statement_timeout: float | None
    hnsw_ef_search: int | None
    ivfflat_probes: int | None
    prepare_threshold: int | None
    policy: RetryPolicy


def session_settings(options: EngineOptions) -> list[tuple[str, str]]:
    """``(setting, value)`` pairs applied to every new connection with ``set_config``."""
    settings = []
    if options.statement_timeout is not None:
        settings.append(("statement_timeout", str(max(1, round(options.statement_timeout * 1000)))))
    if options.hnsw_ef_search is not None:
        settings.append(("hnsw.ef_search", str(options.hnsw_ef_search)))
    if options.ivfflat_probes is not None:
        settings.append(("ivfflat.probes", str(options.ivfflat_probes)))
    return settings


_SET = "SELECT set_config(%s, %s, false)"


def search_values(options: EngineOptions) -> dict[str, str | None]:
    """The ANN search settings ``options`` give every connection (``None``: the server's default)."""
    return {
        "hnsw.ef_search": None if options.hnsw_ef_search is None else str(options.hnsw_ef_search),
        "ivfflat.probes": None if options.ivfflat_probes is None else str(options.ivfflat_probes),
    }


def search_defaults(options: EngineOptions) -> SearchSettings:
    """The per-connection search-settings tracker, starting from the store's defaults."""
    return SearchSettings(search_values(options))


class _Engine:
    """What both engines hold: the connection, the options, the pool (opened later) and the search tracker."""

    def __init__(self, connection: Connection, options: EngineOptions) -> None:
        self._connection = connection
        self._options = options
        self._pool: Any = None
        self.search = search_defaults(options)

    def reconfigure(self, options: EngineOptions) -> None:
        """Use ``options``' search defaults from now on (open connections get them at their next query)."""
        self._options = options
        self.search.use_defaults(search_values(options))

    def _pool_arguments(self, name: str, configure: Callable[[Any], Any]) -> dict[str, Any]:
        """The arguments of a closed psycopg pool named ``name`` whose new connections go through ``configure``."""
        return {
            "conninfo": self._connection.conninfo.get_secret_value(),
            "min_size": 1,
            "max_size": self._options.pool_size,
            "timeout": self._options.pool_timeout,
            "kwargs": {"autocommit": True, "prepare_threshold": self._options.prepare_threshold},
            "configure": configure,
            "open": False,
            "name": name,
        }


class SyncEngine(_Engine):
    """A lazily opened ``ConnectionPool`` and retried operations on it."""

    def _configure(self, conn: Any) -> None:
        from pgvector.psycopg import register_vector

        register_vector(conn)
        options = self._options  # one snapshot: reconfigure() may swap it meanwhile
        for name, value in session_settings(options):
            conn.execute(_SET, (name, value))
        self.search.opened(conn, search_values(options))

    def pool(self) -> Any:
        """The pool (opened on first call; connections are made in the background)."""
        if self._pool is None:
            from psycopg_pool import ConnectionPool

            pool = ConnectionPool(**self._pool_arguments("dovetail-postgres", self._configure))
            pool.open(wait=False)
            self._pool = pool
        return self._pool

    def connect(self) -> Any:
        """One direct (unpooled) autocommit connection, for schema setup before the vector type exists."""
        import psycopg

        return psycopg.connect(
            self._connection.conninfo.get_secret_value(), autocommit=True, connect_timeout=self._connect_timeout()
        )

    def _connect_timeout(self) -> int:
        return max(2, round(self._options.pool_timeout))

    def run(self, fn: Callable[[Any], T], operation: str, *, pooled: bool = True) -> T:
        """``fn(connection)`` with retries; psycopg errors become dovetail errors."""

        def attempt() -> T:
            try:
                if not pooled:
                    with self.connect() as conn:
                        return fn(conn)
                with self.pool().connection() as conn:
                    return fn(conn)
            except Exception as exc:
                mapped = map_error(exc, operation, self._connection.display)
                if isinstance(mapped, ProviderConnectionError) and self._pool is not None:
                    with contextlib.suppress(Exception):
                        self._pool.check()  # drop idle connections the restart broke before retrying
                if mapped is exc:
                    raise
                raise mapped from exc

        return retry_call(attempt, self._options.policy, operation=f"postgres.{operation}")

    def close(self) -> None:
        """Close the pool (reopened on next use)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()


class AsyncEngine(_Engine):
    """A lazily opened ``AsyncConnectionPool`` (bound to the event loop that opened it)."""

    def __init__(self, connection: Connection, options: EngineOptions) -> None:
        super().__init__(connection, options)
        self._loop: Any = None

    async def _configure(self, conn: Any) -> None:
        from pgvector.psycopg import register_vector_async

        await register_vector_async(conn)
        options = self._options  # one snapshot: reconfigure() may swap it meanwhile
        for name, value in session_settings(options):
            await conn.execute(_SET, (name, value))
        self.search.opened(conn, search_values(options))

    async def pool(self) -> Any:
        """The pool of the running event loop (a new loop gets a new pool)."""
        import asyncio

        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            from psycopg_pool import AsyncConnectionPool

            pool = AsyncConnectionPool(**self._pool_arguments("dovetail-postgres-async", self._configure))
            await pool.open(wait=False)
            self._pool, self._loop = pool, loop
        return self._pool

    async def run(self, fn: Callable[[Any], Awaitable[T]], operation: str) -> T:
        """``await fn(connection)`` with retries; psycopg errors become dovetail errors."""

        async def attempt() -> T:
            pool = await self.pool()
            try:
                async with pool.connection() as conn:
                    return await fn(conn)
            except Exception as exc:
                mapped = map_error(exc, operation, self._connection.display)
                if isinstance(mapped, ProviderConnectionError):
                    with contextlib.suppress(Exception):
                        await pool.check()
                if mapped is exc:
                    raise
                raise mapped from exc

        return await aretry_call(attempt, self._options.policy, operation=f"postgres.{operation}")

    async def aclose(self) -> None:
        """Close the pool (opened by another event loop: as :meth:`close` does)."""
        import asyncio

        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            self.close()
            return
        pool, self._pool, self._loop = self._pool, None, None
        if pool is not None:
            await pool.close()

    def close(self) -> None:
        """Close the pool from synchronous code, in the event loop that owns it.

        The loop exists but is not running (code between ``run_until_complete`` calls, a test's teardown): the
        pool is closed in it, now. The loop runs in another thread: the close is submitted to it and awaited.
        The loop is the caller's own (a sync ``close()`` inside a coroutine): the close is scheduled as a task
        on it, done as soon as the coroutine yields. The loop is closed: the pool's tasks are gone and nothing
        can close its connections cleanly, so a warning says to call ``aclose()`` inside the loop.
        """
        import asyncio

        pool, loop = self._pool, self._loop
        self._pool, self._loop = None, None
        if pool is None or loop is None:
            return
        if loop.is_closed():
            logger.warning(
                "postgres: the asyncio pool's event loop is closed, its connections cannot be closed cleanly; "
                "call `await store.aclose()` before the loop ends"
            )
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is loop:
            task = running.create_task(pool.close())
            _PENDING.add(task)
            task.add_done_callback(_PENDING.discard)
        elif loop.is_running():
            asyncio.run_coroutine_threadsafe(pool.close(), loop).result(timeout=self._options.pool_timeout)
        else:
            loop.run_until_complete(pool.close())


_PENDING: set[Any] = set()
"""Close tasks scheduled by a sync ``close()`` inside the pool's own loop (kept referenced until done)."""
