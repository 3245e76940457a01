"""The public API of dovetail.llms.ollama is exactly __all__, the entry point loads it, importing it loads no SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.llms.ollama"
    entry_points = {"ollama": "Ollama"}
    not_imported = ("ollama", "httpx")
