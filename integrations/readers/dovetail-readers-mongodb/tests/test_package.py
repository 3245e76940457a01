"""Packaging contract: exact public API, entry point, reader base class, lazy SDK import, namespace leaf."""

from __future__ import annotations

import dovetail.readers.mongodb as package
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.readers.mongodb"
    entry_points = {"mongodb": "SimpleMongoReader"}
    not_imported = ("pymongo", "bson")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)
