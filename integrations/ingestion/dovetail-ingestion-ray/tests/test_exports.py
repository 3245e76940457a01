"""The public API of dovetail.ingestion.ray is exactly __all__, the entry point loads the runner, importing it
loads no Ray, the namespace is a typed leaf and the registry lists the installed runner."""

from __future__ import annotations

import dovetail.ingestion.ray as package
from dovetail.core.registry import list_providers
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.ingestion.ray"
    entry_points = {"ray": "RayRunner"}
    not_imported = ("ray",)


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_the_registry_lists_the_installed_runner() -> None:
    assert any(p.name == "ray" and p.installed for p in list_providers("ingestion"))
