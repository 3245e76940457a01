"""Running upserts (binary ``COPY`` or pipelined ``executemany``) on a connection.

Each upsert chunk is one transaction: either every row of it is written or none is, so a chunk interrupted by
a lost connection is simply retried (``ON CONFLICT (id) DO UPDATE`` makes the retry idempotent).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dovetail.vector_stores.postgres._rows import Batch
from dovetail.vector_stores.postgres._sql import TableSpec

__all__ = ["Chunk", "awrite", "chunks", "write"]

Chunk = tuple[list[tuple[str, str | None, str, str, str]], Any]
"""Rows and their vectors (a float32 matrix) written in one transaction."""
_STAGE_TYPES = ["text", "text", "text", "text", "text", "vector"]


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
