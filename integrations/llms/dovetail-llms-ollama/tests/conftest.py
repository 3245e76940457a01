"""Fixtures: one loopback Ollama server per session, reset around each test; no ambient host or config."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from dovetail.llms.ollama import Ollama
from ollama_loopback import LoopbackOllama


@pytest.fixture(scope="session")
def _server() -> Iterator[LoopbackOllama]:
    with LoopbackOllama() as started:
        yield started


@pytest.fixture
def server(_server: LoopbackOllama) -> Iterator[LoopbackOllama]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's Ollama host, key or dovetail config."""
    for var in ("OLLAMA_HOST", "OLLAMA_API_KEY", "DOVETAIL_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def make_llm(server: LoopbackOllama) -> AsyncIterator[object]:
    """Build ``Ollama`` objects pointed at the server (both clients closed at teardown, in the test's loop)."""
    built: list[Ollama] = []

    def make(**kwargs: object) -> Ollama:
        options: dict[str, object] = {"base_url": server.url, "model": "llama3.2"}
        options.update(kwargs)
        llm = Ollama(**options)  # type: ignore[arg-type]
        built.append(llm)
        return llm

    yield make
    for llm in built:
        await llm.aclose()
