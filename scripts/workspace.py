"""The workspace's packages as data: names, versions, paths, import paths and internal dependencies.

Shared by the health check, the publisher, the scaffold and CI's changed-package detection. The integration
domains come from the one table ``core/src/dovetail/core/domains.json`` (also read by dovetail-core's registry),
loaded here with the standard library so that CI can run these scripts before anything is installed.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_TABLE_PATH = Path("core") / "src" / "dovetail" / "core" / "domains.json"


def domain_table(root: Path = ROOT) -> dict[str, dict[str, Any]]:
    """The rows of the domain table, by domain name, in the table's order."""
    data = json.loads((root / DOMAIN_TABLE_PATH).read_text(encoding="utf-8"))
    return {str(row["name"]): dict(row) for row in data["domains"]}


DOMAINS = tuple(domain_table())
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalize(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The distribution name at the start of a PEP 508 requirement."""
    match = _REQ_NAME.match(requirement)
    return normalize(match.group(1)) if match else ""


@dataclass
class Package:
    """One publishable member of the workspace."""

    path: Path
    pyproject: dict[str, Any] = field(repr=False)

    @property
    def project(self) -> dict[str, Any]:
        """The ``[project]`` table."""
        return dict(self.pyproject.get("project", {}))

    @property
    def name(self) -> str:
        """Distribution name."""
        return str(self.project.get("name", ""))

    @property
    def version(self) -> str:
        """Static version."""
        return str(self.project.get("version", ""))

    @property
    def dovetail(self) -> dict[str, Any]:
        """The ``[tool.dovetail]`` table."""
        return dict(self.pyproject.get("tool", {}).get("dovetail", {}))

    @property
    def is_core(self) -> bool:
        """Whether this is dovetail-core."""
        return self.name == "dovetail-core"

    @property
    def dependencies(self) -> list[str]:
        """Runtime requirements."""
        return [str(dep) for dep in self.project.get("dependencies", [])]

    def internal_dependencies(self, names: set[str]) -> set[str]:
        """Normalised names of the workspace packages this one depends on."""
        return {requirement_name(dep) for dep in self.dependencies} & names

    @property
    def rel(self) -> str:
        """Path relative to the repository root."""
        try:
            return str(self.path.relative_to(ROOT))
        except ValueError:
            return str(self.path)


def load_package(path: Path) -> Package:
    """Read the package at ``path`` (a directory holding ``pyproject.toml``)."""
    with (path / "pyproject.toml").open("rb") as handle:
        return Package(path=path.resolve(), pyproject=tomllib.load(handle))


def discover(root: Path = ROOT) -> list[Package]:
    """core first, then integrations sorted by path."""
    paths = [root / "core", *sorted(p.parent for p in (root / "integrations").glob("*/*/pyproject.toml"))]
    return [load_package(path) for path in paths if (path / "pyproject.toml").is_file()]


def dependency_order(packages: list[Package]) -> list[Package]:
    """Topological order: every package after the workspace packages it depends on (stable by name)."""
    by_name = {normalize(p.name): p for p in packages}
    names = set(by_name)
    ordered: list[Package] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            msg = f"dependency cycle through {name}"
            raise ValueError(msg)
        visiting.add(name)
        for dep in sorted(by_name[name].internal_dependencies(names)):
            visit(dep)
        visiting.discard(name)
        done.add(name)
        ordered.append(by_name[name])

    for name in sorted(names, key=lambda n: (not by_name[n].is_core, n)):
        visit(name)
    return ordered


def dependents(packages: list[Package], changed: set[str]) -> set[str]:
    """``changed`` plus every package that depends on one of them, transitively (normalised names)."""
    names = {normalize(p.name) for p in packages}
    reverse: dict[str, set[str]] = {name: set() for name in names}
    for package in packages:
        for dep in package.internal_dependencies(names):
            reverse[dep].add(normalize(package.name))
    result = set(changed)
    frontier = list(changed)
    while frontier:
        for parent in reverse.get(frontier.pop(), set()):
            if parent not in result:
                result.add(parent)
                frontier.append(parent)
    return result
