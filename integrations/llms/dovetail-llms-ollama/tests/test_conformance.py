"""The dovetail LLM conformance kit against the loopback Ollama server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.testing import LLMConformance
from dovetail.llms.ollama import Ollama

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestOllamaConformance(LLMConformance):
    supports_tools = True
    supports_structured_output = True
    supports_usage = True

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> Ollama:
        return make_llm()  # type: ignore[no-any-return]


class TestOllamaVisionThinkingConformance(TestOllamaConformance):
    """A vision model with thinking on: images are sent, thinking stays out of the text."""

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> Ollama:
        return make_llm(model="gemma3", thinking=True, is_function_calling_model=True)  # type: ignore[no-any-return]
