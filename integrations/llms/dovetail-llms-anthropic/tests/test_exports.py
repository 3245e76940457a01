"""The public API of dovetail.llms.anthropic is exactly __all__, the entry point loads it, importing it loads no SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.llms.anthropic"
    entry_points = {"anthropic": "Anthropic"}
    not_imported = ("anthropic", "httpx", "httpx2")
