"""Fixtures: the loopback Gemini server of ``dovetail-llms-gemini``'s tests (imported by name), reset per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

_LLM_TESTS = Path(__file__).parents[3] / "llms" / "dovetail-llms-gemini" / "tests"
if str(_LLM_TESTS) not in sys.path:
    sys.path.insert(0, str(_LLM_TESTS))

from dovetail.embeddings.gemini import GoogleGenAIEmbedding  # noqa: E402
from gemini_loopback import API_KEY, LoopbackGemini  # noqa: E402


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
    for var in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "DOVETAIL_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
async def make_embed(server: LoopbackGemini) -> AsyncIterator[object]:
    """Build ``GoogleGenAIEmbedding`` objects pointed at the server (closed at teardown, in the test's loop)."""
    built: list[GoogleGenAIEmbedding] = []

    def make(**kwargs: object) -> GoogleGenAIEmbedding:
        options: dict[str, object] = {"api_key": API_KEY, "base_url": server.url, "model_name": "gemini-embedding-001"}
        options.update(kwargs)
        embed = GoogleGenAIEmbedding(**options)  # type: ignore[arg-type]
        built.append(embed)
        return embed

    yield make
    for embed in built:
        await embed.aclose()
