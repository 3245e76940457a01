"""The public API of dovetail.vector_stores.postgres is exactly __all__, and the package is a namespace leaf."""

from __future__ import annotations

import dovetail.vector_stores.postgres as package
from dovetail.core.testing import public_names
from dovetail.core.testing.package_contract import assert_namespace_leaf
from dovetail.core.testing.package_contract import entry_point_target
from dovetail.core.vector_stores import BasePydanticVectorStore


def test_all_is_exact() -> None:
    assert package.__all__ == ["PGVectorStore"]
    assert public_names(package) == package.__all__
    assert issubclass(package.PGVectorStore, BasePydanticVectorStore)


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)


def test_entry_point_is_registered() -> None:
    assert entry_point_target("dovetail.vector_stores", "postgres") is package.PGVectorStore
