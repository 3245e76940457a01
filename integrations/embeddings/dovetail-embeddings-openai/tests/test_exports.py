"""The public API of dovetail.embeddings.openai is exactly __all__, the entry point loads it, importing it loads no
SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.embeddings.openai"
    entry_points = {"openai": "OpenAIEmbedding"}
    not_imported = ("openai", "httpx")
