"""The dovetail LLM conformance kit against the loopback Anthropic server (sync, async, streaming, tools)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.testing import LLMConformance
from dovetail.llms.anthropic import Anthropic

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestAnthropicConformance(LLMConformance):
    supports_tools = True
    supports_structured_output = True
    supports_usage = True

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> Anthropic:
        return make_llm()  # type: ignore[no-any-return]


class TestAnthropicWithThinkingConformance(TestAnthropicConformance):
    """With extended thinking on, every kit test still passes (thinking blocks are passed back with tools)."""

    @pytest.fixture
    def llm(self, make_llm: Callable[..., Any]) -> Anthropic:
        return make_llm(max_tokens=4096, thinking_dict={"type": "enabled", "budget_tokens": 1024})  # type: ignore[no-any-return]
