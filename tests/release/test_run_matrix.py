"""`make test-matrix` / `make test-lowest`: interpreter lookup and the failure when a supported Python is missing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT
from .conftest import SCRIPTS

sys.path.insert(0, str(SCRIPTS))
from run_matrix import SUPPORTED
from run_matrix import find_python


def test_the_running_python_is_found_without_downloads() -> None:
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = find_python(minor)
    assert found is not None
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == str(tuple(sys.version_info[:2]))


def test_supported_versions_match_the_packages_and_the_workflow() -> None:
    classifiers = (ROOT / "core" / "pyproject.toml").read_text(encoding="utf-8")
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert f"python: [{', '.join(f'{v!r}' for v in SUPPORTED)}]".replace("'", '"') in workflow
    for version in SUPPORTED:
        assert f"Programming Language :: Python :: {version}" in classifiers


def test_a_missing_python_fails_the_matrix(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # In process, with the lookup finding nothing: a subprocess could find the running interpreter and start a
    # whole nested matrix.
    import run_matrix

    monkeypatch.setattr(run_matrix, "find_python", lambda minor: None)
    assert run_matrix.main(["--python", "3.13"]) == 1
    assert "py3.13 missing" in capsys.readouterr().out
    assert run_matrix.main(["--python", "3.13", "--allow-missing"]) == 0
