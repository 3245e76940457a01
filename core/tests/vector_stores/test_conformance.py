"""SimpleVectorStore passes the vector-store conformance kit (all capability flags on)."""

from __future__ import annotations

import pytest
from dovetail.core.testing import VectorStoreConformance
from dovetail.core.vector_stores import SimpleVectorStore


class TestSimpleVectorStoreConformance(VectorStoreConformance):
    @pytest.fixture
    def vector_store(self) -> SimpleVectorStore:
        return SimpleVectorStore()


class TestSimpleVectorStoreDotConformance(VectorStoreConformance):
    reports_cosine = False

    @pytest.fixture
    def vector_store(self) -> SimpleVectorStore:
        return SimpleVectorStore(similarity="dot", embed_dim=6)
