"""SQL text of every statement the store sends (pure, no I/O): schema, upserts, reads, deletes and queries.

Identifiers (schema, table, index names) are always quoted with ``psycopg.sql.Identifier``; every value is a
bound parameter. The only literal spliced into DDL is the text-search configuration, and it goes through
``sql.Literal`` (PostgreSQL cannot bind parameters inside ``CREATE TABLE``) after the server has confirmed it
names an existing configuration.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from typing import Literal

from psycopg import sql

__all__ = ["DISTANCES", "AnnIndex", "Distance", "TableSpec"]

Distance = Literal["cosine", "inner_product", "l2"]
DISTANCES: dict[str, tuple[str, str]] = {
    # distance -> (pgvector operator, operator class)
    "cosine": ("<=>", "vector_cosine_ops"),
    "inner_product": ("<#>", "vector_ip_ops"),
    "l2": ("<->", "vector_l2_ops"),
}
COLUMNS = ("id", "ref_doc_id", "text", "metadata", "node", "embedding")
_MAX_IDENTIFIER = 63


@dataclass(frozen=True)
class AnnIndex:
    """The approximate-nearest-neighbour index: ``hnsw`` (``m``, ``ef_construction``) or ``ivfflat`` (``lists``)."""

    kind: Literal["hnsw", "ivfflat"]
    m: int = 16
    ef_construction: int = 64
    lists: int = 100


@dataclass(frozen=True)
class TableSpec:
    """One table per index: where it lives and what it holds."""

    schema: str
    table: str
    dimension: int
    distance: Distance
    hybrid: bool
    text_search_config: str
    index: AnnIndex | None

    @property
    def name(self) -> sql.Composed:
        """``"schema"."table"``."""
        return sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(self.table))

    @property
    def operator(self) -> sql.SQL:
        """The pgvector distance operator of this table."""
        return sql.SQL(DISTANCES[self.distance][0])

    def index_name(self, suffix: str) -> sql.Identifier:
        """An index name derived from the table, kept within PostgreSQL's 63-byte limit."""
        name = f"{self.table}_{suffix}"
        if len(name.encode()) > _MAX_IDENTIFIER:
            digest = hashlib.sha1(self.table.encode()).hexdigest()[:8]
            name = f"{self.table.encode()[:40].decode(errors='ignore')}_{digest}_{suffix}"
        return sql.Identifier(name)

    # ---- schema -----------------------------------------------------------------------------------------------

    def create_table(self) -> sql.Composed:
        """``CREATE TABLE IF NOT EXISTS`` with the generated ``tsvector`` column when hybrid search is on."""
        tsv: sql.Composable = sql.SQL("")
        if self.hybrid:
            tsv = sql.SQL(
                ", text_search_tsv tsvector GENERATED ALWAYS AS (to_tsvector({}::regconfig, text)) STORED"
            ).format(sql.Literal(self.text_search_config))
        return sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, ref_doc_id text, text text NOT NULL DEFAULT '', "
            "metadata jsonb NOT NULL DEFAULT '{{}}'::jsonb, node jsonb NOT NULL DEFAULT '{{}}'::jsonb, "
            "embedding vector({}) NOT NULL{})"
        ).format(self.name, sql.Literal(self.dimension), tsv)

    def create_indexes(self) -> list[sql.Composed]:
        """The secondary indexes: ``ref_doc_id``, metadata GIN, the ANN index and the ``tsvector`` GIN."""
        statements = [
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (ref_doc_id)").format(
                self.index_name("ref_doc_idx"), self.name
            ),
            sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (metadata jsonb_path_ops)").format(
                self.index_name("metadata_idx"), self.name
            ),
        ]
        opclass = sql.SQL(DISTANCES[self.distance][1])
        if self.index is not None and self.index.kind == "hnsw":
            statements.append(
                sql.SQL(
                    "CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (embedding {}) WITH (m = {}, ef_construction = {})"
                ).format(
                    self.index_name("embedding_hnsw_idx"),
                    self.name,
                    opclass,
                    sql.Literal(self.index.m),
                    sql.Literal(self.index.ef_construction),
                )
            )
        elif self.index is not None:
            statements.append(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING ivfflat (embedding {}) WITH (lists = {})").format(
                    self.index_name("embedding_ivfflat_idx"), self.name, opclass, sql.Literal(self.index.lists)
                )
            )
        if self.hybrid:
            statements.append(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING gin (text_search_tsv)").format(
                    self.index_name("tsv_idx"), self.name
                )
            )
        return statements

    # ---- writes -----------------------------------------------------------------------------------------------

    def stage_table(self) -> sql.Composed:
        """A per-session temporary staging table for ``COPY`` (emptied at every commit)."""
        return sql.SQL(
            "CREATE TEMP TABLE IF NOT EXISTS {} (id text, ref_doc_id text, text text, metadata text, node text, "
            "embedding vector({})) ON COMMIT DELETE ROWS"
        ).format(self.stage_name, sql.Literal(self.dimension))

    @property
    def stage_name(self) -> sql.Identifier:
        """Name of the staging table (one per dimension; temporary tables are private to a session)."""
        return sql.Identifier(f"dovetail_stage_{self.dimension}")

    def copy_stage(self) -> sql.Composed:
        """``COPY`` into the staging table, binary format."""
        return sql.SQL("COPY {} (id, ref_doc_id, text, metadata, node, embedding) FROM STDIN (FORMAT BINARY)").format(
            self.stage_name
        )

    def _on_conflict(self) -> sql.SQL:
        return sql.SQL(
            " ON CONFLICT (id) DO UPDATE SET ref_doc_id = EXCLUDED.ref_doc_id, text = EXCLUDED.text, "
            "metadata = EXCLUDED.metadata, node = EXCLUDED.node, embedding = EXCLUDED.embedding"
        )

    def merge_stage(self) -> sql.Composed:
        """Upsert the staged rows into the table."""
        return sql.SQL(
            "INSERT INTO {} (id, ref_doc_id, text, metadata, node, embedding) "
            "SELECT id, ref_doc_id, text, metadata::jsonb, node::jsonb, embedding FROM {}{}"
        ).format(self.name, self.stage_name, self._on_conflict())

    def upsert_row(self) -> sql.Composed:
        """One-row upsert for pipelined ``executemany``."""
        return sql.SQL(
            "INSERT INTO {} (id, ref_doc_id, text, metadata, node, embedding) "
            "VALUES (%s, %s, %s, %s::jsonb, %s::jsonb, %b){}"
        ).format(self.name, self._on_conflict())

    # ---- reads and deletes -------------------------------------------------------------------------------------

    def select_nodes(self, where: sql.Composable) -> sql.Composed:
        """Rows (``id, text, metadata, node``) matching ``where``."""
        return sql.SQL("SELECT id, text, metadata, node FROM {} WHERE {}").format(self.name, where)

    def delete_where(self, where: sql.Composable) -> sql.Composed:
        """Delete the rows matching ``where``."""
        return sql.SQL("DELETE FROM {} WHERE {}").format(self.name, where)

    def truncate(self) -> sql.Composed:
        """Remove every row."""
        return sql.SQL("TRUNCATE {}").format(self.name)

    # ---- queries ----------------------------------------------------------------------------------------------

    def _scored(self, where: sql.Composable) -> sql.Composed:
        return sql.SQL("SELECT id, text, metadata, node, embedding {} %b AS score FROM {} WHERE {}").format(
            self.operator, self.name, where
        )

    def dense(self, where: sql.Composable, exact: bool, limit: int) -> sql.Composed:
        """Top ``limit`` rows by distance to ``%b``; ``exact`` sorts all matching rows instead of using the index.

        Parameters in order: the query vector, the ``where`` parameters. The distance is computed once (the
        ``ORDER BY`` names the ``score`` column, which the ANN index serves).
        """
        if exact:
            # OFFSET 0 keeps the subquery from being flattened, so the ANN index cannot serve the ORDER BY: the
            # planner filters first (GIN / B-tree) and sorts the survivors exactly — the true top-k among them.
            return sql.SQL("SELECT * FROM ({} OFFSET 0) AS matching ORDER BY score LIMIT {}").format(
                self._scored(where), sql.Literal(limit)
            )
        return sql.SQL("{} ORDER BY score LIMIT {}").format(self._scored(where), sql.Literal(limit))

    def dense_candidates(self, where: sql.Composable, limit: int, candidates: int) -> sql.Composed:
        """Filtered top ``limit`` among the index's ``candidates`` nearest rows, else the exact filtered top-k.

        One statement: the ANN index yields ``candidates`` rows (``hnsw.ef_search`` must be at least that), the
        filter keeps some; when at least ``limit`` survive they are the answer, otherwise the exact top
        ``limit`` among every row the filter selects is computed instead (a gate the planner evaluates once, so
        the exact scan never runs when the candidates sufficed). Parameters: the vector and the ``where``
        parameters, twice.
        """
        return sql.SQL(
            "WITH candidates AS MATERIALIZED ("
            "SELECT id, ref_doc_id, text, metadata, node, embedding {op} %b AS score FROM {t} "
            "ORDER BY score LIMIT {c}), "
            "hits AS MATERIALIZED (SELECT id, text, metadata, node, score FROM candidates WHERE {w} "
            "ORDER BY score LIMIT {k}) "
            "SELECT * FROM hits WHERE (SELECT count(*) FROM hits) >= {k} "
            "UNION ALL "
            "(SELECT * FROM ({exact} AND (SELECT count(*) FROM hits) < {k} OFFSET 0) AS matching "
            "ORDER BY score LIMIT {k})"
        ).format(
            op=self.operator,
            t=self.name,
            c=sql.Literal(candidates),
            w=where,
            k=sql.Literal(limit),
            exact=self._scored(sql.SQL("({})").format(where)),
        )

    def text_search(self, where: sql.Composable, limit: int) -> sql.Composed:
        """Top ``limit`` rows by ``ts_rank_cd`` for a ``websearch_to_tsquery`` of ``%s``.

        Parameters in order: the query text, the ``where`` parameters.
        """
        return sql.SQL(
            "SELECT id, text, metadata, node, ts_rank_cd(text_search_tsv, q)::float8 AS score "
            "FROM {t}, websearch_to_tsquery({cfg}::regconfig, %s) AS q "
            "WHERE text_search_tsv @@ q AND {w} ORDER BY score DESC, id LIMIT {k}"
        ).format(t=self.name, w=where, cfg=sql.Literal(self.text_search_config), k=sql.Literal(limit))

    def hybrid_query(self, where: sql.Composable, exact: bool, dense: int, sparse: int) -> sql.Composed:
        """Dense and text candidates in one round trip, tagged ``'d'``/``'t'`` (fused by the caller).

        Parameters: the vector, the ``where`` parameters, the query text, the ``where`` parameters.
        """
        return sql.SQL(
            "(SELECT 'd' AS side, * FROM ({}) AS dense) UNION ALL (SELECT 't', * FROM ({}) AS sparse)"
        ).format(self.dense(where, exact, dense), self.text_search(where, sparse))


def inspect_table() -> sql.SQL:
    """Dimension of ``embedding``, whether ``text_search_tsv`` exists, the table comment, and index definitions.

    Parameters: schema, table (four times).
    """
    return sql.SQL(
        "SELECT "
        "(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
        " AND a.attname = 'embedding' AND NOT a.attisdropped), "
        "EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        " AND column_name = 'text_search_tsv'), "
        "(SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        " WHERE n.nspname = %s AND c.relname = %s), "
        "ARRAY(SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s)"
    )


def describe(spec: TableSpec) -> dict[str, Any]:
    """What the table comment records, so a later store can detect a distance or layout mismatch."""
    return {"dovetail": {"distance": spec.distance, "dimension": spec.dimension, "hybrid": spec.hybrid}}
