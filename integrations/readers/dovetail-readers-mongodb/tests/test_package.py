"""Packaging contract: exact public API, entry point, lazy SDK import."""

from __future__ import annotations

import dovetail.readers.mongodb as package
from dovetail.core.testing import public_names
from dovetail.core.testing.package_contract import assert_imports_without
from dovetail.core.testing.package_contract import assert_namespace_leaf
from dovetail.core.testing.package_contract import entry_point_target
from dovetail.readers.mongodb import SimpleMongoReader


def test_public_api_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert "SimpleMongoReader" in package.__all__


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_entry_point_loads_the_reader() -> None:
    assert entry_point_target("dovetail.readers", "mongodb") is SimpleMongoReader


def test_importing_does_not_import_pymongo() -> None:
    assert_imports_without("dovetail.readers.mongodb", ["pymongo", "bson"])
