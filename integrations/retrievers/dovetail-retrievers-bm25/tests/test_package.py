"""The public API of dovetail.retrievers.bm25 is exactly __all__ and the entry point loads (the namespace layout:
``tests/test_namespace_leaves.py`` of the repository)."""

from __future__ import annotations

from dovetail.core.registry import list_providers
from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.retrievers.bm25"
    entry_points = {"bm25": "BM25Retriever"}
    not_imported = ("Stemmer", "scipy")


def test_the_registry_lists_the_installed_retriever() -> None:
    assert any(p.name == "bm25" and p.installed for p in list_providers("retrievers"))
