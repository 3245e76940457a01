"""The state behind ``PGVectorStore``: settings, lazily opened engines, the table spec and statement runners."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from typing import Literal

from dovetail.core.concurrency import run_in_thread
from dovetail.core.errors import ConfigurationError
from dovetail.core.retry import RetryPolicy
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import BasePydanticVectorStore
from dovetail.vector_stores.postgres import _config
from dovetail.vector_stores.postgres._engine import AsyncEngine
from dovetail.vector_stores.postgres._engine import EngineOptions
from dovetail.vector_stores.postgres._engine import SyncEngine
from dovetail.vector_stores.postgres._plans import Plan
from dovetail.vector_stores.postgres._settings import resolve_connection
from dovetail.vector_stores.postgres._setup import ensure_table
from dovetail.vector_stores.postgres._sql import Distance
from dovetail.vector_stores.postgres._sql import TableSpec
from pydantic import Field
from pydantic import ModelWrapValidatorHandler
from pydantic import PrivateAttr
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import model_validator

__all__ = ["PGStoreState"]

_SET_LOCAL = "SELECT set_config(%s, %s, true)"


class PGStoreState(BasePydanticVectorStore):
    """Settings and connection state of :class:`~dovetail.vector_stores.postgres.PGVectorStore` (see there)."""

    stores_text: bool = True
    flat_metadata: bool = False

    connection_string: SecretStr | None = Field(default=None, repr=False)
    async_connection_string: SecretStr | None = Field(default=None, repr=False)
    host: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    database: str | None = None
    user: str | None = None
    password: SecretStr | None = Field(default=None, repr=False)
    table_name: str = Field(default="dovetail", min_length=1, max_length=63)
    schema_name: str = Field(default="public", min_length=1, max_length=63)
    embed_dim: int | None = Field(default=None, ge=1, le=16000)
    hybrid_search: bool = False
    text_search_config: str = Field(default="english", min_length=1, max_length=63)
    hnsw_kwargs: dict[str, Any] | None = None
    ivfflat_kwargs: dict[str, Any] | None = None
    distance: Distance | None = None
    perform_setup: bool = True
    batch_size: int = Field(default=2000, ge=1, le=100_000)
    upsert_method: Literal["copy", "executemany"] = "executemany"
    filtered_search: Literal["candidates", "exact", "index"] = "candidates"
    filtered_candidates: int = Field(default=200, ge=1, le=1000)
    statement_timeout: float | None = Field(default=None, gt=0, le=86_400)
    pool_size: int = Field(default=4, ge=1, le=100)
    pool_timeout: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    prepare_threshold: int | None = Field(default=5, ge=0)
    retry_policy: RetryPolicy | None = Field(default=None, exclude=True, repr=False)

    _spec: TableSpec | None = PrivateAttr(default=None)
    _engine: SyncEngine | None = PrivateAttr(default=None)
    _aengine: AsyncEngine | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    model_config = {"extra": "forbid", "arbitrary_types_allowed": True}

    @model_validator(mode="wrap")
    @classmethod
    def _settings_error(cls, data: Any, handler: ModelWrapValidatorHandler[PGStoreState]) -> Any:
        # Bad settings are a dovetail ConfigurationError; pydantic's own messages never echo secret inputs.
        try:
            store = handler(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors(include_input=False)
            )
            msg = f"invalid PGVectorStore settings: {problems}"
            raise ConfigurationError(msg) from None
        for name in ("table_name", "schema_name", "text_search_config"):
            if "\x00" in getattr(store, name):
                msg = f"{name} holds a NUL character; PostgreSQL names cannot"
                raise ConfigurationError(msg)
            if "%" in getattr(store, name):
                # psycopg reads % in statement text as a parameter placeholder, and names are part of that text.
                msg = f"{name} holds a '%' character, which PGVectorStore does not support in names; rename it"
                raise ConfigurationError(msg)
        _config.ann_index(store.hnsw_kwargs, store.ivfflat_kwargs)
        _config.resolve_distance(store.distance, store.hnsw_kwargs, store.ivfflat_kwargs)
        return store

    # ---- engines and table (lazy) -------------------------------------------------------------------------------

    def _default_ef_search(self) -> int | None:
        """``hnsw.ef_search`` of the store's connections: from ``hnsw_kwargs``, else the default when the table
        turned out to have an HNSW index (a store opened on it without ``hnsw_kwargs``), else the server's."""
        _, ef_search, _ = _config.ann_index(self.hnsw_kwargs, self.ivfflat_kwargs)
        found = self._spec.index if self._spec is not None else None
        if ef_search is None and found is not None and found.kind == "hnsw":
            return _config.DEFAULT_EF_SEARCH
        return ef_search

    def _options(self) -> EngineOptions:
        _, _, probes = _config.ann_index(self.hnsw_kwargs, self.ivfflat_kwargs)
        ef_search = self._default_ef_search()
        policy = self.retry_policy if self.retry_policy is not None else RetryPolicy(max_retries=self.max_retries)
        return EngineOptions(
            pool_size=self.pool_size,
            pool_timeout=self.pool_timeout,
            statement_timeout=self.statement_timeout,
            hnsw_ef_search=ef_search,
            ivfflat_probes=probes,
            prepare_threshold=self.prepare_threshold,
            policy=policy,
        )

    def _connection(self, string: SecretStr | None) -> Any:
        return resolve_connection(
            string, host=self.host, port=self.port, database=self.database, user=self.user, password=self.password
        )

    def _sync(self) -> SyncEngine:
        if self._engine is None:
            self._engine = SyncEngine(self._connection(self.connection_string), self._options())
        return self._engine

    def _async(self) -> AsyncEngine:
        if self._aengine is None:
            string = self.async_connection_string or self.connection_string
            self._aengine = AsyncEngine(self._connection(string), self._options())
        return self._aengine

    @property
    def client(self) -> Any:
        """The psycopg ``ConnectionPool`` (opened on first access)."""
        return self._sync().pool()

    def _table(self, dimension: int | None) -> TableSpec | None:
        """The table's spec, creating or checking the table on first use; ``None`` while nothing exists."""
        if self._spec is not None:
            return self._spec
        with self._lock:
            if self._spec is None:
                index, _, _ = _config.ann_index(self.hnsw_kwargs, self.ivfflat_kwargs)
                hint = TableSpec(
                    schema=self.schema_name,
                    table=self.table_name,
                    dimension=self.embed_dim or dimension or 0,
                    distance=_config.resolve_distance(self.distance, self.hnsw_kwargs, self.ivfflat_kwargs),
                    hybrid=self.hybrid_search,
                    text_search_config=self.text_search_config,
                    index=index,
                )
                self._spec = self._sync().run(
                    lambda conn: ensure_table(conn, hint, embed_dim=self.embed_dim, perform_setup=self.perform_setup),
                    "setup",
                    pooled=False,
                )
                if self._spec is not None and self._spec.index != index:  # an index found on the existing table
                    options = self._options()
                    for engine in (self._engine, self._aengine):
                        if engine is not None:
                            engine.reconfigure(options)
        return self._spec

    async def _atable(self, dimension: int | None) -> TableSpec | None:
        # One-time DDL: run in a worker thread so the event loop never blocks on it.
        if self._spec is not None:
            return self._spec
        return await run_in_thread(self._table, dimension)

    def _dimension_hint(self, nodes: Sequence[BaseNode]) -> int | None:
        if self._spec is not None:
            return self._spec.dimension
        if self.embed_dim is not None:
            return self.embed_dim
        first = nodes[0] if nodes and isinstance(nodes[0], BaseNode) else None
        return len(first.embedding) if first is not None and first.embedding else None

    def _candidates(self, search: dict[str, str]) -> int:
        """Rows a filtered HNSW query draws from the index: ``filtered_candidates``, or more when ef_search is."""
        ef_search = int(search.get("hnsw.ef_search", self._default_ef_search() or 0))
        return max(self.filtered_candidates, ef_search)

    def close(self) -> None:
        """Close both connection pools (each reopens on next use).

        The asyncio pool is closed in the event loop that opened it: at once when that loop is idle or runs in
        another thread; inside that loop (a sync ``close()`` called from a coroutine) the close is scheduled
        and finishes at the coroutine's next ``await``. Prefer ``await store.aclose()`` in async code.
        """
        if self._aengine is not None:
            self._aengine.close()
        if self._engine is not None:
            self._engine.close()

    async def aclose(self) -> None:
        """Close the asyncio pool and the sync one."""
        if self._aengine is not None:
            await self._aengine.aclose()
        self.close()

    # ---- runners ------------------------------------------------------------------------------------------------

    def _fetch(self, plan: Plan[Any], operation: str, search: dict[str, str] | None = None) -> Any:
        """Run ``plan`` and decode its rows; ``search``: the query's ANN settings (a query plan only)."""
        engine = self._sync()

        def fetch(conn: Any) -> list[tuple[Any, ...]]:
            if search is not None:
                engine.search.apply(conn, search)
            if not plan.local_settings:
                rows: list[tuple[Any, ...]] = conn.execute(plan.statement, plan.params).fetchall()
                return rows
            with conn.pipeline():  # one round trip, one implicit transaction: the settings end with it
                for name, value in plan.local_settings:
                    conn.execute(_SET_LOCAL, (name, value))
                cursor = conn.execute(plan.statement, plan.params)
            rows = cursor.fetchall()
            return rows

        return plan.decode(engine.run(fetch, operation))

    async def _afetch(self, plan: Plan[Any], operation: str, search: dict[str, str] | None = None) -> Any:
        engine = self._async()

        async def fetch(conn: Any) -> list[tuple[Any, ...]]:
            if search is not None:
                await engine.search.aapply(conn, search)
            if not plan.local_settings:
                cursor = await conn.execute(plan.statement, plan.params)
            else:
                async with conn.pipeline():
                    for name, value in plan.local_settings:
                        await conn.execute(_SET_LOCAL, (name, value))
                    cursor = await conn.execute(plan.statement, plan.params)
            rows: list[tuple[Any, ...]] = await cursor.fetchall()
            return rows

        return plan.decode(await engine.run(fetch, operation))
