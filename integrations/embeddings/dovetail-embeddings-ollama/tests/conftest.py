"""Fixtures: the loopback Ollama server of ``dovetail-llms-ollama``'s tests (imported by name), reset per test."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

_LLM_TESTS = Path(__file__).parents[3] / "llms" / "dovetail-llms-ollama" / "tests"
if str(_LLM_TESTS) not in sys.path:
    sys.path.insert(0, str(_LLM_TESTS))

from dovetail.embeddings.ollama import OllamaEmbedding  # noqa: E402
from ollama_loopback import LoopbackOllama  # noqa: E402


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
    for var in ("OLLAMA_HOST", "OLLAMA_API_KEY", "DOVETAIL_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


@pytest.fixture
async def make_embed(server: LoopbackOllama) -> AsyncIterator[object]:
    """Build ``OllamaEmbedding`` objects pointed at the server (closed at teardown, in the test's loop)."""
    built: list[OllamaEmbedding] = []

    def make(**kwargs: object) -> OllamaEmbedding:
        options: dict[str, object] = {"base_url": server.url, "model_name": "nomic-embed-text"}
        options.update(kwargs)
        embed = OllamaEmbedding(**options)  # type: ignore[arg-type]
        built.append(embed)
        return embed

    yield make
    for embed in built:
        await embed.aclose()
