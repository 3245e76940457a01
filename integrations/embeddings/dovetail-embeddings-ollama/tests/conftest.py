"""Fixtures: the loopback Ollama server of ``dovetail-llms-ollama``'s tests (imported by name), reset per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory, isolate_env, loopback_server_fixtures

_LLM_TESTS = Path(__file__).parents[3] / "llms" / "dovetail-llms-ollama" / "tests"
if str(_LLM_TESTS) not in sys.path:
    sys.path.insert(0, str(_LLM_TESTS))

from dovetail.embeddings.ollama import OllamaEmbedding  # noqa: E402
from ollama_loopback import LoopbackOllama  # noqa: E402

_server, server = loopback_server_fixtures(LoopbackOllama)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_env(monkeypatch, tmp_path, ("OLLAMA_HOST", "OLLAMA_API_KEY", "DOVETAIL_CONFIG"), chdir=False)


@pytest.fixture
async def make_embed(server: LoopbackOllama) -> AsyncIterator[object]:
    """Build ``OllamaEmbedding`` objects pointed at the server (closed at teardown, in the test's loop)."""
    async with closing_factory(OllamaEmbedding, base_url=server.url, model_name="nomic-embed-text") as make:
        yield make
