"""Pure translators between dovetail messages/responses and the Anthropic Messages API wire format.

No SDK import: responses are read by attribute (SDK objects) or key (dicts), so these are testable with plain
data. Request rules of the API that are handled here:

- system messages go to the top-level ``system`` parameter (as text blocks, so cache points apply to them);
- tool results (``role="tool"``) are ``tool_result`` blocks of a user turn; consecutive turns of one role merge;
- a :class:`CachePoint` puts ``cache_control`` on the block before it;
- :class:`ThinkingBlock` s are sent back (with their signature) in assistant turns, as the API requires when
  extended thinking and tool use are combined; thinking without a signature (from another provider) is dropped.
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

__all__ = [
    "chat_response",
    "parse_tool_calls",
    "to_anthropic_messages",
    "to_anthropic_tool",
    "usage_dict",
]

M = TypeVar("M", bound=BaseModel)


# ---- request ----------------------------------------------------------------------------------------------


def _image(block: ImageBlock) -> dict[str, Any]:
    if block.url is not None:
        return {"type": "image", "source": {"type": "url", "url": block.url}}
    source = {"type": "base64", "media_type": block.resolve_mimetype(), "data": block.as_base64()}
    return {"type": "image", "source": source}


def _document(block: DocumentBlock) -> dict[str, Any]:
    if block.url is not None:
        out: dict[str, Any] = {"type": "document", "source": {"type": "url", "url": block.url}}
    else:
        mimetype = block.resolve_mimetype()
        if mimetype == "application/pdf":
            source = {"type": "base64", "media_type": mimetype, "data": block.as_base64()}
        elif mimetype.startswith("text/"):
            text = block.resolve_bytes().decode("utf-8", errors="replace")
            source = {"type": "text", "media_type": "text/plain", "data": text}
        else:
            msg = f"Anthropic reads PDF and text documents, not {mimetype!r}; convert the document to PDF or text"
            raise InvalidInputError(msg)
        out = {"type": "document", "source": source}
    if block.title:
        out["title"] = block.title
    return out


def _thinking(block: ThinkingBlock) -> dict[str, Any] | None:
    info = block.additional_information
    if info.get("redacted_data"):
        return {"type": "redacted_thinking", "data": info["redacted_data"]}
    signature = info.get("signature")
    if not signature or block.content is None:
        return None
    return {"type": "thinking", "thinking": block.content, "signature": signature}


def _content_blocks(message: ChatMessage, index: int) -> list[dict[str, Any]]:
    assistant = message.role in ASSISTANT_ROLES
    out: list[dict[str, Any]] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            if block.text:
                out.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            out.append(_image(block))
        elif isinstance(block, DocumentBlock):
            out.append(_document(block))
        elif isinstance(block, ThinkingBlock):
            converted = _thinking(block) if assistant else None
            if converted is not None:
                out.append(converted)
        elif isinstance(block, CachePoint):
            if not out:
                msg = f"messages[{index}]: a CachePoint must follow the content block it caches"
                raise InvalidInputError(msg)
            cache: dict[str, Any] = {"type": block.cache_control.type}
            if block.cache_control.ttl != "5m":
                cache["ttl"] = block.cache_control.ttl
            out[-1]["cache_control"] = cache
    return out


def _tool_input(call: Any) -> dict[str, Any]:
    """The ``input`` of a stored tool call: Anthropic's ``input`` or an OpenAI-style ``function.arguments``."""
    if field(call, "input") is not None:
        return dict(field(call, "input"))
    function = field(call, "function") or {}
    raw = field(function, "arguments") or "{}"
    try:
        parsed = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        msg = f"tool call {field(function, 'name')!r} has arguments that are not JSON; fix the chat history"
        raise InvalidInputError(msg) from exc
    return dict(parsed)


def _tool_use(call: Any) -> dict[str, Any]:
    name = field(call, "name") or field(field(call, "function") or {}, "name")
    return {"type": "tool_use", "id": field(call, "id"), "name": name, "input": _tool_input(call)}


def _tool_result(message: ChatMessage, index: int) -> dict[str, Any]:
    tool_use_id = message.additional_kwargs.get("tool_call_id") or message.additional_kwargs.get("tool_use_id")
    if not tool_use_id:
        msg = f"messages[{index}] is a tool result without additional_kwargs['tool_call_id'] (the call it answers)"
        raise InvalidInputError(msg)
    result: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_use_id, "content": message.content or ""}
    if message.additional_kwargs.get("is_error"):
        result["is_error"] = True
    return result


def to_anthropic_messages(messages: Sequence[ChatMessage]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(system, messages)`` for the Messages API; consecutive turns of one role are merged.

    Raises:
        InvalidInputError: a message with nothing to send, a tool result without its call id, a CachePoint
            first in a message, or a document type Anthropic cannot read.
    """
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if message.role in SYSTEM_ROLES:
            system.extend(b for b in _content_blocks(message, index) if b["type"] == "text")
            continue
        if message.role in TOOL_ROLES:
            role, blocks = "user", [_tool_result(message, index)]
        else:
            role = "assistant" if message.role in ASSISTANT_ROLES else "user"
            blocks = _content_blocks(message, index)
            if role == "assistant":
                blocks.extend(_tool_use(call) for call in message.additional_kwargs.get("tool_calls") or [])
        add_turn(turns, role, "content", blocks, index, message)
    if not turns:
        msg = "Anthropic needs at least one user message besides the system prompt"
        raise InvalidInputError(msg)
    return system, turns


def to_anthropic_tool(tool: BaseTool) -> dict[str, Any]:
    """A tool definition: ``name``, ``description``, ``input_schema``."""
    return tool_definition(tool, "input_schema")


# ---- response ---------------------------------------------------------------------------------------------


def usage_dict(usage: Any) -> dict[str, int]:
    """dovetail usage from Anthropic usage: ``prompt_tokens`` counts every input token (uncached, cache writes
    and cache reads), and the cache counts are kept as ``cache_creation_input_tokens`` /
    ``cache_read_input_tokens``."""
    if usage is None:
        return {}
    fresh = field(usage, "input_tokens") or 0
    written = field(usage, "cache_creation_input_tokens") or 0
    read = field(usage, "cache_read_input_tokens") or 0
    output = field(usage, "output_tokens") or 0
    extra = {"cache_creation_input_tokens": written, "cache_read_input_tokens": read}
    return token_usage(fresh + written + read, output, extra)


def tool_call_dict(block: Any) -> dict[str, Any]:
    """A ``tool_use`` content block as the dict kept in ``additional_kwargs['tool_calls']``."""
    return {"type": "tool_use", "id": field(block, "id"), "name": field(block, "name"), "input": field(block, "input")}


def chat_response(message: Any) -> ChatResponse:
    """A :class:`ChatResponse` from an SDK ``Message``: text and thinking blocks, tool calls, usage."""
    blocks: list[Any] = []
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    for block in field(message, "content") or []:
        kind = field(block, "type")
        if kind == "text":
            texts.append(field(block, "text") or "")
        elif kind == "thinking":
            info = {"signature": field(block, "signature")}
            blocks.append(ThinkingBlock(content=field(block, "thinking"), additional_information=info))
        elif kind == "redacted_thinking":
            blocks.append(ThinkingBlock(content=None, additional_information={"redacted_data": field(block, "data")}))
        elif kind == "tool_use":
            calls.append(tool_call_dict(block))
    if any(texts):  # one text block, as a stream accumulates it (deltas concatenate to ``content``)
        blocks.append(TextBlock(text="".join(texts)))
    extra: dict[str, Any] = {"tool_calls": calls} if calls else {}
    chat = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)
    usage = usage_dict(field(message, "usage"))
    usage["stop_reason"] = field(message, "stop_reason")
    return ChatResponse(message=chat, raw=message, additional_kwargs=usage)


def parse_tool_calls(response: ChatResponse, error_on_no_tool_call: bool = True) -> list[ToolSelection]:
    """Tool selections from ``response.message.additional_kwargs['tool_calls']``.

    Raises:
        InvalidInputError: no tool call and ``error_on_no_tool_call``.
        OutputParserError: a call's input is not a JSON object.
    """
    calls = tool_calls_in(response, error_on_no_tool_call)
    selections = []
    for call in calls:
        kwargs = field(call, "input")
        if not isinstance(kwargs, dict):
            msg = f"tool call {field(call, 'name')!r} has an input that is not a JSON object; ask the model again"
            raise OutputParserError(msg, raw_output=json.dumps(kwargs, default=str))
        selections.append(
            ToolSelection(tool_id=field(call, "id") or "", tool_name=field(call, "name"), tool_kwargs=kwargs)
        )
    return selections


def structured_tool(output_cls: type[BaseModel]) -> dict[str, Any]:
    """The tool whose input schema is ``output_cls`` (structured output through a forced tool call)."""
    name = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in output_cls.__name__)[:64]
    description = (output_cls.__doc__ or f"Answer as a {output_cls.__name__}.").strip()
    return {"name": name, "description": description, "input_schema": output_cls.model_json_schema()}


def parse_structured(output_cls: type[M], response: ChatResponse, tool_name: str) -> M:
    """The ``output_cls`` instance in the forced tool call of ``response``."""
    calls = [c for c in response.message.additional_kwargs.get("tool_calls") or [] if field(c, "name") == tool_name]
    if not calls:
        msg = f"the model did not answer in the {output_cls.__name__} format; retry or rephrase"
        raise OutputParserError(msg, raw_output=response.message.content or "")
    raw = field(calls[0], "input")
    try:
        return output_cls.model_validate(raw)
    except ValueError as exc:
        msg = f"the model's answer is not a valid {output_cls.__name__}; see raw_output and retry or rephrase"
        raise OutputParserError(msg, raw_output=json.dumps(raw, default=str)) from exc
