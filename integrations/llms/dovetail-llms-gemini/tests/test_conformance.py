"""The dovetail LLM conformance kit against the loopback Gemini server, with and without thinking."""

from __future__ import annotations

from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.testing import FactoryLLMConformance

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestGoogleGenAIConformance(FactoryLLMConformance):
    """``GoogleGenAI`` as ``make_llm`` builds it."""


class TestGoogleGenAIThinkingConformance(TestGoogleGenAIConformance):
    """Thoughts and their signatures go back with function calls: the kit's tool round trip proves it."""

    llm_settings: ClassVar[dict[str, Any]] = {"thinking_config": {"thinking_budget": 512, "include_thoughts": True}}
