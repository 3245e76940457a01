"""Turn ``streamGenerateContent`` chunks (sync and async) into dovetail chat responses.

Text pieces carry ``delta``; thought pieces have ``delta=""`` and ``additional_kwargs["thinking_delta"]``;
function calls (sent whole) update ``message.additional_kwargs["tool_calls"]``; a last response with ``delta=""``
carries the usage of the final chunk.
"""

from __future__ import annotations

import base64
from typing import Any

from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms.provider import StreamFold
from dovetail.core.llms.provider import stream_response
from dovetail.llms.gemini._convert import split_parts
from dovetail.llms.gemini._convert import usage_dict

__all__ = ["achat_stream", "chat_stream"]


class _State(StreamFold[ChatResponse]):
    __slots__ = ("calls", "extra", "signature", "text", "thought", "usage")

    def __init__(self) -> None:
        self.text = ""
        self.thought = ""
        self.signature: str | None = None
        self.calls: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}

    def response(self, delta: str, extra: dict[str, Any], raw: Any) -> ChatResponse:
        blocks: list[Any] = []
        if self.thought or self.signature:
            info = {"thought_signature": self.signature} if self.signature else {}
            blocks.append(ThinkingBlock(content=self.thought or None, additional_information=info))
        return stream_response(blocks, self.text, self.extra, delta, extra, raw)

    def fold(self, chunk: Any) -> list[ChatResponse]:
        """Responses for one SDK chunk (read by attribute: the hot path of a stream)."""
        if chunk.usage_metadata is not None:
            self.usage = usage_dict(chunk)
        candidates = chunk.candidates
        content = candidates[0].content if candidates else None
        parts = content.parts if content is not None else None
        if not parts:
            return []
        out: list[ChatResponse] = []
        for part in parts:
            if part.function_call is not None:  # its own signature is kept on the call
                self.calls.extend(split_parts([part], start=len(self.calls))[2])
                self.extra = {"tool_calls": list(self.calls)}
                out.append(self.response("", {}, chunk))
                continue
            if part.thought_signature:
                self.signature = base64.b64encode(part.thought_signature).decode("ascii")
            if part.thought:
                piece = part.text or ""
                self.thought += piece
                out.append(self.response("", {"thinking_delta": piece}, chunk))
            elif part.text:
                piece = part.text
                self.text += piece
                out.append(self.response(piece, {}, chunk))
        return out

    def final(self) -> ChatResponse:
        return self.response("", dict(self.usage), None)


chat_stream = _State.stream
achat_stream = _State.astream
