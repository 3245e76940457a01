"""changed_packages.py: touched packages plus transitive dependents, on a synthetic workspace and on this one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .conftest import SCRIPTS

SCRIPT = SCRIPTS / "changed_packages.py"


def write_package(root: Path, rel: str, name: str, deps: list[str]) -> None:
    pkg = root / rel
    (pkg / "src").mkdir(parents=True)
    requirements = ", ".join(f'"{d}"' for d in deps)
    (pkg / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = [{requirements}]\n'
        f'[tool.dovetail]\nimport_path = "{name.replace("-", ".")}"\n'
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """core ← llms-a ← embeddings-b (b depends on a), core ← readers-c."""
    (tmp_path / "pyproject.toml").write_text("[tool.uv.workspace]\nmembers = []\n")
    write_package(tmp_path, "core", "dovetail-core", [])
    write_package(tmp_path, "integrations/llms/dovetail-llms-a", "dovetail-llms-a", ["dovetail-core>=0.1,<1"])
    write_package(
        tmp_path,
        "integrations/embeddings/dovetail-embeddings-b",
        "dovetail-embeddings-b",
        ["dovetail-core>=0.1,<1", "dovetail-llms-a>=0.1,<1", "numpy>=1,<3"],
    )
    write_package(tmp_path, "integrations/readers/dovetail-readers-c", "dovetail-readers-c", ["dovetail-core>=0.1,<1"])
    return tmp_path


def changed(root: Path, *args: str) -> tuple[int, list[str], str]:
    cmd = [sys.executable, str(SCRIPT), "--root", str(root), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)
    names = [row["name"] for row in json.loads(proc.stdout)] if proc.returncode == 0 else []
    return proc.returncode, names, proc.stderr


ALL4 = ["dovetail-core", "dovetail-embeddings-b", "dovetail-llms-a", "dovetail-readers-c"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["core/src/dovetail/core/schema.py"], ALL4),
        (["integrations/llms/dovetail-llms-a/src/x.py"], ["dovetail-embeddings-b", "dovetail-llms-a"]),
        (["integrations/embeddings/dovetail-embeddings-b/README.md"], ["dovetail-embeddings-b"]),
        (["integrations/readers/dovetail-readers-c/tests/test_x.py"], ["dovetail-readers-c"]),
        (["scripts/workspace.py"], ALL4),
        (["uv.lock"], ALL4),
        ([".github/workflows/ci.yml"], ALL4),
        (["tests/test_cross.py"], ALL4),
        (["README.md", "CONTRIBUTING.md", "bench/bench_x.py"], []),
        (["integrations/llms/dovetail-llms-gone/src/x.py"], []),
        ([], []),
    ],
)
def test_selection(workspace: Path, files: list[str], expected: list[str]) -> None:
    code, names, err = changed(workspace, "--files", *files)
    assert code == 0, err
    assert sorted(names) == expected


def test_output_is_in_dependency_order_with_paths(workspace: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(workspace), "--files", "core/x.py"],
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(proc.stdout)
    names = [r["name"] for r in rows]
    assert names[0] == "dovetail-core"
    assert names.index("dovetail-llms-a") < names.index("dovetail-embeddings-b")
    by_name = {r["name"]: r for r in rows}
    assert by_name["dovetail-llms-a"]["path"] == "integrations/llms/dovetail-llms-a"
    assert by_name["dovetail-readers-c"]["import_path"] == "dovetail.readers.c"


def test_unknown_top_level_path_fails_loudly(workspace: Path) -> None:
    code, _, err = changed(workspace, "--files", "integrations/llms/dovetail-llms-a/x.py", "newdir/thing.py")
    assert code == 2
    assert "newdir/thing.py" in err
    assert "--unknown all" in err


def test_unknown_all_selects_everything(workspace: Path) -> None:
    code, names, err = changed(workspace, "--unknown", "all", "--files", "newdir/thing.py")
    assert code == 0, err
    assert sorted(names) == ALL4


def git(root: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin", "HOME": str(root)}
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env=env)
    return proc.stdout.strip()


def test_git_base_diff_and_github_output(workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", ".")
    git(workspace, "commit", "-q", "-m", "base")
    base = git(workspace, "rev-parse", "HEAD")
    target = workspace / "integrations/readers/dovetail-readers-c/src/new.py"
    target.write_text("x = 1\n")
    git(workspace, "add", ".")
    git(workspace, "commit", "-q", "-m", "change")
    out = tmp_path_factory.mktemp("gh") / "output"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(workspace), "--base", base, "--github-output"],
        capture_output=True,
        text=True,
        check=False,
        env={"GITHUB_OUTPUT": str(out), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert [r["name"] for r in json.loads(proc.stdout)] == ["dovetail-readers-c"]
    lines = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert json.loads(lines["names"]) == ["dovetail-readers-c"]
    assert lines["any"] == "true"
    assert json.loads(lines["packages"])[0]["path"] == "integrations/readers/dovetail-readers-c"

    code, names, _ = changed(workspace, "--base", "0" * 40)
    assert code == 0
    assert sorted(names) == ALL4
    code, _, err = changed(workspace, "--base", "no-such-ref")
    assert code != 0
    assert "no-such-ref" in err


def test_real_workspace_core_change_selects_every_integration() -> None:
    code, names, err = changed(ROOT, "--files", "core/src/dovetail/core/schema.py")
    assert code == 0, err
    on_disk = {p.parent.name for p in (ROOT / "integrations").glob("*/*/pyproject.toml")}
    assert names[0] == "dovetail-core"
    assert set(names[1:]) == on_disk
