"""The public API of dovetail.retrievers.bm25 is exactly __all__, the namespace is a leaf, the entry point loads."""

from __future__ import annotations

import dovetail.retrievers.bm25 as package
from dovetail.core.registry import list_providers
from dovetail.core.retrievers import BaseRetriever
from dovetail.core.testing import public_names
from dovetail.core.testing.package_contract import assert_namespace_leaf
from dovetail.core.testing.package_contract import entry_point_target


def test_all_is_exactly_the_public_names() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert issubclass(package.BM25Retriever, BaseRetriever)


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_entry_point_and_registry() -> None:
    assert entry_point_target("dovetail.retrievers", "bm25") is package.BM25Retriever
    assert any(p.name == "bm25" and p.installed for p in list_providers("retrievers"))
