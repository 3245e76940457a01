"""The public API of dovetail.embeddings.gemini is exactly __all__, and the entry point loads it."""

from __future__ import annotations

from importlib.metadata import entry_points

import dovetail.embeddings.gemini as package
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.testing import public_names


def test_all_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert issubclass(package.GoogleGenAIEmbedding, BaseEmbedding)


def test_entry_point_loads_the_class() -> None:
    [entry] = [ep for ep in entry_points(group="dovetail.embeddings") if ep.name == "gemini"]
    assert entry.load() is package.GoogleGenAIEmbedding
