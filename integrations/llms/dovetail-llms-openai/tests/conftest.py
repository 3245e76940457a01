"""Fixtures: one loopback OpenAI-compatible server per session, reset before each test."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

_SERVER_FILE = Path(__file__).with_name("openai_loopback.py")


def load_loopback() -> ModuleType:
    """The shared loopback server module (also loaded by path by the embeddings tests and the benchmark)."""
    name = "dovetail_openai_loopback"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _SERVER_FILE)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


loopback = load_loopback()


@pytest.fixture(scope="session")
def _server() -> Iterator[object]:
    with loopback.LoopbackOpenAI() as server:
        yield server


@pytest.fixture
def server(_server: object) -> Iterator[object]:
    _server.reset()  # type: ignore[attr-defined]
    yield _server
    _server.reset()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _no_ambient_openai_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never see the developer's key, base URL or dovetail config."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("DOVETAIL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
