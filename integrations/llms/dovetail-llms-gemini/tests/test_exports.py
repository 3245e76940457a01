"""The public API of dovetail.llms.gemini is exactly __all__, the entry point loads it, importing it loads no SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.llms.gemini"
    entry_points = {"gemini": "GoogleGenAI"}
    not_imported = ("google.genai", "httpx")
