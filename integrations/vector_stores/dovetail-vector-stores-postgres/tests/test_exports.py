"""The public API of dovetail.vector_stores.postgres is exactly __all__, the entry point loads the store, the pool
and pgvector load on first use (the namespace layout: ``tests/test_namespace_leaves.py`` of the repository)."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.vector_stores.postgres"
    entry_points = {"postgres": "PGVectorStore"}
    not_imported = ("pgvector", "psycopg_pool")
