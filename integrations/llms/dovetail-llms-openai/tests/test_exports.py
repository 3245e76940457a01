"""The public API of dovetail.llms.openai is exactly __all__, the entry points load it, importing it loads no SDK."""

from __future__ import annotations

from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.llms.openai"
    entry_points = {"openai": "OpenAI", "openai_like": "OpenAILike"}
    not_imported = ("openai", "httpx")
