"""Turn SDK streams (sync and async) into dovetail response streams.

Each content or tool-call delta becomes one response; when the server sends a usage chunk (we always ask with
``stream_options={"include_usage": True}``) a last response with ``delta=""`` carries the token usage, so the LLM
event ends with usage. Responses are built with ``model_construct``: the SDK already validated the chunk, and a
stream must cost only a few microseconds per chunk on top of the SDK. ``dovetail.core.llms.provider.built`` fills
the instance the way ``model_construct`` does, without its per-field default handling (every field is passed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import Any

from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseAsyncGen
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms.provider import StreamFold
from dovetail.core.llms.provider import built
from dovetail.core.llms.provider import stream_response
from dovetail.llms.openai._convert import ToolCallAssembler
from dovetail.llms.openai._errors import usage_dict

__all__ = ["achat_stream", "acompletion_stream", "chat_stream", "completion_stream"]


_COMPLETION_FIELDS = frozenset({"text", "raw", "delta", "additional_kwargs"})


def _chat(text: str, delta: str, extra: dict[str, Any], raw: Any, usage: dict[str, int]) -> ChatResponse:
    return stream_response([], text, extra, delta, usage, raw)


class _ChatState(StreamFold[ChatResponse]):
    """Accumulated text, tool calls and usage of one chat stream."""

    __slots__ = ("extra", "text", "tools", "usage")
    close_stream = True

    def __init__(self) -> None:
        self.text = ""
        self.tools = ToolCallAssembler()
        self.extra: dict[str, Any] = {}
        self.usage: dict[str, int] = {}

    def fold(self, chunk: Any) -> list[ChatResponse]:
        """The response for ``chunk`` (none when it carries nothing new)."""
        if chunk.usage is not None:
            self.usage = usage_dict(chunk.usage)
        if not chunk.choices:
            return []
        delta = chunk.choices[0].delta
        piece = delta.content or ""
        if delta.tool_calls:
            self.tools.add(delta.tool_calls)
            self.extra = {"tool_calls": self.tools.calls()}
        elif not piece:
            return []
        self.text += piece
        return [_chat(self.text, piece, self.extra, chunk, {})]

    def final(self) -> ChatResponse | None:
        return _chat(self.text, "", self.extra, None, self.usage) if self.usage else None


class _CompletionState(StreamFold[CompletionResponse]):
    """Accumulated text and usage of one ``/v1/completions`` stream."""

    __slots__ = ("text", "usage")
    close_stream = True

    def __init__(self) -> None:
        self.text = ""
        self.usage: dict[str, int] = {}

    def fold(self, chunk: Any) -> list[CompletionResponse]:
        """The response for ``chunk`` (none when it carries no text)."""
        if getattr(chunk, "usage", None) is not None:
            self.usage = usage_dict(chunk.usage) or self.usage
        piece = chunk.choices[0].text if chunk.choices else ""
        if not piece:
            return []
        self.text += piece
        return [_completion(self.text, piece, chunk, {})]

    def final(self) -> CompletionResponse | None:
        return _completion(self.text, "", None, self.usage) if self.usage else None


def _completion(text: str, delta: str, raw: Any, usage: dict[str, int]) -> CompletionResponse:
    values = {"text": text, "raw": raw, "delta": delta, "logprobs": None, "additional_kwargs": usage}
    return built(CompletionResponse, values, _COMPLETION_FIELDS)


def chat_to_completion_stream(chats: Iterator[ChatResponse]) -> CompletionResponseGen:
    """A chat stream seen as a completion stream (``complete`` on a chat model)."""
    for chat in chats:
        yield _completion(chat.message.content or "", chat.delta or "", chat.raw, chat.additional_kwargs)


async def achat_to_completion_stream(chats: AsyncIterator[ChatResponse]) -> CompletionResponseAsyncGen:
    """Async :func:`chat_to_completion_stream`."""
    async for chat in chats:
        yield _completion(chat.message.content or "", chat.delta or "", chat.raw, chat.additional_kwargs)


def completion_to_chat_stream(completions: Iterator[CompletionResponse]) -> ChatResponseGen:
    """A completion stream seen as a chat stream (``chat`` on a completion model)."""
    for item in completions:
        yield _chat(item.text, item.delta or "", {}, item.raw, item.additional_kwargs)


async def acompletion_to_chat_stream(completions: AsyncIterator[CompletionResponse]) -> ChatResponseAsyncGen:
    """Async :func:`completion_to_chat_stream`."""
    async for item in completions:
        yield _chat(item.text, item.delta or "", {}, item.raw, item.additional_kwargs)


chat_stream = _ChatState.stream
achat_stream = _ChatState.astream
completion_stream = _CompletionState.stream
acompletion_stream = _CompletionState.astream
