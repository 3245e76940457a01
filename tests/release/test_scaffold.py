"""`make new-package`: the generated package passes the health check except the tests a contributor must write."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, failed_checks, health, scaffold

sys.path.insert(0, str(ROOT / "scripts"))
from new_package import scaffoldable
from workspace import DOMAIN_TABLE_PATH, DOMAINS

# the table's rows, read independently of the scripts under test
TABLE = {row["name"]: row for row in json.loads((ROOT / DOMAIN_TABLE_PATH).read_text(encoding="utf-8"))["domains"]}
SCAFFOLDABLE = [name for name, row in TABLE.items() if row["kit"] is not None]


def test_scripts_and_registry_read_the_same_table() -> None:
    from dovetail.core.registry import DOMAINS as REGISTRY_DOMAINS

    assert tuple(TABLE) == DOMAINS == REGISTRY_DOMAINS
    assert scaffoldable() == SCAFFOLDABLE


@pytest.mark.slow
def test_scaffold_for_every_domain_passes_health_except_tests(repo_copy: Path) -> None:
    packages = []
    for domain in SCAFFOLDABLE:
        result = scaffold(repo_copy, domain, "acme")
        assert result.returncode == 0, result.stderr
        packages.append(repo_copy / "integrations" / domain / f"dovetail-{domain.replace('_', '-')}-acme")
    code, report = health(repo_copy, *packages)
    assert code == 1  # the skeleton's methods raise NotImplementedError, so its kit tests fail
    for package in packages:
        assert set(failed_checks(report, package.name)) == {"tests", "conformance"}, package.name
        src = package / "src" / "dovetail"
        assert not (src / "__init__.py").exists()
        assert not (src / package.parent.name / "__init__.py").exists()
        assert (src / package.parent.name / "acme" / "py.typed").is_file()


@pytest.mark.parametrize(
    ("domain", "provider", "message"),
    [
        ("teleporters", "acme", "DOMAIN must be one of"),
        ("llms", "Acme", "PROVIDER must be lowercase"),
        ("llms", "a", "PROVIDER must be lowercase"),
        ("llms", "acme-corp", "PROVIDER must be lowercase"),
        ("llms", "acme\n", "PROVIDER must be lowercase"),
        *[(name, "acme", "has no conformance kit") for name in TABLE if name not in SCAFFOLDABLE],
    ],
)
def test_invalid_names_are_refused(repo_copy: Path, domain: str, provider: str, message: str) -> None:
    result = scaffold(repo_copy, domain, provider)
    assert result.returncode == 2
    assert message in result.stderr
    assert not any((repo_copy / "integrations").rglob("pyproject.toml"))


def test_existing_package_is_refused(repo_copy: Path) -> None:
    assert scaffold(repo_copy, "readers", "acme").returncode == 0
    again = scaffold(repo_copy, "readers", "acme")
    assert again.returncode == 2
    assert "already exists" in again.stderr
