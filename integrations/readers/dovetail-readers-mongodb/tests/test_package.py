"""Packaging contract: exact public API, entry point, lazy SDK import."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import dovetail.readers.mongodb as package
from dovetail.core.testing import public_names
from dovetail.readers.mongodb import SimpleMongoReader


def test_public_api_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert "SimpleMongoReader" in package.__all__


def test_entry_point_loads_the_reader() -> None:
    [entry] = [ep for ep in entry_points(group="dovetail.readers") if ep.name == "mongodb"]
    assert entry.load() is SimpleMongoReader


def test_importing_does_not_import_pymongo() -> None:
    code = "import sys, dovetail.readers.mongodb; print('pymongo' in sys.modules, 'bson' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
