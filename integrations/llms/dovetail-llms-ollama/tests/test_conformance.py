"""The dovetail LLM conformance kit against the loopback Ollama server."""

from __future__ import annotations

from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.testing import FactoryLLMConformance

pytestmark = pytest.mark.integration  # every test here talks to the loopback server


class TestOllamaConformance(FactoryLLMConformance):
    """``Ollama`` as ``make_llm`` builds it."""


class TestOllamaVisionThinkingConformance(TestOllamaConformance):
    """A vision model with thinking on: images are sent, thinking stays out of the text."""

    llm_settings: ClassVar[dict[str, Any]] = {"model": "gemma3", "thinking": True, "is_function_calling_model": True}
