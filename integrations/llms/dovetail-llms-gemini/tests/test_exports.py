"""The public API of dovetail.llms.gemini is exactly __all__, and the entry point loads it."""

from __future__ import annotations

from importlib.metadata import entry_points

import dovetail.llms.gemini as package
from dovetail.core.llms import LLM
from dovetail.core.testing import public_names


def test_all_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert issubclass(package.GoogleGenAI, LLM)


def test_entry_point_loads_the_class() -> None:
    [entry] = [ep for ep in entry_points(group="dovetail.llms") if ep.name == "gemini"]
    assert entry.load() is package.GoogleGenAI
