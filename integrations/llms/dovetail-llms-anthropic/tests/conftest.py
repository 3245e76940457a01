"""Fixtures: one loopback Anthropic server per session, reset around each test; no ambient keys or config."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from anthropic_loopback import API_KEY, LoopbackAnthropic
from dovetail.llms.anthropic import Anthropic

_AMBIENT = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_PROFILE", "DOVETAIL_CONFIG")


@pytest.fixture(scope="session")
def _server() -> Iterator[LoopbackAnthropic]:
    with LoopbackAnthropic() as started:
        yield started


@pytest.fixture
def server(_server: LoopbackAnthropic) -> Iterator[LoopbackAnthropic]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    for var in _AMBIENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path / "anthropic"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def make_llm(server: LoopbackAnthropic) -> AsyncIterator[object]:
    """Build ``Anthropic`` objects pointed at the server (both clients closed at teardown, in the test's loop)."""
    built: list[Anthropic] = []

    def make(**kwargs: object) -> Anthropic:
        options: dict[str, object] = {"api_key": API_KEY, "base_url": server.url, "model": "claude-sonnet-4-5"}
        options.update(kwargs)
        llm = Anthropic(**options)  # type: ignore[arg-type]
        built.append(llm)
        return llm

    yield make
    for llm in built:
        await llm.aclose()
