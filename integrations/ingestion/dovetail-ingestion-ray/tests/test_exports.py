"""The public API of dovetail.ingestion.ray is exactly __all__, the namespace is a leaf, the entry point loads."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import dovetail.ingestion.ray as package
from dovetail.core.ingestion import Runner
from dovetail.core.registry import list_providers
from dovetail.core.testing import public_names


def test_all_is_exactly_the_public_names() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert issubclass(package.RayRunner, Runner)


def test_namespace_layout() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "dovetail"
    assert not (src / "__init__.py").exists()
    assert not (src / "ingestion" / "__init__.py").exists()
    assert not (src / "py.typed").exists()
    assert (src / "ingestion" / "ray" / "py.typed").exists()


def test_entry_point_and_registry() -> None:
    (ep,) = [ep for ep in entry_points(group="dovetail.ingestion") if ep.name == "ray"]
    assert ep.load() is package.RayRunner
    assert any(p.name == "ray" and p.installed for p in list_providers("ingestion"))


def test_import_does_not_import_ray() -> None:
    import subprocess
    import sys

    code = "import sys, dovetail.ingestion.ray; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
