"""Pure translators between dovetail messages/responses and Ollama's ``/api/chat`` format.

No SDK import: responses are read by key or attribute (the SDK's response models support both).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms.provider import parse_json_answer
from dovetail.core.llms.provider import tool_calls_in
from dovetail.core.llms.wire import field
from dovetail.core.llms.wire import token_usage
from dovetail.core.llms.wire import tool_definition
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from pydantic import BaseModel

__all__ = [
    "chat_response",
    "parse_structured",
    "parse_tool_calls",
    "to_ollama_messages",
    "to_ollama_tool",
    "usage_dict",
]

M = TypeVar("M", bound=BaseModel)
_ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}


def _arguments(call: Any) -> dict[str, Any]:
    function = field(call, "function") or {}
    raw = field(function, "arguments")
    if raw is None:
        raw = field(call, "input") or {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            msg = f"tool call {field(function, 'name')!r} has arguments that are not JSON; fix the chat history"
            raise InvalidInputError(msg) from exc
    return dict(raw)


def _call_name(call: Any) -> str:
    return str(field(field(call, "function") or {}, "name") or field(call, "name") or "")


def to_ollama_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Messages for ``/api/chat``: text content, base64 ``images``, ``thinking``, ``tool_calls``, ``tool_name``.

    Raises:
        InvalidInputError: an image given by URL, a document (Ollama reads neither), or a tool result whose call
            cannot be found.
    """
    names: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        role = _ROLES[message.role]
        entry: dict[str, Any] = {"role": role, "content": message.content or ""}
        images: list[str] = []
        for block in message.blocks:
            if isinstance(block, ImageBlock):
                if block.url is not None and block.path is None and block.image is None:
                    msg = f"messages[{index}]: Ollama takes image bytes or files, not URLs; download the image first"
                    raise InvalidInputError(msg)
                images.append(block.as_base64())
            elif isinstance(block, DocumentBlock):
                msg = f"messages[{index}]: Ollama cannot read documents; extract the text and send it as a TextBlock"
                raise InvalidInputError(msg)
            elif isinstance(block, ThinkingBlock) and role == "assistant" and block.content:
                entry["thinking"] = block.content
            elif not isinstance(block, (TextBlock, CachePoint, ThinkingBlock)):
                msg = f"messages[{index}]: unsupported content block {type(block).__name__}"
                raise InvalidInputError(msg)
        if images:
            entry["images"] = images
        calls = message.additional_kwargs.get("tool_calls") or []
        if calls and role == "assistant":
            entry["tool_calls"] = [{"function": {"name": _call_name(c), "arguments": _arguments(c)}} for c in calls]
            for call in calls:
                if field(call, "id"):
                    names[str(field(call, "id"))] = _call_name(call)
        if role == "tool":
            extra = message.additional_kwargs
            name = extra.get("tool_name") or extra.get("name") or names.get(str(extra.get("tool_call_id")))
            if not name:
                msg = (
                    f"messages[{index}] is a tool result Ollama cannot attribute: pass additional_kwargs "
                    "{'tool_call_id': <id of the call>} after the assistant message that made it, or {'tool_name': ...}"
                )
                raise InvalidInputError(msg)
            entry["tool_name"] = name
        out.append(entry)
    return out


def to_ollama_tool(tool: BaseTool) -> dict[str, Any]:
    """A tool definition in Ollama's (OpenAI-style) format."""
    return {"type": "function", "function": tool_definition(tool, "parameters")}


def usage_dict(response: Any) -> dict[str, int]:
    """``prompt_tokens`` (``prompt_eval_count``), ``completion_tokens`` (``eval_count``), ``total_tokens``."""
    prompt = field(response, "prompt_eval_count")
    completion = field(response, "eval_count")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return {}
    return token_usage(prompt, completion)


def tool_calls_of(message: Any, start: int = 0) -> list[dict[str, Any]]:
    """Tool calls of an Ollama message, with ids ``call_<n>`` (Ollama gives none) and arguments as dicts."""
    calls = []
    for offset, call in enumerate(field(message, "tool_calls") or []):
        function = field(call, "function")
        arguments = dict(field(function, "arguments") or {})
        calls.append(
            {
                "id": f"call_{start + offset}",
                "type": "function",
                "function": {"name": field(function, "name"), "arguments": arguments},
            }
        )
    return calls


def chat_response(response: Any) -> ChatResponse:
    """A :class:`ChatResponse` from an SDK ``ChatResponse`` (thinking, tool calls, usage)."""
    message = field(response, "message")
    blocks: list[Any] = []
    thinking = field(message, "thinking")
    if thinking:
        blocks.append(ThinkingBlock(content=thinking))
    text = field(message, "content") or ""
    if text:
        blocks.append(TextBlock(text=text))
    calls = tool_calls_of(message)
    extra: dict[str, Any] = {"tool_calls": calls} if calls else {}
    chat = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)
    usage: dict[str, Any] = usage_dict(response)
    usage["done_reason"] = field(response, "done_reason")
    return ChatResponse(message=chat, raw=response, additional_kwargs=usage)


def parse_tool_calls(response: ChatResponse, error_on_no_tool_call: bool = True) -> list[ToolSelection]:
    """Tool selections from ``response.message.additional_kwargs['tool_calls']``."""
    calls = tool_calls_in(response, error_on_no_tool_call)
    out = []
    for call in calls:
        try:
            kwargs = _arguments(call)
        except (InvalidInputError, TypeError, ValueError) as exc:
            msg = f"tool call {_call_name(call)!r} has arguments that are not a JSON object; ask the model again"
            raise OutputParserError(msg, raw_output=str(call)) from exc
        out.append(
            ToolSelection(
                tool_id=str(field(call, "id") or _call_name(call)), tool_name=_call_name(call), tool_kwargs=kwargs
            )
        )
    return out


def parse_structured(output_cls: type[M], response: ChatResponse) -> M:
    """The ``output_cls`` instance in a ``format=<schema>`` answer."""
    return parse_json_answer(output_cls, response)
