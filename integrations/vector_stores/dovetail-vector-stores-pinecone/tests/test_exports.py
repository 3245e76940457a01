"""The public API of dovetail.vector_stores.pinecone is exactly __all__, the entry point loads the store and
importing it loads no SDK (the namespace layout: ``tests/test_namespace_leaves.py`` of the repository)."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.vector_stores.pinecone"
    entry_points = {"pinecone": "PineconeVectorStore"}
    not_imported = ("pinecone", "httpx")
