"""The dovetail conformance kit applied to ``PostgresVectorStore``: make these pass."""

from __future__ import annotations

import pytest

from dovetail.core.testing import VectorStoreConformance
from dovetail.vector_stores.postgres import PostgresVectorStore


class TestPostgresVectorStoreConformance(VectorStoreConformance):
    @pytest.fixture
    def vector_store(self) -> PostgresVectorStore:
        # Point the object at a real local server on 127.0.0.1 started by a fixture (see shared recipes).
        return PostgresVectorStore()
