"""Turn the Messages API event stream (sync and async) into dovetail chat responses.

Event grammar: ``message_start`` (input usage) → per content block ``content_block_start`` / ``_delta`` /
``_stop`` (``text_delta``, ``thinking_delta``, ``signature_delta``, ``input_json_delta``) → ``message_delta``
(stop reason, output usage) → ``message_stop``; an ``error`` event raises inside the SDK and is mapped here.

One response per delta: text deltas carry ``delta``; thinking deltas have ``delta=""`` and the piece in
``additional_kwargs["thinking_delta"]``; tool-input deltas have ``delta=""``, the piece in
``additional_kwargs["tool_call_delta"]`` and the calls so far in ``message.additional_kwargs["tool_calls"]``
(``input`` parsed once the block ends). A last response with ``delta=""`` carries the usage. Responses are built
with ``built`` (what ``model_construct`` does, cheaper): the SDK already validated each event.
"""

from __future__ import annotations

import json
from typing import Any

from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms.provider import StreamFold
from dovetail.core.llms.provider import stream_response
from dovetail.llms.anthropic._convert import usage_dict

__all__ = ["StreamState", "achat_stream", "chat_stream"]

_USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


class StreamState(StreamFold[ChatResponse]):
    """Accumulated text, thinking, tool calls and usage of one stream."""

    __slots__ = ("_thinking_blocks", "extra", "stop_reason", "text", "thinking", "tools", "usage")
    close_stream = True

    def __init__(self) -> None:
        self.text = ""
        self.thinking: dict[int, dict[str, Any]] = {}
        self.tools: dict[int, dict[str, Any]] = {}
        self.extra: dict[str, Any] = {}
        self.usage: dict[str, Any] = {}
        self.stop_reason: str | None = None
        self._thinking_blocks: list[Any] = []

    def _response(self, delta: str, extra: dict[str, Any], raw: Any) -> ChatResponse:
        return stream_response(self._thinking_blocks, self.text, self.extra, delta, extra, raw)

    def _refresh_thinking(self) -> None:
        self._thinking_blocks = [
            ThinkingBlock(content=item.get("thinking"), additional_information=item["info"])
            for _, item in sorted(self.thinking.items())
        ]

    def _refresh_tools(self) -> None:
        calls = []
        for _, call in sorted(self.tools.items()):
            calls.append({"type": "tool_use", "id": call["id"], "name": call["name"], "input": call["input"]})
        self.extra = {"tool_calls": calls}

    def fold(self, event: Any) -> list[ChatResponse]:
        """The response for ``event`` (none when it carries nothing to show)."""
        kind = event.type
        if kind == "content_block_delta":
            delta = event.delta
            dtype = delta.type
            if dtype == "text_delta":
                piece = delta.text
                self.text += piece
                return [self._response(piece, {}, event)]
            if dtype == "input_json_delta":
                call = self.tools[event.index]
                call["partial_json"] += delta.partial_json
                part = {
                    "index": event.index,
                    "id": call["id"],
                    "name": call["name"],
                    "partial_json": delta.partial_json,
                }
                return [self._response("", {"tool_call_delta": part}, event)]
            if dtype == "thinking_delta":
                self.thinking[event.index]["thinking"] += delta.thinking
                self._refresh_thinking()
                return [self._response("", {"thinking_delta": delta.thinking}, event)]
            if dtype == "signature_delta":
                self.thinking[event.index]["info"]["signature"] = delta.signature
                self._refresh_thinking()
            return []
        if kind == "content_block_start":
            self._start_block(event.index, event.content_block)
        elif kind == "content_block_stop":
            started = self.tools.get(event.index)
            if started is not None:
                raw = started["partial_json"]
                try:
                    started["input"] = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    started["input"] = raw  # kept as text: parse_tool_calls reports it
                self._refresh_tools()
        elif kind == "message_start":
            self._merge_usage(event.message.usage)
        elif kind == "message_delta":
            self._merge_usage(event.usage)
            self.stop_reason = event.delta.stop_reason
        return []

    def _start_block(self, index: int, block: Any) -> None:
        btype = block.type
        if btype == "tool_use":
            self.tools[index] = {"id": block.id, "name": block.name, "input": {}, "partial_json": ""}
            self._refresh_tools()
        elif btype == "thinking":
            info = {"signature": getattr(block, "signature", "") or ""}
            self.thinking[index] = {"thinking": getattr(block, "thinking", "") or "", "info": info}
            self._refresh_thinking()
        elif btype == "redacted_thinking":
            self.thinking[index] = {"thinking": None, "info": {"redacted_data": block.data}}
            self._refresh_thinking()
        elif btype == "text" and getattr(block, "text", ""):
            self.text += block.text

    def _merge_usage(self, usage: Any) -> None:
        """Fold a usage object in: later events repeat or update the counts (non-null fields win)."""
        if usage is None:
            return
        for name in _USAGE_FIELDS:
            value = getattr(usage, name, None)
            if value is not None:
                self.usage[name] = value

    def final(self) -> ChatResponse:
        """The closing response: no delta, the usage and the stop reason."""
        return self._response("", {**usage_dict(self.usage), "stop_reason": self.stop_reason}, None)


chat_stream = StreamState.stream
achat_stream = StreamState.astream
