"""The public API of dovetail.embeddings.ollama is exactly __all__, the entry point loads it, importing it loads no
SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.embeddings.ollama"
    entry_points = {"ollama": "OllamaEmbedding"}
    not_imported = ("ollama", "httpx")
