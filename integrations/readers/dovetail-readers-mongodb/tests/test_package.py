"""Packaging contract: exact public API, entry point, reader base class, lazy SDK import (the namespace layout is
checked for every package by the repository's ``tests/test_namespace_leaves.py``)."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.readers.mongodb"
    entry_points = {"mongodb": "SimpleMongoReader"}
    not_imported = ("pymongo", "bson")
