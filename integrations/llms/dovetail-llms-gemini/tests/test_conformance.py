"""The dovetail LLM conformance kit against the loopback Gemini server, with and without thinking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.testing import LLMConformance
from dovetail.llms.gemini import GoogleGenAI

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestGoogleGenAIConformance(LLMConformance):
    supports_tools = True
    supports_structured_output = True
    supports_usage = True

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> GoogleGenAI:
        return make_llm()  # type: ignore[no-any-return]


class TestGoogleGenAIThinkingConformance(TestGoogleGenAIConformance):
    """Thoughts and their signatures go back with function calls: the kit's tool round trip proves it."""

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> GoogleGenAI:
        return make_llm(thinking_config={"thinking_budget": 512, "include_thoughts": True})  # type: ignore[no-any-return]
