"""Fixtures: core's loopback OpenAI-compatible server, one per session, reset before each test; no ambient
keys, base URL or config."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.servers.openai_loopback import OPENAI_AMBIENT_ENV
from dovetail.core.testing.servers.openai_loopback import LoopbackOpenAI

_server, server = loopback_server_fixtures(LoopbackOpenAI)


@pytest.fixture(autouse=True)
def _no_ambient_openai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    isolate_env(monkeypatch, tmp_path, OPENAI_AMBIENT_ENV)
