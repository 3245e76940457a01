"""Turn Ollama's NDJSON chat stream (sync and async) into dovetail chat responses.

Each line with text yields a response with ``delta``; a thinking piece yields ``delta=""`` with
``additional_kwargs["thinking_delta"]``; tool calls (Ollama sends each call whole) update
``message.additional_kwargs["tool_calls"]``; the ``done`` line yields a last response with the usage.
"""

from __future__ import annotations

from typing import Any

from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms.provider import StreamFold
from dovetail.core.llms.provider import stream_response
from dovetail.llms.ollama._convert import tool_calls_of
from dovetail.llms.ollama._convert import usage_dict

__all__ = ["achat_stream", "chat_stream"]


class _State(StreamFold[ChatResponse]):
    __slots__ = ("calls", "extra", "text", "thinking")

    def __init__(self) -> None:
        self.text = ""
        self.thinking = ""
        self.calls: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}

    def response(self, delta: str, extra: dict[str, Any], raw: Any) -> ChatResponse:
        blocks: list[Any] = [ThinkingBlock(content=self.thinking)] if self.thinking else []
        return stream_response(blocks, self.text, self.extra, delta, extra, raw)

    def fold(self, chunk: Any) -> list[ChatResponse]:
        message = chunk.message
        out: list[ChatResponse] = []
        thinking = message.thinking
        if thinking:
            self.thinking += thinking
            out.append(self.response("", {"thinking_delta": thinking}, chunk))
        if message.tool_calls:
            self.calls.extend(tool_calls_of(message, start=len(self.calls)))
            self.extra = {"tool_calls": list(self.calls)}
            out.append(self.response("", {}, chunk))
        piece = message.content
        if piece:
            self.text += piece
            out.append(self.response(piece, {}, chunk))
        if chunk.done:
            out.append(self.response("", {**usage_dict(chunk), "done_reason": chunk.done_reason}, chunk))
        return out


chat_stream = _State.stream
achat_stream = _State.astream
