"""Peer venvs for benchmarks: llama-index, langchain, ... installed with uv into ``bench/.venv-<name>``.

Never into the project's venv. A file lock keeps bench scripts running in parallel from racing to create one.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"


def uv() -> list[str]:
    """The uv command (the one on PATH, else the module in this interpreter)."""
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def ensure_venv(name: str, requirements: list[str], probe_import: str) -> Path:
    """Python of ``bench/.venv-<name>`` with ``requirements`` installed (created once)."""
    venv = BENCH / f".venv-{name}"
    python = venv / "bin" / "python"
    CACHE.mkdir(exist_ok=True)
    with (CACHE / f"venv-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not python.exists():
            subprocess.run([*uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        probe = subprocess.run([str(python), "-c", f"import {probe_import}"], capture_output=True, check=False)
        if probe.returncode:
            subprocess.run([*uv(), "pip", "install", "--quiet", "--python", str(python), *requirements], check=True)
    return python


def version_of(python: Path, distribution: str) -> str:
    """Installed version of ``distribution`` in the interpreter ``python``."""
    code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


LLAMA_INDEX_CORE = "llama-index-core>=0.12,<0.15"
"""The llama-index-core releases the benchmarks compare with."""


def llama_index_core_python() -> tuple[Path, str]:
    """Python of the shared ``bench/.venv-llamaindex`` with llama-index-core installed, and its version."""
    python = ensure_venv("llamaindex", [LLAMA_INDEX_CORE], "llama_index.core")
    return python, version_of(python, "llama-index-core")


def run_worker(python: str | Path, worker: str, args: object) -> Any:
    """Run the ``worker`` source in ``python`` with ``args`` as JSON in ``sys.argv[1]``; its last output line,
    parsed as JSON."""
    cmd = [str(python), "-c", worker, json.dumps(args)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])
