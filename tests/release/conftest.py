"""Fixtures for release-engineering tests: a throwaway copy of the repository to scaffold and break."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def copy_repo(target: Path) -> Path:
    """Copy what the scripts need (root pyproject, core, scripts) into ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "dist")
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    shutil.copytree(ROOT / "core", target / "core", ignore=ignore)
    shutil.copytree(SCRIPTS, target / "scripts", ignore=ignore)
    (target / "integrations").mkdir()
    return target


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    return copy_repo(tmp_path)


def run_script(root: Path, name: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/<name>`` of the tree at ``root`` (``--root`` set to it) and capture its output."""
    cmd = [sys.executable, str(root / "scripts" / name), "--root", str(root), *args]
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)


def scaffold(root: Path, domain: str, provider: str) -> subprocess.CompletedProcess[str]:
    return run_script(root, "new_package.py", "--domain", domain, "--provider", provider, timeout=60)


def health(root: Path, *packages: Path, skip_tests: bool = False) -> tuple[int, dict]:  # type: ignore[type-arg]
    flags = ["--json", *(["--skip-tests"] if skip_tests else []), *map(str, packages)]
    proc = run_script(root, "integration_health_check.py", *flags, timeout=600)
    assert proc.stdout, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def failed_checks(report: dict, name: str) -> dict[str, str]:  # type: ignore[type-arg]
    return {c["name"]: c["reason"] for c in report["packages"][name]["checks"] if not c["passed"]}
