"""The dovetail LLM conformance kit against the loopback Anthropic server (sync, async, streaming, tools)."""

from __future__ import annotations

from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.testing import FactoryLLMConformance

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestAnthropicConformance(FactoryLLMConformance):
    """``Anthropic`` as ``make_llm`` builds it."""


class TestAnthropicWithThinkingConformance(TestAnthropicConformance):
    """With extended thinking on, every kit test still passes (thinking blocks are passed back with tools)."""

    llm_settings: ClassVar[dict[str, Any]] = {
        "max_tokens": 4096,
        "thinking_dict": {"type": "enabled", "budget_tokens": 1024},
    }
