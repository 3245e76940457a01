"""``CustomLLM``: implement ``metadata``, ``complete`` and ``stream_complete``; get chat and async for free."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from dovetail.core.concurrency import run_in_thread
from dovetail.core.llms._base import LLM
from dovetail.core.llms._callbacks import llm_chat_callback
from dovetail.core.llms._callbacks import llm_completion_callback
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseAsyncGen
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseAsyncGen
from dovetail.core.llms._types import MessageRole

__all__ = ["CustomLLM", "completion_to_chat_response", "stream_completion_to_chat", "to_async_stream"]

T = TypeVar("T")
_DONE = object()


def completion_to_chat_response(response: CompletionResponse) -> ChatResponse:
    """Wrap a completion as an assistant chat message (raw, delta and usage are kept)."""
    return ChatResponse(
        message=ChatMessage(role=MessageRole.ASSISTANT, content=response.text),
        raw=response.raw,
        delta=response.delta,
        logprobs=response.logprobs,
        additional_kwargs=dict(response.additional_kwargs),
    )


def stream_completion_to_chat(stream: Iterator[CompletionResponse]) -> ChatResponseGen:
    """Turn a completion stream into a chat stream."""
    for chunk in stream:
        yield completion_to_chat_response(chunk)


async def to_async_stream(stream: Iterator[T]) -> AsyncGenerator[T, None]:
    """Iterate a blocking iterator from async code, pulling each item in a worker thread.

    The callback context travels with every pull, so events started by the iterator nest correctly.
    """
    try:
        while True:
            item = await run_in_thread(next, stream, _DONE)
            if item is _DONE:
                return
            yield item  # type: ignore[misc]
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            await run_in_thread(close)


class CustomLLM(LLM):
    """Base for your own LLM: implement ``metadata``, ``complete`` and ``stream_complete``.

    Chat is answered by converting the messages to one prompt with ``messages_to_prompt``; async methods run
    the sync ones in a worker thread (async streams pull each chunk in a thread), so the event loop is never
    blocked. Override any of them when the provider has a better native call.

    Example:
        ```python
        from dovetail.core.llms import CompletionResponse, CustomLLM, LLMMetadata

        class EchoLLM(CustomLLM):
            @property
            def metadata(self) -> LLMMetadata:
                return LLMMetadata(model_name="echo")

            def complete(self, prompt, formatted=False, **kwargs):
                return CompletionResponse(text=prompt)

            def stream_complete(self, prompt, formatted=False, **kwargs):
                text = ""
                for word in prompt.split(" "):
                    text += word + " "
                    yield CompletionResponse(text=text, delta=word + " ")
        ```
    """

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer by completing ``messages_to_prompt(messages)``."""
        prompt = self.messages_to_prompt(messages)
        return completion_to_chat_response(self.complete(prompt, formatted=True, **kwargs))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream by completing ``messages_to_prompt(messages)``."""
        prompt = self.messages_to_prompt(messages)
        return stream_completion_to_chat(self.stream_complete(prompt, formatted=True, **kwargs))

    @llm_completion_callback()
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Run :meth:`complete` in a worker thread."""
        return await run_in_thread(self.complete, prompt, formatted=formatted, **kwargs)

    @llm_completion_callback()
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        """Run :meth:`stream_complete` in a worker thread, one chunk per pull."""
        stream = await run_in_thread(self.stream_complete, prompt, formatted=formatted, **kwargs)
        return to_async_stream(stream)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Run :meth:`chat` in a worker thread."""
        return await run_in_thread(self.chat, messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Run :meth:`stream_chat` in a worker thread, one chunk per pull."""
        stream = await run_in_thread(self.stream_chat, messages, **kwargs)
        return to_async_stream(stream)
