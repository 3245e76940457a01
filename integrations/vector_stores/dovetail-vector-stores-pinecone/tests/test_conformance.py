"""The vector-store conformance kit against needledb (real HTTP through the pinecone SDK)."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.testing import VectorStoreConformance

pytestmark = pytest.mark.integration


class TestPineconeConformance(VectorStoreConformance):
    @pytest.fixture
    def vector_store(self, make_store: Any) -> Any:
        return make_store()
