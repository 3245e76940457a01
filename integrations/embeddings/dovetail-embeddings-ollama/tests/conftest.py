"""Fixtures: core's loopback Ollama server, one per session, reset per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.servers.ollama_loopback import LoopbackOllama
from dovetail.embeddings.ollama import OllamaEmbedding

_server, server = loopback_server_fixtures(LoopbackOllama)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_env(monkeypatch, tmp_path, ("OLLAMA_HOST", "OLLAMA_API_KEY", "DOVETAIL_CONFIG"), chdir=False)


@pytest.fixture
async def make_embed(server: LoopbackOllama) -> AsyncIterator[object]:
    """Build ``OllamaEmbedding`` objects pointed at the server (closed at teardown, in the test's loop)."""
    async with closing_factory(OllamaEmbedding, base_url=server.url, model_name="nomic-embed-text") as make:
        yield make
