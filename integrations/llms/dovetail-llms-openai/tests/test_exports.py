"""The public API of dovetail.llms.openai is exactly __all__, the entry points load it, importing it loads no SDK."""

from __future__ import annotations

from dovetail.core.llms import LLM
from dovetail.core.testing import ExportsConformance


class TestExports(ExportsConformance):
    package = "dovetail.llms.openai"
    entry_point_group = "dovetail.llms"
    entry_points = {"openai": "OpenAI", "openai_like": "OpenAILike"}
    base_class = LLM
    not_imported = ("openai", "httpx")
