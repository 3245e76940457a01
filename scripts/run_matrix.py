"""Run the test suite on every supported Python found on this machine, or at the dependency floors.

``make test-matrix`` syncs one environment per Python (``.venvs/py3.X``) and runs pytest in each;
``make test-lowest`` syncs ``.venvs/lowest`` with ``--resolution lowest-direct`` (every direct dependency at the
floor its package declares) on the oldest supported Python and runs pytest there. Pytest arguments after ``--`` are
passed through (``make test-matrix ARGS="core/tests -x"``).

Interpreters are looked up without downloading anything: pyenv's versions first (its shims only answer for the
global version), then ``uv python find``. A supported Python that is missing fails the run unless
``--allow-missing`` is given, so a green matrix always means every version ran.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def find_python(minor: str) -> str | None:
    """The path of a ``python<minor>`` interpreter, or None."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False).stdout.strip()
        found = sorted(Path(root, "versions").glob(f"{minor}.*/bin/python{minor}")) if root else []
        if found:
            return str(found[-1])
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    find = [*uv_command(), "python", "find", minor]
    result = subprocess.run(find, capture_output=True, text=True, env=env, check=False)
    return result.stdout.strip() if result.returncode == 0 and result.stdout.strip() else None


def uv_command() -> list[str]:
    """``uv`` from PATH, else the one pip installed as a module (``make install`` bootstraps it that way)."""
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def run_suite(name: str, python: str, sync_flags: list[str], pytest_args: list[str]) -> int:
    """Sync ``.venvs/<name>`` for ``python`` and run pytest in it; return pytest's exit code."""
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(ROOT / ".venvs" / name), "UV_PYTHON_DOWNLOADS": "never"}
    lock = ROOT / "uv.lock"
    saved = lock.read_bytes()
    try:
        sync = [*uv_command(), "sync", "--all-packages", "--all-extras", "--python", python, *sync_flags]
        print(f"== {name}: {' '.join(sync)}", flush=True)
        if subprocess.run(sync, cwd=ROOT, env=env, check=False).returncode != 0:
            return 1
    finally:
        # A lowest-direct resolution is written to uv.lock; the committed lock stays the highest resolution.
        if lock.read_bytes() != saved:
            lock.write_bytes(saved)
    command = [*uv_command(), "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
    print(f"== {name}: {' '.join(command)}", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lowest", action="store_true", help="one run at the dependency floors (lowest-direct)")
    parser.add_argument("--python", action="append", choices=SUPPORTED, help="only these versions (repeatable)")
    parser.add_argument("--allow-missing", action="store_true", help="skip, rather than fail on, a missing Python")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    versions = args.python or ([SUPPORTED[0]] if args.lowest else list(SUPPORTED))
    results: dict[str, str] = {}
    for minor in versions:
        python = find_python(minor)
        if python is None:
            results[minor] = "missing"
            print(f"== py{minor}: no interpreter found (pyenv or uv python find)", file=sys.stderr)
            continue
        name = "lowest" if args.lowest else f"py{minor}"
        flags = ["--resolution", "lowest-direct"] if args.lowest else []
        code = run_suite(name, python, flags, args.pytest_args)
        results[minor] = "passed" if code == 0 else f"failed (exit {code})"
    print("== summary: " + ", ".join(f"py{minor} {state}" for minor, state in results.items()))
    bad = [s for s in results.values() if s != "passed" and not (s == "missing" and args.allow_missing)]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
