"""Fixtures shared by the OpenAI LLM and embedding tests: one loopback server per session, no ambient settings.

Each ``conftest.py`` puts this directory on ``sys.path`` and imports the fixtures by name, so pytest registers
them there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openai_loopback as loopback
import pytest

__all__ = ["_no_ambient_openai_env", "_server", "loopback", "server"]

_AMBIENT = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


@pytest.fixture(scope="session")
def _server() -> Iterator[loopback.LoopbackOpenAI]:
    with loopback.LoopbackOpenAI() as started:
        yield started


@pytest.fixture
def server(_server: loopback.LoopbackOpenAI) -> Iterator[loopback.LoopbackOpenAI]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture(autouse=True)
def _no_ambient_openai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    for var in (*_AMBIENT, "DOVETAIL_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
