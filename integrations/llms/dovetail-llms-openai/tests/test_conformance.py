"""The conformance kit against the real SDK talking HTTP to the loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dovetail.core.testing import LLMConformance
from dovetail.llms.openai import OpenAI
from dovetail.llms.openai import OpenAILike

# The tests here talk to the loopback OpenAI-compatible server over real HTTP.
pytestmark = pytest.mark.integration


class TestOpenAIConformance(LLMConformance):
    supports_tools = True
    supports_structured_output = True
    supports_usage = True

    @pytest.fixture
    async def llm(self, server: Any) -> AsyncIterator[OpenAI]:
        async with OpenAI(model="gpt-4o-mini", api_key="sk-conformance-secret-123", api_base=server.base_url) as llm:
            yield llm


class TestOpenAILikeConformance(TestOpenAIConformance):
    """Same capabilities as OpenAI, declared by the user instead of the catalog."""

    @pytest.fixture
    async def llm(self, server: Any) -> AsyncIterator[OpenAILike]:
        async with OpenAILike(
            model="local-model",
            api_base=server.base_url,
            api_key="sk-like-secret-456",
            context_window=8192,
            is_function_calling_model=True,
            supports_structured_output=True,
        ) as llm:
            yield llm


class TestCompletionModelConformance(LLMConformance):
    """A completion-only model: chat goes through /v1/completions."""

    supports_usage = True

    @pytest.fixture
    async def llm(self, server: Any) -> AsyncIterator[OpenAI]:
        async with OpenAI(
            model="gpt-3.5-turbo-instruct", api_key="sk-instruct-secret", api_base=server.base_url
        ) as llm:
            yield llm
