"""Create the table on first use, or check that an existing one matches the store's settings.

Setup runs once per store under a transaction-scoped advisory lock (two processes starting together do not
race on ``CREATE TABLE``). An existing table whose dimension, distance or hybrid column differs from what the
store was given raises :class:`~dovetail.core.errors.ConfigurationError`: it is never dropped or re-created.
A store opened without ``hnsw_kwargs`` / ``ivfflat_kwargs`` on a table that already has an ANN index on
``embedding`` learns it from the same catalog query (``pg_indexes``), so it queries the table as a store given
those settings would (``hnsw.ef_search`` default, filtered candidates); no index is created for it.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import replace
from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import NotFoundError
from dovetail.vector_stores.postgres._sql import DISTANCES
from dovetail.vector_stores.postgres._sql import AnnIndex
from dovetail.vector_stores.postgres._sql import TableSpec
from dovetail.vector_stores.postgres._sql import describe
from dovetail.vector_stores.postgres._sql import inspect_table
from psycopg import sql

__all__ = ["detect_index", "ensure_table", "inspect"]

_VECTOR = re.compile(r"^vector\((\d+)\)$")
# pg_indexes.indexdef of an index on the whole column: "... USING hnsw (embedding vector_l2_ops) WITH (m='16', ...)"
_ANN = re.compile(r" USING (hnsw|ivfflat) \(embedding(?: [a-z0-9_]+)?\)(?: WITH \((?P<options>[^)]*)\))?$")
_OPTION = re.compile(r"(\w+)\s*=\s*'?(\d+)'?")


def inspect(conn: Any, spec: TableSpec) -> tuple[int | None, bool, dict[str, Any], list[str]]:
    """``(dimension or None when there is no table, has tsvector column, comment JSON, index definitions)``."""
    row = conn.execute(inspect_table(), [spec.schema, spec.table] * 4).fetchone()
    column, has_tsv, comment, indexes = row
    if column is None:
        return None, False, {}, []
    match = _VECTOR.match(column)
    if match is None:
        msg = f"table {spec.schema}.{spec.table} has an 'embedding' column of type {column}, not vector(n)"
        raise ConfigurationError(msg)
    try:
        noted = json.loads(comment).get("dovetail", {}) if comment else {}
    except (ValueError, AttributeError):
        noted = {}
    return int(match.group(1)), bool(has_tsv), noted if isinstance(noted, dict) else {}, list(indexes or [])


def detect_index(definitions: list[str]) -> AnnIndex | None:
    """The HNSW (preferred) or IVFFlat index on the whole ``embedding`` column among index definitions, if any.

    A partial index (``WHERE ...``) or one on an expression does not serve every query, so it is not taken.
    """
    found: list[AnnIndex] = []
    for definition in definitions:
        match = _ANN.search(definition)
        if match is None:
            continue
        options = {key: int(value) for key, value in _OPTION.findall(match.group("options") or "")}
        if match.group(1) == "hnsw":
            found.append(AnnIndex("hnsw", m=options.get("m", 16), ef_construction=options.get("ef_construction", 64)))
        else:
            found.append(AnnIndex("ivfflat", lists=options.get("lists", 100)))
    found.sort(key=lambda index: index.kind != "hnsw")
    return found[0] if found else None


def check_existing(spec: TableSpec, dimension: int, has_tsv: bool, noted: dict[str, Any], indexes: list[str]) -> None:
    """Raise when the existing table does not match ``spec`` (dimension, distance, hybrid column)."""
    where = f"table {spec.schema}.{spec.table}"
    if dimension != spec.dimension:
        msg = (
            f"{where} stores {dimension}-dimensional vectors but the store was given embed_dim={spec.dimension}; "
            "use the same embedding model, or another table_name (the table is never re-created)"
        )
        raise ConfigurationError(msg)
    distance = noted.get("distance")
    if distance is None:
        for opclass_distance, (_, opclass) in DISTANCES.items():
            if any(f"embedding {opclass}" in definition for definition in indexes):
                distance = opclass_distance
    if distance is not None and distance != spec.distance:
        msg = (
            f"{where} was created for {distance} distance but the store uses {spec.distance}; pass the same "
            "distance (hnsw_kwargs hnsw_dist_method or distance=) or another table_name"
        )
        raise ConfigurationError(msg)
    if spec.hybrid and not has_tsv:
        msg = (
            f"{where} has no full-text column (it was created without hybrid_search); use another table_name "
            "for hybrid search, or hybrid_search=False"
        )
        raise ConfigurationError(msg)


def _create(conn: Any, spec: TableSpec) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"dovetail:{spec.schema}.{spec.table}".encode())])
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(spec.schema)))
        if spec.hybrid:
            found = conn.execute("SELECT count(*) FROM pg_ts_config WHERE cfgname = %s", [spec.text_search_config])
            if found.fetchone()[0] == 0:
                msg = (
                    f"text_search_config {spec.text_search_config!r} is not a text search configuration on this "
                    "server; use one listed by \\dF in psql (e.g. 'english', 'simple')"
                )
                raise ConfigurationError(msg)
        existing, _, _, _ = inspect(conn, spec)
        if existing is None:
            conn.execute(spec.create_table())
            comment = json.dumps(describe(spec))
            conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(spec.name, sql.Literal(comment)))
        for statement in spec.create_indexes():
            conn.execute(statement)


def ensure_table(conn: Any, spec: TableSpec, *, embed_dim: int | None, perform_setup: bool) -> TableSpec | None:
    """The spec of the table ``spec`` names, created when missing (``perform_setup``) and checked when present.

    ``spec.dimension`` is a hint (``0`` when unknown); ``None`` is returned when there is no table and no
    dimension to create one with (nothing has been added yet).

    Raises:
        ConfigurationError: the existing table does not match the store's settings.
        NotFoundError: no table and ``perform_setup=False``.
    """
    dimension, has_tsv, noted, indexes = inspect(conn, spec)
    if dimension is not None:
        resolved = replace(spec, dimension=embed_dim or dimension)
        check_existing(resolved, dimension, has_tsv, noted, indexes)
        if perform_setup:
            _create(conn, resolved)  # indexes the table may still lack (idempotent)
        if resolved.index is None:  # not asked for one: use the index the table has (never create another)
            resolved = replace(resolved, index=detect_index(indexes))
        return resolved
    if not perform_setup:
        msg = f"table {spec.schema}.{spec.table} does not exist; create it or pass perform_setup=True"
        raise NotFoundError(msg)
    if not spec.dimension:
        return None
    _create(conn, spec)
    return spec
