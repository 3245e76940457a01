"""Which workspace packages a change touches, plus everything that depends on them, as JSON for a CI matrix.

Usage:
    python scripts/changed_packages.py --base REF            # files changed between merge-base(REF, HEAD) and HEAD
    python scripts/changed_packages.py --files a.py b.py     # or give the changed files yourself
    python scripts/changed_packages.py --all                 # every package
    ... [--github-output]  # also write packages=<json>, names=<json>, any=true|false to $GITHUB_OUTPUT

Rules for a changed path (first match wins):

* inside a package (``core/…``, ``integrations/<domain>/<dist>/…``) → that package;
* a package directory that no longer exists (removed package) → nothing;
* workspace-wide inputs (``pyproject.toml``, ``uv.lock``, ``Makefile``, ``scripts/``, ``tests/``, ``.github/``,
  ``.ci/``, ``.python-version``) → every package;
* documentation and benchmarks (top-level ``*.md``, ``LICENSE``, ``.gitignore``, ``bench/``) → nothing;
* anything else → an error (exit 2) naming the path, so a new top-level directory is classified on purpose
  instead of silently skipping CI; ``--unknown all`` treats such paths as workspace-wide instead.

Then the transitive dependents of the selected packages are added (a change to dovetail-core selects every
integration). An all-zero base (a new branch pushed) selects every package. Output on stdout, one line:
``[{"name": ..., "path": ..., "import_path": ...}, ...]`` in dependency order (core first).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import ROOT
from workspace import Package
from workspace import dependency_order
from workspace import dependents
from workspace import discover
from workspace import normalize

WORKSPACE_WIDE = ("pyproject.toml", "uv.lock", "Makefile", ".python-version")
WORKSPACE_WIDE_DIRS = ("scripts", "tests", ".github", ".ci")
IGNORED = ("*.md", "LICENSE", "LICENSE.*", ".gitignore", ".gitattributes", ".editorconfig")
IGNORED_DIRS = ("bench", "docs")
ALL = "*"


class UnknownPathError(Exception):
    """A changed path that no rule classifies."""


def classify(path: str, packages: list[Package], root: Path) -> str | None:
    """The normalised package name ``path`` belongs to, ``ALL``, or ``None`` (affects no package)."""
    parts = Path(path).parts
    if not parts:
        return None
    for package in packages:
        try:
            Path(root, path).relative_to(package.path)
        except ValueError:
            continue
        return normalize(package.name)
    top = parts[0]
    if top in ("integrations", "core"):
        return None  # a removed package, or a file beside the packages: nothing left to test
    if top in WORKSPACE_WIDE_DIRS or (len(parts) == 1 and path in WORKSPACE_WIDE):
        return ALL
    if top in IGNORED_DIRS or (len(parts) == 1 and any(fnmatch.fnmatch(path, p) for p in IGNORED)):
        return None
    msg = (
        f"changed path {path!r} is under no rule of scripts/changed_packages.py; add its top-level entry "
        "to WORKSPACE_WIDE/IGNORED there (or pass --unknown all)"
    )
    raise UnknownPathError(msg)


def select(files: list[str], packages: list[Package], root: Path, unknown: str = "fail") -> list[Package]:
    """The packages to test for ``files``: touched ones plus transitive dependents, in dependency order."""
    names: set[str] = set()
    everything = False
    for path in files:
        try:
            owner = classify(path.strip(), packages, root)
        except UnknownPathError:
            if unknown != "all":
                raise
            owner = ALL
        if owner == ALL:
            everything = True
        elif owner:
            names.add(owner)
    chosen = {normalize(p.name) for p in packages} if everything else dependents(packages, names)
    return [p for p in dependency_order(packages) if normalize(p.name) in chosen]


def git_changed_files(base: str, root: Path) -> list[str] | None:
    """Files changed between the merge-base of ``base`` and HEAD (renames count as delete + add); None = all."""
    if set(base) == {"0"}:
        return None
    cmd = ["git", "-C", str(root), "diff", "--name-only", "--no-renames", f"{base}...HEAD"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        msg = f"git diff against {base!r} failed (fetch the base with enough history?): {proc.stderr.strip()}"
        raise SystemExit(msg)
    return [line for line in proc.stdout.splitlines() if line.strip()]


def as_rows(packages: list[Package], root: Path) -> list[dict[str, str]]:
    """Matrix entries: name, path relative to the root, import path."""
    return [
        {
            "name": p.name,
            "path": str(p.path.relative_to(root)),
            "import_path": str(p.dovetail.get("import_path", "")),
        }
        for p in packages
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the JSON list; exit 2 on an unclassified path."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", help="git ref to diff against (merge-base with HEAD)")
    source.add_argument("--files", nargs="*", help="changed file paths, relative to the repository root")
    source.add_argument("--all", action="store_true", help="select every package")
    parser.add_argument("--unknown", choices=("fail", "all"), default="fail", help="unclassified paths (default fail)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    parser.add_argument("--github-output", action="store_true", help="also append outputs to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    packages = discover(root)
    files = None if args.all else (git_changed_files(args.base, root) if args.base else list(args.files))
    try:
        chosen = dependency_order(packages) if files is None else select(files, packages, root, args.unknown)
    except UnknownPathError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = as_rows(chosen, root)
    print(json.dumps(rows))
    target = os.environ.get("GITHUB_OUTPUT")
    if args.github_output and target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"packages={json.dumps(rows)}\n")
            handle.write(f"names={json.dumps([r['name'] for r in rows])}\n")
            handle.write(f"any={'true' if rows else 'false'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
