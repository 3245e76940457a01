"""Run mypy (strict) on every workspace package, one package at a time (its ``src/`` and its ``tests/`` in one
run), then on the cross-package tests in the repository's ``tests/``.

Per-package runs keep the implicit ``dovetail`` namespace unambiguous (``MYPYPATH`` = that package's src) and keep
same-named test modules apart: an integration's ``tests/`` folder is checked as the package ``tests`` rooted at the
integration's folder (the folder is on ``MYPYPATH`` too), so two integrations' ``tests/conftest.py`` never meet in
one run. Core's tests are ``core.tests`` and the cross-package tests ``tests``, both rooted at the repository (the
working directory); the cross-package tests see every package's ``src`` and ``scripts/``, as they import them.

Usage: ``python scripts/typecheck.py [--python-version X.Y] [PATH ...]``; a ``PATH`` is a package folder or the
repository's ``tests`` folder, and none means everything. Each run prints ``== mypy <path>`` before mypy's output.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import ROOT
from workspace import Package
from workspace import discover


@dataclass(frozen=True)
class Check:
    """One mypy run: its name in the ``== mypy`` line, what it checks and the ``MYPYPATH`` it runs with."""

    label: str
    targets: tuple[Path, ...]
    mypy_path: tuple[Path, ...]


def rel(path: Path) -> str:
    """``path`` relative to the repository root when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def package_check(package: Package) -> Check | None:
    """The source of ``package`` and its tests (when it has a ``tests/`` folder), in one run."""
    src = package.path / "src"
    tests = package.path / "tests"
    targets = tuple(path for path in (src / "dovetail", tests) if path.is_dir())
    if not targets:
        return None
    # core's tests resolve as ``core.tests`` from the repository root; an integration's folder name has dashes, so
    # its tests are rooted at the package folder instead and resolve as ``tests``
    roots = (src,) if package.is_core else (src, package.path)
    return Check(rel(package.path), targets, roots)


def cross_package_check(packages: list[Package]) -> Check | None:
    """The repository's own ``tests/``, which import several packages and the scripts."""
    tests = ROOT / "tests"
    if not tests.is_dir():
        return None
    srcs = tuple(p.path / "src" for p in packages if (p.path / "src").is_dir())
    return Check(rel(tests), (tests,), (*srcs, ROOT / "scripts"))


def plan(paths: list[Path]) -> list[Check]:
    """Every check, or only those of the packages (or the root ``tests``) named in ``paths``."""
    packages = discover()
    by_path = {p.path: p for p in packages}
    cross = cross_package_check(packages)
    if not paths:
        checks = [package_check(p) for p in packages] + [cross]
        return [check for check in checks if check is not None]
    chosen: list[Check] = []
    for path in (p.resolve() for p in paths):
        if path in by_path:
            check = package_check(by_path[path])
        elif cross is not None and path == ROOT / "tests":
            check = cross
        else:
            msg = f"{path} is neither a workspace package nor the repository's tests folder"
            raise ValueError(msg)
        if check is not None:
            chosen.append(check)
    return chosen


def run(check: Check, python_version: str | None) -> bool:
    """Run mypy for ``check`` from the repository root; True when it passes."""
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    if python_version:
        cmd += ["--python-version", python_version]
    cmd += [str(target) for target in check.targets]
    env = {**os.environ, "MYPYPATH": os.pathsep.join(map(str, check.mypy_path))}
    print(f"== mypy {check.label}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode == 0


def main(argv: list[str] | None = None) -> int:
    """Type-check the packages and tests; exit non-zero when any run fails."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="package folders (or the root tests folder); default: all")
    parser.add_argument("--python-version", help="check for this Python (X.Y) instead of the configured one")
    args = parser.parse_args(argv)
    try:
        checks = plan(args.paths)
    except ValueError as exc:
        parser.error(str(exc))
    failed = [check.label for check in checks if not run(check, args.python_version)]
    if failed:
        print("mypy failed for: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
