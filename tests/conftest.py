"""Fixtures for the cross-package end-to-end tests: a clean ``Settings``, corpora, and a no-network runner."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO / "scripts" / "demo_corpus"

# Installed in the child interpreter before anything else runs: every attempt to resolve a name or open a
# connection is written to $DOVETAIL_NETLOG and then refused, so the test sees both the attempt and its effect.
NETWORK_GUARD = """
import os, sys
_LOG = os.environ["DOVETAIL_NETLOG"]
_BLOCKED = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
            "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg"}
def _guard(event, args):
    if event in _BLOCKED:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{event} {args!r}\\n")
        raise ConnectionRefusedError(f"network access is disabled in this test ({event})")
sys.addaudithook(_guard)
"""


@dataclass
class GuardedRun:
    """Result of a command run with the network guard."""

    returncode: int
    stdout: str
    stderr: str
    network_attempts: list[str]


def onnx_tutorial_marks(reason: str) -> list[pytest.MarkDecorator]:
    """Marks of a tutorial that embeds with the default (ONNX) model: slow, and skipped with ``reason`` when
    dovetail-embeddings-onnx is not installed."""
    missing = importlib.util.find_spec("dovetail.embeddings.onnx") is None
    return [pytest.mark.slow, pytest.mark.skipif(missing, reason=reason)]


def run_offline(code: str, *args: str, cwd: Path | None = None, timeout: float = 300) -> GuardedRun:
    """Run ``python -c <guard + code> args...`` and report what it tried on the network."""
    log = Path(os.environ.get("PYTEST_TMPDIR", "/tmp")) / f"netlog-{os.getpid()}-{len(code)}-{id(args)}.txt"
    log.unlink(missing_ok=True)
    env = {**os.environ, "DOVETAIL_NETLOG": str(log), "PYTHONUNBUFFERED": "1"}
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env.pop(key, None)
    proc = subprocess.run(
        [sys.executable, "-c", NETWORK_GUARD + code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=cwd or REPO,
        check=False,
    )
    attempts = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return GuardedRun(proc.returncode, proc.stdout, proc.stderr, attempts)


CLI = "import sys\nfrom dovetail.core.cli import main\nraise SystemExit(main(sys.argv[1:]))\n"


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    from dovetail.core.settings import Settings

    Settings.reset()
    yield
    Settings.reset()


def write_corpus(root: Path, count: int, sentences: int = 6) -> Path:
    """``count`` small markdown files with distinct, deterministic text."""
    root.mkdir(parents=True, exist_ok=True)
    woods = ["oak", "ash", "walnut", "cherry", "maple", "beech", "elm", "pine"]
    for number in range(count):
        wood = woods[number % len(woods)]
        lines = [f"# Note {number}", ""]
        tools = ["saw", "chisel", "router"]
        lines += [
            f"Joint {number}.{k} is cut in {wood} with a {tools[k % 3]} and glued for {k + number} minutes."
            for k in range(sentences)
        ]
        (root / f"note_{number:03d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
