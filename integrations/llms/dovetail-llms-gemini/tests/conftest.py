"""Fixtures: one loopback Gemini server per session, reset around each test; no ambient keys or config."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.servers.gemini_loopback import API_KEY
from dovetail.core.testing.servers.gemini_loopback import LoopbackGemini
from dovetail.llms.gemini import GoogleGenAI

_AMBIENT = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT", "DOVETAIL_CONFIG")


_server, server = loopback_server_fixtures(LoopbackGemini)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's keys or dovetail config."""
    isolate_env(monkeypatch, tmp_path, _AMBIENT)


@pytest.fixture
async def make_llm(server: LoopbackGemini) -> AsyncIterator[object]:
    """Build ``GoogleGenAI`` objects pointed at the server (closed at teardown, in the test's loop)."""
    async with closing_factory(GoogleGenAI, api_key=API_KEY, base_url=server.url, model="gemini-2.5-flash") as make:
        yield make
