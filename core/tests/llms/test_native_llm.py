"""An LLM implementing all eight call methods natively (async generators included) passes the kit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.llms import LLM
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseAsyncGen
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.testing import LLMConformance


def _answer(text: str) -> str:
    return f"You said {len(text.split())} words."


def _usage(prompt: str, answer: str) -> dict[str, int]:
    p, c = len(prompt.split()), len(answer.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


class NativeLLM(LLM):
    """Chat-first model with native async; async streams are async generator functions (no decorators)."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="native", is_chat_model=True, context_window=8192, num_output=100)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        answer = _answer(prompt)
        return CompletionResponse(text=answer, additional_kwargs=_usage(prompt, answer))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = ""
        for word in _answer(prompt).split(" "):
            delta = word if not text else " " + word
            text += delta
            yield CompletionResponse(text=text, delta=delta)

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        last = messages[-1].content or ""
        answer = _answer(last)
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=answer), additional_kwargs=_usage(last, answer)
        )

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        for chunk in self.stream_complete(messages[-1].content or ""):
            yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=chunk.text), delta=chunk.delta)

    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        await asyncio.sleep(0)
        return self.complete(prompt)

    async def astream_complete(  # type: ignore[override]
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        for chunk in self.stream_complete(prompt):
            await asyncio.sleep(0)
            yield chunk

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        await asyncio.sleep(0)
        return self.chat(messages)

    async def astream_chat(  # type: ignore[override]
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        for chunk in self.stream_chat(messages):
            await asyncio.sleep(0)
            yield chunk


class TestNativeLLM(LLMConformance):
    supports_usage = True

    @pytest.fixture
    def llm(self) -> LLM:
        return NativeLLM()


async def test_async_generator_methods_are_awaitable_and_counted_once() -> None:
    counter = TokenCountingHandler()
    llm = NativeLLM(callback_manager=CallbackManager([counter]))
    # NativeLLM writes astream_chat as an async generator; the base class makes it awaitable like LlamaIndex's.
    stream: AsyncGenerator[ChatResponse, None] = await llm.astream_chat([ChatMessage(content="one two three")])  # type: ignore[misc]
    chunks = [chunk async for chunk in stream]
    assert chunks[-1].message.content == "You said 3 words."
    assert len(counter.llm_token_counts) == 1
    assert llm.predict("four five") == "You said 2 words.", "chat models predict through chat"
