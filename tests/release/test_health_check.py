"""The health check must be able to fail: broken packages give a non-zero exit and a reason per failed check."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import SCRIPTS
from .conftest import copy_repo
from .conftest import failed_checks
from .conftest import health
from .conftest import scaffold


def leaf(pkg: Path, provider: str) -> Path:
    return pkg / "src" / "dovetail" / "readers" / provider


def break_namespace(pkg: Path, provider: str) -> None:
    (pkg / "src" / "dovetail" / "__init__.py").write_text("")


def drop_core_ceiling(pkg: Path, provider: str) -> None:
    text = (pkg / "pyproject.toml").read_text()
    (pkg / "pyproject.toml").write_text(re.sub(r'"dovetail-core>=([0-9.]+),<[0-9]+"', r'"dovetail-core>=\1"', text))


def wrong_entry_point(pkg: Path, provider: str) -> None:
    text = (pkg / "pyproject.toml").read_text()
    (pkg / "pyproject.toml").write_text(re.sub(r':(\w+)Reader"', ':Missing"', text, count=1))


def not_a_reader(pkg: Path, provider: str) -> None:
    cls = provider.capitalize() + "Reader"
    (leaf(pkg, provider) / "base.py").write_text(f'"""Not a reader."""\n\n\nclass {cls}:\n    """Plain class."""\n')


def no_changelog(pkg: Path, provider: str) -> None:
    (pkg / "CHANGELOG.md").unlink()


def bad_version(pkg: Path, provider: str) -> None:
    text = (pkg / "pyproject.toml").read_text()
    (pkg / "pyproject.toml").write_text(text.replace('version = "0.1.0"', 'version = "one"'))


def import_error(pkg: Path, provider: str) -> None:
    (leaf(pkg, provider) / "base.py").write_text("import not_a_module_anywhere\n")


BREAKAGES: dict[str, tuple[Callable[[Path, str], None], dict[str, str]]] = {
    "namespace": (break_namespace, {"namespace": "src/dovetail/__init__.py must not exist"}),
    "ceiling": (drop_core_ceiling, {"metadata": "needs a floor and a ceiling"}),
    "entrypoint": (wrong_entry_point, {"metadata": "entry point", "entry_point": "entry point"}),
    "notreader": (not_a_reader, {"base_class": "do not subclass dovetail.core.readers.BaseReader"}),
    "changelog": (no_changelog, {"docs": "CHANGELOG.md missing"}),
    "version": (bad_version, {"metadata": "not semver"}),
    "importerror": (import_error, {"install": "ModuleNotFoundError"}),
}


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict]:  # type: ignore[type-arg]
    """One health-check run over one broken package per breakage (each installed into its own fresh venv)."""
    root = copy_repo(tmp_path_factory.mktemp("repo"))
    packages = []
    for provider, (breakage, _) in BREAKAGES.items():
        assert scaffold(root, "readers", provider).returncode == 0
        pkg = root / "integrations" / "readers" / f"dovetail-readers-{provider}"
        breakage(pkg, provider)
        packages.append(pkg)
    return health(root, *packages, skip_tests=True)


@pytest.mark.slow
@pytest.mark.parametrize("provider", list(BREAKAGES))
def test_broken_package_fails_with_a_reason(broken_report: tuple[int, dict], provider: str) -> None:  # type: ignore[type-arg]
    code, report = broken_report
    assert code == 1
    assert report["ok"] is False
    failed = failed_checks(report, f"dovetail-readers-{provider}")
    for check, reason in BREAKAGES[provider][1].items():
        assert check in failed, failed
        assert reason in failed[check]


@pytest.mark.slow
def test_healthy_package_exits_zero_and_scores_100(repo_copy: Path) -> None:
    code, report = health(repo_copy, repo_copy / "core", skip_tests=True)
    assert code == 0, report
    assert report["packages"]["dovetail-core"]["score"] == 100


def test_unknown_package_directory_is_a_usage_error(repo_copy: Path, tmp_path: Path) -> None:
    script = repo_copy / "scripts" / "integration_health_check.py"
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "nope")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "not a package directory" in proc.stderr


KIT_CASES = {
    "subclasses the kit": ("class TestStore(VectorStoreConformance):\n", True),
    "subclasses a kit built on it": ("class TestStore(kits.FactoryVectorStoreConformance, Base):\n", True),
    "only the exports kit": ("class TestExports(ExportsConformance):\n", False),
    "names the kit in a comment": ("# VectorStoreConformance comes later\nclass TestStore:\n", False),
    "a different domain's kit": ("class TestStore(ReaderConformance):\n", False),
}


@pytest.mark.parametrize("case", list(KIT_CASES))
def test_conformance_check_needs_the_domains_kit(tmp_path: Path, case: str) -> None:
    source, expected = KIT_CASES[case]
    (tmp_path / "test_store.py").write_text(source)
    probe = (
        "import pathlib, sys; from health_checks import subclasses_kit; "
        "print(subclasses_kit(pathlib.Path(sys.argv[1]), 'VectorStoreConformance'))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], cwd=SCRIPTS, capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == str(expected)
