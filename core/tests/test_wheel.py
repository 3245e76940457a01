"""The dovetail-core wheel ships only dovetail/core/ (implicit namespace: no dovetail/__init__.py)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from dovetail.core.testing.package_contract import assert_imports_without
from dovetail.core.testing.package_contract import build_wheel

CORE = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_core_wheel_file_list(tmp_path: Path) -> None:
    staging = tmp_path / "core"
    shutil.copytree(CORE, staging, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests"))
    out = tmp_path / "dist"
    build_wheel(staging, out)
    (wheel,) = out.glob("dovetail_core-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    payload = [n for n in names if ".dist-info/" not in n]
    assert "dovetail/__init__.py" not in names
    assert "dovetail/py.typed" not in names
    assert all(n.startswith("dovetail/core/") for n in payload), [
        n for n in payload if not n.startswith("dovetail/core/")
    ]
    for required in ("dovetail/core/__init__.py", "dovetail/core/py.typed", "dovetail/core/schema.py"):
        assert required in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Name: dovetail-core" in metadata
    assert "Requires-Dist: pydantic" in metadata
    assert "Provides-Extra: testing" in metadata
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "dovetail = dovetail.core.cli:main" in entry_points


def test_import_dovetail_core_is_lazy() -> None:
    heavy = ["numpy", "httpx", "openai", "pinecone", "pymongo", "langfuse", "pydantic"]
    assert_imports_without("dovetail.core", heavy)


def test_namespace_has_no_init_anywhere_in_the_repo() -> None:
    repo = CORE.parent
    offenders = [
        p
        for pattern in (
            "*/src/dovetail/__init__.py",
            "*/src/dovetail/py.typed",
            "integrations/*/*/src/dovetail/__init__.py",
            "integrations/*/*/src/dovetail/py.typed",
            "integrations/*/*/src/dovetail/*/__init__.py",
            "integrations/*/*/src/dovetail/*/py.typed",
        )
        for p in repo.glob(pattern)
    ]
    assert offenders == []
