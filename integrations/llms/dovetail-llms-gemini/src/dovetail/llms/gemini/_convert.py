"""Pure translators between dovetail messages/responses and Gemini's ``generateContent`` shapes.

Requests are built as dicts the ``google-genai`` SDK accepts (snake_case; the SDK sends camelCase JSON); responses
are read by attribute. Rules handled here:

- system messages become ``system_instruction``; assistant turns have role ``model``; consecutive turns merge;
- tool results are ``function_response`` parts of a user turn, named after the call they answer;
- thought signatures (on thinking parts and on function calls) go back on the next turn, as the API requires
  with thinking and function calling.
"""

from __future__ import annotations

import base64
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
from dovetail.core.llms.wire import ASSISTANT_ROLES
from dovetail.core.llms.wire import SYSTEM_ROLES
from dovetail.core.llms.wire import TOOL_ROLES
from dovetail.core.llms.wire import add_turn
from dovetail.core.llms.wire import field
from dovetail.core.llms.wire import token_usage
from dovetail.core.llms.wire import tool_definition
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from pydantic import BaseModel

__all__ = ["chat_response", "parse_structured", "parse_tool_calls", "to_gemini", "to_gemini_tool", "usage_dict"]

M = TypeVar("M", bound=BaseModel)


def _signature(value: Any) -> bytes | None:
    if not value:
        return None
    return value if isinstance(value, bytes) else base64.b64decode(value)


def _media(block: ImageBlock | DocumentBlock) -> dict[str, Any]:
    if isinstance(block, ImageBlock):
        if block.url is not None:
            return {"file_data": {"file_uri": block.url, "mime_type": block.resolve_mimetype()}}
        return {"inline_data": {"mime_type": block.resolve_mimetype(), "data": block.resolve_bytes()}}
    if block.url is not None:
        return {"file_data": {"file_uri": block.url, "mime_type": block.resolve_mimetype()}}
    return {"inline_data": {"mime_type": block.resolve_mimetype(), "data": block.resolve_bytes()}}


def _call_part(call: Any) -> dict[str, Any]:
    function = field(call, "function") or {}
    name = field(call, "name") or field(function, "name")
    args = field(call, "args")
    if args is None:
        raw = field(function, "arguments") or field(call, "input") or {}
        args = json.loads(raw) if isinstance(raw, str) and raw.strip() else (raw or {})
    part: dict[str, Any] = {"function_call": {"name": name, "args": dict(args)}}
    signature = _signature(field(call, "thought_signature"))
    if signature:
        part["thought_signature"] = signature
    return part


def _parts(message: ChatMessage, index: int, model_turn: bool) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            if block.text:
                parts.append({"text": block.text})
        elif isinstance(block, (ImageBlock, DocumentBlock)):
            parts.append(_media(block))
        elif isinstance(block, ThinkingBlock):
            signature = _signature(block.additional_information.get("thought_signature"))
            if model_turn and block.content and signature:
                parts.append({"text": block.content, "thought": True, "thought_signature": signature})
        elif not isinstance(block, CachePoint):
            msg = f"messages[{index}]: unsupported content block {type(block).__name__}"
            raise InvalidInputError(msg)
    return parts


def to_gemini(messages: Sequence[ChatMessage]) -> tuple[str | None, list[dict[str, Any]]]:
    """``(system_instruction, contents)`` for ``generate_content``.

    Raises:
        InvalidInputError: a tool result whose function cannot be named, or nothing but system messages.
    """
    system: list[str] = []
    names: dict[str, str] = {}
    contents: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if message.role in SYSTEM_ROLES:
            system.append(message.content or "")
            continue
        if message.role in TOOL_ROLES:
            extra = message.additional_kwargs
            call_id = extra.get("tool_call_id")
            name = extra.get("tool_name") or extra.get("name") or names.get(str(call_id))
            if not name:
                msg = (
                    f"messages[{index}] is a tool result Gemini cannot attribute: pass additional_kwargs "
                    "{'tool_call_id': <id>} after the assistant message with that call, or {'tool_name': ...}"
                )
                raise InvalidInputError(msg)
            response: dict[str, Any] = {"name": name, "response": {"result": message.content or ""}}
            if call_id and not str(call_id).startswith("call_"):
                response["id"] = call_id
            role, parts = "user", [{"function_response": response}]
        else:
            model_turn = message.role in ASSISTANT_ROLES
            role = "model" if model_turn else "user"
            parts = _parts(message, index, model_turn)
            for call in message.additional_kwargs.get("tool_calls") or [] if model_turn else []:
                parts.append(_call_part(call))
                names[str(field(call, "id"))] = _call_part(call)["function_call"]["name"]
        add_turn(contents, role, "parts", parts, index, message)
    if not contents:
        msg = "Gemini needs at least one user message besides the system instruction"
        raise InvalidInputError(msg)
    return ("\n".join(system) if system else None), contents


def to_gemini_tool(tool: BaseTool) -> dict[str, Any]:
    """A function declaration (its JSON schema sent as ``parameters_json_schema``)."""
    return tool_definition(tool, "parameters_json_schema")


def usage_dict(response: Any) -> dict[str, int]:
    """``prompt_tokens``/``completion_tokens`` (answer + thoughts)/``total_tokens`` plus Gemini's thought and
    cached-content counts."""
    meta = field(response, "usage_metadata")
    if meta is None:
        return {}
    prompt = field(meta, "prompt_token_count") or 0
    answer = field(meta, "candidates_token_count") or 0
    thoughts = field(meta, "thoughts_token_count") or 0
    cached = field(meta, "cached_content_token_count") or 0
    extra = {"thoughts_token_count": thoughts, "cached_content_token_count": cached}
    return token_usage(prompt, answer + thoughts, extra)


def _b64(value: Any) -> str | None:
    return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) and value else None


def split_parts(parts: Sequence[Any], start: int = 0) -> tuple[str, str, list[dict[str, Any]], str | None]:
    """``(text, thought_text, tool_calls, thought_signature)`` of response parts; calls are numbered from
    ``start`` when the API gives them no id."""
    text, thought, signature = "", "", None
    calls: list[dict[str, Any]] = []
    for part in parts:
        call = field(part, "function_call")
        if call is not None:
            entry = {
                "id": field(call, "id") or f"call_{start + len(calls)}",
                "name": field(call, "name"),
                "args": dict(field(call, "args") or {}),
            }
            sig = _b64(field(part, "thought_signature"))
            if sig:
                entry["thought_signature"] = sig
            calls.append(entry)
        elif field(part, "thought"):
            thought += field(part, "text") or ""
            signature = _b64(field(part, "thought_signature")) or signature
        elif field(part, "text"):
            text += field(part, "text")
            signature = _b64(field(part, "thought_signature")) or signature
    return text, thought, calls, signature


def parts_of(response: Any) -> list[Any]:
    candidates = field(response, "candidates") or []
    content = field(candidates[0], "content") if candidates else None
    return list(field(content, "parts") or []) if content is not None else []


def chat_response(response: Any) -> ChatResponse:
    """A :class:`ChatResponse` from an SDK ``GenerateContentResponse``."""
    text, thought, calls, signature = split_parts(parts_of(response))
    blocks: list[Any] = []
    if thought or signature:
        info = {"thought_signature": signature} if signature else {}
        blocks.append(ThinkingBlock(content=thought or None, additional_information=info))
    if text:
        blocks.append(TextBlock(text=text))
    extra: dict[str, Any] = {"tool_calls": calls} if calls else {}
    chat = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)
    usage: dict[str, Any] = usage_dict(response)
    candidates = field(response, "candidates") or []
    reason = field(candidates[0], "finish_reason") if candidates else None
    usage["finish_reason"] = str(field(reason, "value", reason)) if reason is not None else None
    return ChatResponse(message=chat, raw=response, additional_kwargs=usage)


def parse_tool_calls(response: ChatResponse, error_on_no_tool_call: bool = True) -> list[ToolSelection]:
    """Tool selections from ``response.message.additional_kwargs['tool_calls']``."""
    calls = tool_calls_in(response, error_on_no_tool_call)
    out = []
    for call in calls:
        args = field(call, "args")
        if not isinstance(args, dict):
            msg = f"tool call {field(call, 'name')!r} has arguments that are not an object; ask the model again"
            raise OutputParserError(msg, raw_output=str(args))
        out.append(ToolSelection(tool_id=str(field(call, "id")), tool_name=str(field(call, "name")), tool_kwargs=args))
    return out


def parse_structured(output_cls: type[M], response: ChatResponse) -> M:
    """The ``output_cls`` instance in a ``response_json_schema`` answer."""
    return parse_json_answer(output_cls, response)
