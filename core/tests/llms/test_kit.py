"""The LLM conformance kit applied to the built-in mocks and to a JSON-answering CustomLLM."""

from __future__ import annotations

import pytest
from dovetail.core.llms import LLM
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.llms import MockLLM
from dovetail.core.testing import LLMConformance


class TestMockLLM(LLMConformance):
    supports_usage = True

    @pytest.fixture
    def llm(self) -> LLM:
        return MockLLM()


class TestMockLLMWithMaxTokens(TestMockLLM):
    @pytest.fixture
    def llm(self) -> LLM:
        return MockLLM(max_tokens=5)


class TestMockFunctionCallingLLM(LLMConformance):
    supports_usage = True
    supports_tools = True

    @pytest.fixture
    def llm(self) -> LLM:
        return MockFunctionCallingLLM()


class ProseJsonLLM(CustomLLM):
    """Answers every prompt with a chatty JSON answer, the way chat models often do."""

    answer: str = (
        'Sure! Here is what I found:\n```json\n{"name": "Paris", "country": "France", "note": "a {brace}"}\n```\n'
        "Let me know if you need anything else."
    )

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="prose-json", context_window=2048, num_output=128)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: object) -> CompletionResponse:
        return CompletionResponse(text=self.answer)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: object) -> CompletionResponseGen:
        text = ""
        for line in self.answer.splitlines(keepends=True):
            text += line
            yield CompletionResponse(text=text, delta=line)


class TestProseJsonLLM(LLMConformance):
    supports_structured_output = True

    @pytest.fixture
    def llm(self) -> LLM:
        return ProseJsonLLM()


class ChatProseJsonLLM(ProseJsonLLM):
    """The same answers through the chat path (``is_chat_model=True``: predict helpers use ``chat``)."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="prose-json-chat", context_window=2048, num_output=128, is_chat_model=True)


class TestChatProseJsonLLM(LLMConformance):
    supports_structured_output = True

    @pytest.fixture
    def llm(self) -> LLM:
        return ChatProseJsonLLM()


def test_structured_predict_failure_carries_the_raw_answer() -> None:
    from dovetail.core.errors import OutputParserError
    from dovetail.core.testing.llm import KitCity

    with pytest.raises(OutputParserError, match="no JSON object") as info:
        MockLLM(max_tokens=3).structured_predict(KitCity, "Extract {x}", x="Paris, France")
    assert info.value.raw_output == "text text text"
