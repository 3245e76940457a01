"""Fixtures: core's loopback Gemini server, one per session, reset per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.servers.gemini_loopback import API_KEY
from dovetail.core.testing.servers.gemini_loopback import LoopbackGemini
from dovetail.embeddings.gemini import GoogleGenAIEmbedding

_server, server = loopback_server_fixtures(LoopbackGemini)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_env(
        monkeypatch,
        tmp_path,
        ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "DOVETAIL_CONFIG"),
        chdir=False,
    )


@pytest.fixture
async def make_embed(server: LoopbackGemini) -> AsyncIterator[object]:
    """Build ``GoogleGenAIEmbedding`` objects pointed at the server (closed at teardown, in the test's loop)."""
    async with closing_factory(
        GoogleGenAIEmbedding, api_key=API_KEY, base_url=server.url, model_name="gemini-embedding-001"
    ) as make:
        yield make
