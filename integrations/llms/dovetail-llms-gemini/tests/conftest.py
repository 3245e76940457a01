"""Fixtures: one loopback Gemini server per session, reset around each test; no ambient keys or config."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

from dovetail.llms.gemini import GoogleGenAI
from gemini_loopback import API_KEY, LoopbackGemini

_AMBIENT = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT", "DOVETAIL_CONFIG")


@pytest.fixture(scope="session")
def _server() -> Iterator[LoopbackGemini]:
    with LoopbackGemini() as started:
        yield started


@pytest.fixture
def server(_server: LoopbackGemini) -> Iterator[LoopbackGemini]:
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture(autouse=True)
def _no_ambient_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's keys or dovetail config."""
    for var in _AMBIENT:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
async def make_llm(server: LoopbackGemini) -> AsyncIterator[object]:
    """Build ``GoogleGenAI`` objects pointed at the server (closed at teardown, in the test's loop)."""
    built: list[GoogleGenAI] = []

    def make(**kwargs: object) -> GoogleGenAI:
        options: dict[str, object] = {"api_key": API_KEY, "base_url": server.url, "model": "gemini-2.5-flash"}
        options.update(kwargs)
        llm = GoogleGenAI(**options)  # type: ignore[arg-type]
        built.append(llm)
        return llm

    yield make
    for llm in built:
        await llm.aclose()
