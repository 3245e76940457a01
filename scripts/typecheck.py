"""Run mypy (strict) on the ``src/`` of every workspace package, one package at a time.

Per-package runs keep the implicit ``dovetail`` namespace unambiguous (mypy_path = that package's src).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def package_dirs() -> list[Path]:
    """core first, then every integration package."""
    return [ROOT / "core", *sorted(p.parent for p in (ROOT / "integrations").glob("*/*/pyproject.toml"))]


def main() -> int:
    """Type-check each package; exit non-zero when any fails."""
    failed: list[str] = []
    for package in package_dirs():
        src = package / "src"
        if not src.is_dir():
            continue
        cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), str(src / "dovetail")]
        print(f"== mypy {package.relative_to(ROOT)}", flush=True)
        env_path = str(src)
        result = subprocess.run(cmd, cwd=ROOT, env={**__import__("os").environ, "MYPYPATH": env_path}, check=False)
        if result.returncode:
            failed.append(str(package.relative_to(ROOT)))
    if failed:
        print("mypy failed for: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
