"""Fixtures: one loopback Ollama server per session, reset around each test; no ambient host or config."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.servers.ollama_loopback import LoopbackOllama
from dovetail.llms.ollama import Ollama

_server, server = loopback_server_fixtures(LoopbackOllama)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's Ollama host, key or dovetail config."""
    isolate_env(monkeypatch, tmp_path, ("OLLAMA_HOST", "OLLAMA_API_KEY", "DOVETAIL_CONFIG"))


@pytest.fixture
async def make_llm(server: LoopbackOllama) -> AsyncIterator[object]:
    """Build ``Ollama`` objects pointed at the server (both clients closed at teardown, in the test's loop)."""
    async with closing_factory(Ollama, base_url=server.url, model="llama3.2") as make:
        yield make
