"""`make new-package`: the generated package passes the health check except the tests a contributor must write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .conftest import failed_checks
from .conftest import health
from .conftest import scaffold

sys.path.insert(0, str(ROOT / "scripts"))
from new_package import scaffoldable
from workspace import DOMAIN_TABLE_PATH
from workspace import DOMAINS

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


def _run(*cmd: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600, cwd=cwd, env=env)


@pytest.mark.slow
def test_generated_packages_pass_lint_and_typecheck_as_generated(repo_copy: Path) -> None:
    packages = []
    for domain in SCAFFOLDABLE:
        assert scaffold(repo_copy, domain, "zeta_db").returncode == 0  # sorts after the names it imports
        packages.append(repo_copy / "integrations" / domain / f"dovetail-{domain.replace('_', '-')}-zeta-db")
    config = str(repo_copy / "pyproject.toml")
    lint = _run(sys.executable, "-m", "ruff", "check", "--config", config, *map(str, packages))
    assert lint.returncode == 0, lint.stdout
    fmt = _run(sys.executable, "-m", "ruff", "format", "--check", "--config", config, *map(str, packages))
    assert fmt.returncode == 0, fmt.stdout
    # `make typecheck`'s own script, source and tests of every package; checked for the running Python, as CI
    # does: installed stubs (numpy's) may use newer syntax.
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    typecheck = [sys.executable, str(repo_copy / "scripts" / "typecheck.py"), "--python-version", version]
    typed = _run(*typecheck, *map(str, packages))
    assert typed.returncode == 0, typed.stdout
    for package in packages:
        assert f"== mypy {package.relative_to(repo_copy)}\n" in typed.stdout
    # the tests folder is part of the check: a type error there fails it, naming the file
    broken = packages[0] / "tests" / "test_exports.py"
    broken.write_text(broken.read_text(encoding="utf-8") + '\nCOUNT: int = "many"\n', encoding="utf-8")
    failed = _run(*typecheck, str(packages[0]))
    assert failed.returncode == 1
    assert f"{broken.relative_to(repo_copy)}:" in failed.stdout
    assert "[assignment]" in failed.stdout


def _install(package: Path, site: Path) -> None:
    """Install the built wheel of ``package`` into the folder ``site``, as an installer would: its entry points too."""
    cmd = [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(package)]
    done = _run(*cmd)
    assert done.returncode == 0, done.stderr


def _pytest(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(root / "pyproject.toml")]
    return _run(*base, "--rootdir", str(root), *args, env=env)


@pytest.mark.slow
def test_generated_exports_tests_use_the_kit_pass_once_installed_and_can_fail(repo_copy: Path) -> None:
    site = repo_copy / "site"
    exports = []
    for domain in SCAFFOLDABLE:
        assert scaffold(repo_copy, domain, "acme").returncode == 0
        package = repo_copy / "integrations" / domain / f"dovetail-{domain.replace('_', '-')}-acme"
        test_file = package / "tests" / "test_exports.py"
        assert "(ExportsConformance):" in test_file.read_text(encoding="utf-8")  # the kit, not a hand-made copy
        _install(package, site)
        exports.append(str(test_file))
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = _pytest(repo_copy, *exports, env=env)
    assert result.returncode == 0, result.stdout[-3000:]
    # __all__ exact, entry point, base class, lazy import (the kit's four) and the namespace layout, per package
    assert f"{5 * len(exports)} passed" in result.stdout
    # a public name left out of __all__ is caught
    init = site / "dovetail" / "readers" / "acme" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\nLEAKED = 1\n", encoding="utf-8")
    broken = _pytest(repo_copy, next(e for e in exports if "readers-acme" in e), env=env)
    assert broken.returncode == 1
    assert "1 failed, 4 passed" in broken.stdout
    assert "TestExports::test_all_is_exact" in broken.stdout


@pytest.mark.slow
def test_vector_store_scaffold_is_most_of_an_integration_and_its_unit_tests_pass(repo_copy: Path) -> None:
    assert scaffold(repo_copy, "vector_stores", "acme").returncode == 0
    package = repo_copy / "integrations" / "vector_stores" / "dovetail-vector-stores-acme"
    code = list(package.rglob("*.py"))
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in code)
    assert lines >= 600, lines
    leaf = package / "src" / "dovetail" / "vector_stores" / "acme"
    assert {p.name for p in leaf.iterdir()} >= {"base.py", "_errors.py", "_convert.py", "_filters.py", "_client.py"}
    assert "retry_call" in (leaf / "_errors.py").read_text(encoding="utf-8")
    assert (package / "tests" / "test_conformance.py").is_file()
    env = {**os.environ, "PYTHONPATH": str(package / "src")}
    unit = [str(package / "tests" / name) for name in ("test_convert.py", "test_filters.py", "test_errors.py")]
    unit.append(str(package / "tests" / "test_store.py"))
    result = _run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(repo_copy / "pyproject.toml"),
        "--rootdir", str(repo_copy), *unit, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout
    # the provider calls are the part left to write: the kit fails until they exist
    kit = _run(
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(repo_copy / "pyproject.toml"),
        "--rootdir", str(repo_copy), str(package / "tests" / "test_conformance.py"), "-x", env=env,
    )  # fmt: skip
    assert kit.returncode != 0
    assert "SERVER_COMMAND" in kit.stdout
