"""``PGVectorStore``: dovetail's vector-store contract on PostgreSQL with pgvector (psycopg 3, sync and asyncio)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryResult
from dovetail.vector_stores.postgres import _uri
from dovetail.vector_stores.postgres import _writes
from dovetail.vector_stores.postgres._plans import get_plan
from dovetail.vector_stores.postgres._plans import query_plan
from dovetail.vector_stores.postgres._plans import where_clause
from dovetail.vector_stores.postgres._rows import prepare
from dovetail.vector_stores.postgres._search import QUERY_SETTINGS
from dovetail.vector_stores.postgres._search import query_overrides
from dovetail.vector_stores.postgres._state import PGStoreState
from pydantic import SecretStr

__all__ = ["PGVectorStore"]

logger = logging.getLogger(__name__)
_QUERY_KWARGS = frozenset(QUERY_SETTINGS)


def _no_kwargs(kwargs: dict[str, Any], method: str, allowed: frozenset[str] = frozenset()) -> None:
    extra = sorted(set(kwargs) - allowed)
    if extra:
        hint = f"; it accepts {sorted(allowed)}" if allowed else ""
        msg = f"PGVectorStore.{method}() got unexpected keyword arguments {extra}{hint}"
        raise InvalidInputError(msg)


def _nodes_selection(node_ids: list[str] | None, filters: MetadataFilters | None) -> tuple[Any, list[Any]] | None:
    """The ``WHERE`` fragment and parameters of ``delete_nodes``; ``None`` when neither ids nor filters are given."""
    if node_ids is None and filters is None:
        return None
    return where_clause(node_ids, filters)


class PGVectorStore(PGStoreState):
    """Vector store on PostgreSQL + pgvector: batched upserts, HNSW/IVFFlat, filters in SQL, hybrid search.

    One table per index (``id``, ``ref_doc_id``, ``text``, ``metadata`` JSONB, ``node`` JSONB, ``embedding``
    ``vector(dim)``, and a generated ``tsvector`` when ``hybrid_search``) is created on first use. Nothing is
    contacted until the first call; every call goes through dovetail's retry policy.

    Args:
        connection_string: ``postgresql://user:password@host:5432/db`` (a SQLAlchemy ``postgresql+psycopg2://``
            URL is accepted too); a secret.
        async_connection_string: the same for the asyncio pool, when it must differ.
        host, port, database, user, password: connection parts (they override the string's); each falls back
            to ``[providers.postgres]`` in dovetail.toml, then ``PGHOST``/``PGPORT``/``PGDATABASE``/``PGUSER``/
            ``PGPASSWORD``.
        table_name: the table (created when missing); ``schema_name``: its schema.
        embed_dim: vector dimension; read from an existing table, else taken from the first ``add``.
        hybrid_search: add a generated ``tsvector`` column for ``TEXT_SEARCH`` and ``HYBRID`` queries.
        text_search_config: PostgreSQL text search configuration (``english``, ``simple``, ...).
        hnsw_kwargs: HNSW index: ``hnsw_m``, ``hnsw_ef_construction``, ``hnsw_ef_search``, ``hnsw_dist_method``.
        ivfflat_kwargs: IVFFlat index instead: ``ivfflat_lists``, ``ivfflat_probes``, ``ivfflat_dist_method``.
        distance: ``cosine`` (default), ``inner_product`` or ``l2`` (or the index's ``*_dist_method``).
        perform_setup: create the extension, table and indexes when missing.
        batch_size: rows per upsert transaction.
        upsert_method: ``executemany`` (pipelined row upserts, the default) or ``copy`` (binary COPY into a
            staging table, then one ``INSERT ... ON CONFLICT``).
        filtered_search: how a filtered dense query on an HNSW table runs. ``candidates`` (default): the
            index's ``filtered_candidates`` nearest rows are filtered, and when fewer than k survive the exact
            top-k among the filtered rows is returned instead (one statement; approximate like any HNSW query).
            ``exact``: always the exact top-k among the filtered rows (sorts every row the filter selects).
            ``index``: the index serves the filtered query directly (pgvector < 0.8 may return fewer than k).
        filtered_candidates: rows drawn from the HNSW index for a filtered query (at most 1000, pgvector's
            largest ``hnsw.ef_search``); more raises recall on selective filters at some latency.
        statement_timeout: seconds before the server cancels a statement (``None``: the server's setting).
        pool_size: connections per pool; ``pool_timeout``: seconds to wait for one.
        max_retries: retries after a failed attempt (0-10); ``retry_policy`` replaces the whole policy.
        prepare_threshold: executions before psycopg prepares a statement server-side (``None``: never).

    Example:
        ```python
        store = PGVectorStore.from_params(
            host="localhost", port=5432, database="rag", user="app", password="...",
            table_name="docs", embed_dim=384, hybrid_search=True,
            hnsw_kwargs={"hnsw_m": 16, "hnsw_ef_construction": 64, "hnsw_ef_search": 40},
        )
        store.add(nodes)
        result = store.query(VectorStoreQuery(query_embedding=vector, similarity_top_k=5))
        ```
    """

    @classmethod
    def from_params(
        cls,
        host: str | None = None,
        port: int | str | None = None,
        database: str | None = None,
        user: str | None = None,
        password: str | SecretStr | None = None,
        table_name: str = "dovetail",
        schema_name: str = "public",
        connection_string: str | SecretStr | None = None,
        async_connection_string: str | SecretStr | None = None,
        hybrid_search: bool = False,
        text_search_config: str = "english",
        embed_dim: int | None = None,
        hnsw_kwargs: dict[str, Any] | None = None,
        perform_setup: bool = True,
        **kwargs: Any,
    ) -> PGVectorStore:
        """Build a store from connection parts (LlamaIndex's ``from_params``); other settings as keywords."""
        return cls(
            host=host,
            port=int(port) if port is not None else None,
            database=database,
            user=user,
            password=password,
            table_name=table_name,
            schema_name=schema_name,
            connection_string=connection_string,
            async_connection_string=async_connection_string,
            hybrid_search=hybrid_search,
            text_search_config=text_search_config,
            embed_dim=embed_dim,
            hnsw_kwargs=hnsw_kwargs,
            perform_setup=perform_setup,
            **kwargs,
        )

    @classmethod
    def from_uri(cls, uri: str, **kwargs: Any) -> PGVectorStore:
        """Build a store from ``postgresql://user@host:5432/db?table=docs&hybrid_search=true&hnsw_m=16``.

        Query parameters ``table``, ``schema``, ``hybrid_search``, ``text_search_config``, ``embed_dim``,
        ``distance`` and ``hnsw_*`` configure the store; the others go to libpq. Leave the password out of the
        URI (``PGPASSWORD`` or ``[providers.postgres]`` in dovetail.toml); ``kwargs`` override the URI's settings.
        """
        libpq, settings = _uri.split_uri(uri)
        return cls(connection_string=libpq, **{**settings, **kwargs})

    def public_uri(self) -> str:
        """A URI that reopens this store (table, schema, search settings), never holding the password."""
        from dovetail.vector_stores.postgres._settings import masked

        conninfo = self._connection(self.connection_string).conninfo.get_secret_value()
        base = masked(conninfo).replace(":***@", "@")
        params: dict[str, Any] = {"table": self.table_name, "schema": self.schema_name}
        if self.hybrid_search:
            params.update(hybrid_search="true", text_search_config=self.text_search_config)
        if self.distance is not None:
            params["distance"] = self.distance
        params.update({k: v for k, v in (self.hnsw_kwargs or {}).items()})
        return _uri.public_uri(f"{base}?{urlencode(params)}")

    # ---- add ----------------------------------------------------------------------------------------------------

    def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Upsert ``nodes`` by id in ``batch_size`` transactions; every node is validated first.

        A batch interrupted by a lost connection or a server restart is retried whole (the upsert is
        idempotent); batches already committed stay committed, so calling ``add`` again is always safe.
        """
        _no_kwargs(add_kwargs, "add")
        if isinstance(nodes, Sequence) and not isinstance(nodes, (str, bytes)) and len(nodes) == 0:
            return []
        dimension = self._dimension_hint(nodes)
        batch = prepare(nodes, dimension or 0)
        spec = self._table(batch.vectors.shape[1])
        assert spec is not None  # a dimension is known, so the table exists now
        engine, method = self._sync(), self.upsert_method
        for chunk in _writes.chunks(batch, self.batch_size):

            def write(conn: Any, chunk: _writes.Chunk = chunk) -> None:
                _writes.write(conn, spec, chunk, method)

            engine.run(write, "upsert")
        logger.debug("postgres.upsert: %d nodes into %s.%s", len(batch.ids), spec.schema, spec.table)
        return batch.ids

    async def async_add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
        """Async :meth:`add` on psycopg's asyncio connection pool."""
        _no_kwargs(add_kwargs, "async_add")
        if isinstance(nodes, Sequence) and not isinstance(nodes, (str, bytes)) and len(nodes) == 0:
            return []
        dimension = self._dimension_hint(nodes)
        batch = prepare(nodes, dimension or 0)
        spec = await self._atable(batch.vectors.shape[1])
        assert spec is not None
        engine, method = self._async(), self.upsert_method
        for chunk in _writes.chunks(batch, self.batch_size):

            async def write(conn: Any, chunk: _writes.Chunk = chunk) -> None:
                await _writes.awrite(conn, spec, chunk, method)

            await engine.run(write, "upsert")
        return batch.ids

    # ---- query --------------------------------------------------------------------------------------------------

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Top ``similarity_top_k`` nodes: dense (default), ``TEXT_SEARCH`` or ``HYBRID``; filters run in SQL.

        Keyword arguments: ``hnsw_ef_search`` / ``ivfflat_probes`` for this query only.
        """
        _no_kwargs(kwargs, "query", _QUERY_KWARGS)
        spec = self._table(None)
        if spec is None:
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        search = query_overrides(kwargs)
        plan = query_plan(spec, query, filtered_search=self.filtered_search, candidates=self._candidates(search))
        result: VectorStoreQueryResult = self._fetch(plan, "query", search)
        return result

    async def aquery(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        """Async :meth:`query`."""
        _no_kwargs(kwargs, "aquery", _QUERY_KWARGS)
        spec = await self._atable(None)
        if spec is None:
            return VectorStoreQueryResult(nodes=[], similarities=[], ids=[])
        search = query_overrides(kwargs)
        plan = query_plan(spec, query, filtered_search=self.filtered_search, candidates=self._candidates(search))
        result: VectorStoreQueryResult = await self._afetch(plan, "query", search)
        return result

    # ---- reads, deletes, clear --------------------------------------------------------------------------------------

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """Nodes (with embeddings) by ids and/or filters; unknown ids are skipped; no arguments: every node."""
        _no_kwargs(kwargs, "get_nodes")
        spec = self._table(None)
        if spec is None:
            where_clause(node_ids, filters)  # still reject bad arguments
            return []
        nodes: list[BaseNode] = self._fetch(get_plan(spec, node_ids, filters), "get_nodes")
        return nodes

    async def aget_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kwargs: Any
    ) -> list[BaseNode]:
        """Async :meth:`get_nodes`."""
        _no_kwargs(kwargs, "aget_nodes")
        spec = await self._atable(None)
        if spec is None:
            where_clause(node_ids, filters)
            return []
        nodes: list[BaseNode] = await self._afetch(get_plan(spec, node_ids, filters), "get_nodes")
        return nodes

    def _delete(self, where: Any, params: list[Any], operation: str) -> None:
        spec = self._table(None)
        if spec is not None:
            self._sync().run(lambda conn: conn.execute(spec.delete_where(where), params), operation)

    async def _adelete(self, where: Any, params: list[Any], operation: str) -> None:
        spec = await self._atable(None)
        if spec is not None:

            async def run(conn: Any) -> None:
                await conn.execute(spec.delete_where(where), params)

            await self._async().run(run, operation)

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Delete every node of source document ``ref_doc_id`` (unknown ids: no-op)."""
        _no_kwargs(delete_kwargs, "delete")
        where, params = where_clause(doc_ids=[ref_doc_id])
        self._delete(where, params, "delete")

    async def adelete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        """Async :meth:`delete`."""
        _no_kwargs(delete_kwargs, "adelete")
        where, params = where_clause(doc_ids=[ref_doc_id])
        await self._adelete(where, params, "delete")

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Delete nodes by ids and/or filters (both: nodes matching both); neither: no-op."""
        _no_kwargs(delete_kwargs, "delete_nodes")
        selection = _nodes_selection(node_ids, filters)
        if selection is not None:
            self._delete(*selection, "delete_nodes")

    async def adelete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **delete_kwargs: Any
    ) -> None:
        """Async :meth:`delete_nodes`."""
        _no_kwargs(delete_kwargs, "adelete_nodes")
        selection = _nodes_selection(node_ids, filters)
        if selection is not None:
            await self._adelete(*selection, "delete_nodes")

    def clear(self, **kwargs: Any) -> None:
        """Delete every row (``TRUNCATE``); the table and its indexes stay."""
        _no_kwargs(kwargs, "clear")
        spec = self._table(None)
        if spec is not None:
            self._sync().run(lambda conn: conn.execute(spec.truncate()), "clear")

    async def aclear(self, **kwargs: Any) -> None:
        """Async :meth:`clear`."""
        _no_kwargs(kwargs, "aclear")
        spec = await self._atable(None)
        if spec is not None:

            async def run(conn: Any) -> None:
                await conn.execute(spec.truncate())

            await self._async().run(run, "clear")
