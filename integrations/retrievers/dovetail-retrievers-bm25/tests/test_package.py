"""The public API of dovetail.retrievers.bm25 is exactly __all__, the namespace is a leaf, the entry point loads."""

from __future__ import annotations

import dovetail.retrievers.bm25 as package
from dovetail.core.registry import list_providers
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.retrievers.bm25"
    entry_points = {"bm25": "BM25Retriever"}
    not_imported = ("Stemmer", "scipy")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_the_registry_lists_the_installed_retriever() -> None:
    assert any(p.name == "bm25" and p.installed for p in list_providers("retrievers"))
