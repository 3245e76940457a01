"""The vector-store conformance kit against a real PostgreSQL 16 + pgvector (psycopg over TCP)."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.testing import VectorStoreConformance

pytestmark = pytest.mark.integration


class TestPGVectorStoreConformance(VectorStoreConformance):
    @pytest.fixture
    def vector_store(self, make_store: Any) -> Any:
        return make_store(hnsw_kwargs={"hnsw_m": 16, "hnsw_ef_construction": 64})
