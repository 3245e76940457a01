"""The public API of dovetail.vector_stores.pinecone is exactly __all__, the entry point loads the store, importing
it loads no SDK, and the package is a namespace leaf."""

from __future__ import annotations

import dovetail.vector_stores.pinecone as package
from dovetail.core.testing import ExportsConformance
from dovetail.core.testing.package_contract import assert_namespace_leaf


class TestExports(ExportsConformance):
    package = "dovetail.vector_stores.pinecone"
    entry_points = {"pinecone": "PineconeVectorStore"}
    not_imported = ("pinecone", "httpx")


def test_namespace_layout() -> None:
    assert_namespace_leaf(package)
