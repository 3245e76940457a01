"""The public API of dovetail.vector_stores.postgres is exactly __all__, the entry point loads the store, the pool
and pgvector load on first use, and the package is a namespace leaf."""

from __future__ import annotations

import dovetail.vector_stores.postgres as package
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.vector_stores.postgres"
    entry_points = {"postgres": "PGVectorStore"}
    not_imported = ("pgvector", "psycopg_pool")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)
