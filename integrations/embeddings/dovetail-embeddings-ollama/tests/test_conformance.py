"""The dovetail embedding conformance kit against the loopback Ollama server."""

from __future__ import annotations

import pytest
from dovetail.core.testing import FactoryEmbeddingConformance

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestOllamaEmbeddingConformance(FactoryEmbeddingConformance):
    """``OllamaEmbedding`` as ``make_embed`` builds it (the server answers with 16-dimensional vectors)."""

    embed_dim = 16
