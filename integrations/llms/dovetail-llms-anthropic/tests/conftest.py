"""Fixtures: one loopback Anthropic server per session, reset around each test; no ambient keys or config."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import closing_factory
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.llms.anthropic import Anthropic

from .anthropic_loopback import API_KEY
from .anthropic_loopback import LoopbackAnthropic

_AMBIENT = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_PROFILE", "DOVETAIL_CONFIG")


_server, server = loopback_server_fixtures(LoopbackAnthropic)


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    isolate_env(monkeypatch, tmp_path, _AMBIENT)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path / "anthropic"))


@pytest.fixture
async def make_llm(server: LoopbackAnthropic) -> AsyncIterator[object]:
    """Build ``Anthropic`` objects pointed at the server (both clients closed at teardown, in the test's loop)."""
    async with closing_factory(Anthropic, api_key=API_KEY, base_url=server.url, model="claude-sonnet-4-5") as make:
        yield make
