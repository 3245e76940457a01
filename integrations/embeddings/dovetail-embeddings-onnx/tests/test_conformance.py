"""The dovetail conformance kit applied to ``OnnxEmbedding`` (the real int8 MiniLM model, offline)."""

from __future__ import annotations

import pytest
from dovetail.core.testing import EmbeddingConformance
from dovetail.embeddings.onnx import OnnxEmbedding


class TestOnnxEmbeddingConformance(EmbeddingConformance):
    embed_dim = 384

    @pytest.fixture
    def embedding(self) -> OnnxEmbedding:
        # Instances share the loaded session, so a fresh object per test costs nothing after the first load.
        return OnnxEmbedding(threads=2)
