"""Run mypy (strict) on the ``src/`` of every workspace package, one package at a time, and on core's tests.

Per-package runs keep the implicit ``dovetail`` namespace unambiguous (``MYPYPATH`` = that package's src).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import ROOT
from workspace import discover


def main() -> int:
    """Type-check each package; exit non-zero when any fails."""
    failed: list[str] = []
    for package in (p.path for p in discover()):
        src = package / "src"
        if not src.is_dir():
            continue
        config = str(ROOT / "pyproject.toml")
        cmd = [sys.executable, "-m", "mypy", "--config-file", config, str(src / "dovetail")]
        print(f"== mypy {package.relative_to(ROOT)}", flush=True)
        env = {**os.environ, "MYPYPATH": str(src)}
        if subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode:
            failed.append(str(package.relative_to(ROOT)))
    # core's tests are typed too: they are the first user of its public API
    print("== mypy core/tests", flush=True)
    env = {**os.environ, "MYPYPATH": str(ROOT / "core" / "src")}
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "core" / "tests")]
    if subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode:
        failed.append("core/tests")
    if failed:
        print("mypy failed for: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
