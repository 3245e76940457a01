"""Running upserts (binary ``COPY`` or pipelined ``executemany``) and per-query search settings on a connection.

Each upsert chunk is one transaction: either every row of it is written or none is, so a chunk interrupted by
a lost connection is simply retried (``ON CONFLICT (id) DO UPDATE`` makes the retry idempotent).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.vector_stores.postgres._plans import Plan
from dovetail.vector_stores.postgres._rows import Batch
from dovetail.vector_stores.postgres._sql import TableSpec

__all__ = ["Chunk", "afetch_with", "awrite", "chunks", "fetch_with", "search_settings", "write"]

Chunk = tuple[list[tuple[str, str | None, str, str, str]], Any]
"""Rows and their vectors (a float32 matrix) written in one transaction."""
_STAGE_TYPES = ["text", "text", "text", "text", "text", "vector"]
_SETTING = {"hnsw_ef_search": "hnsw.ef_search", "ivfflat_probes": "ivfflat.probes"}
_SET_LOCAL = "SELECT set_config(%s, %s, true)"


def chunks(batch: Batch, size: int) -> Iterator[Chunk]:
    """``(rows, vectors)`` slices of at most ``size`` rows."""
    for start in range(0, len(batch.rows), size):
        yield batch.rows[start : start + size], batch.vectors[start : start + size]


def write(conn: Any, spec: TableSpec, chunk: Chunk, method: str) -> None:
    """Upsert one chunk in one transaction."""
    rows, vectors = chunk
    with conn.transaction():
        if method == "copy":
            conn.execute(spec.stage_table())
            with conn.cursor() as cursor, cursor.copy(spec.copy_stage()) as copy:
                copy.set_types(_STAGE_TYPES)
                for row, vector in zip(rows, vectors, strict=True):
                    copy.write_row((*row, vector))
            conn.execute(spec.merge_stage())
        else:
            with conn.cursor() as cursor:
                cursor.executemany(spec.upsert_row(), [(*row, v) for row, v in zip(rows, vectors, strict=True)])


async def awrite(conn: Any, spec: TableSpec, chunk: Chunk, method: str) -> None:
    """Async :func:`write`."""
    rows, vectors = chunk
    async with conn.transaction():
        if method == "copy":
            await conn.execute(spec.stage_table())
            async with conn.cursor() as cursor, cursor.copy(spec.copy_stage()) as copy:
                copy.set_types(_STAGE_TYPES)
                for row, vector in zip(rows, vectors, strict=True):
                    await copy.write_row((*row, vector))
            await conn.execute(spec.merge_stage())
        else:
            async with conn.cursor() as cursor:
                await cursor.executemany(spec.upsert_row(), [(*row, v) for row, v in zip(rows, vectors, strict=True)])


def search_settings(kwargs: dict[str, Any]) -> list[tuple[str, str]]:
    """``hnsw_ef_search`` / ``ivfflat_probes`` query keywords as ``(setting, value)`` pairs (validated)."""
    settings = []
    for key, value in kwargs.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32768:
            msg = f"{key} must be a positive integer, got {value!r}"
            raise InvalidInputError(msg)
        settings.append((_SETTING[key], str(value)))
    return settings


def fetch_with(conn: Any, plan: Plan[Any], settings: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """Run ``plan`` with ``settings`` applied to its transaction only."""
    with conn.transaction():
        for name, value in settings:
            conn.execute(_SET_LOCAL, (name, value))
        rows: list[tuple[Any, ...]] = conn.execute(plan.statement, plan.params).fetchall()
    return rows


async def afetch_with(conn: Any, plan: Plan[Any], settings: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    """Async :func:`fetch_with`."""
    async with conn.transaction():
        for name, value in settings:
            await conn.execute(_SET_LOCAL, (name, value))
        cursor = await conn.execute(plan.statement, plan.params)
        rows: list[tuple[Any, ...]] = await cursor.fetchall()
    return rows
