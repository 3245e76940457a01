"""Pure translators between dovetail's message/response types and the OpenAI chat wire format.

No SDK import: responses are read by attribute (SDK objects) so the functions are testable with plain objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import AudioBlock
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms import ToolCallBlock
from dovetail.core.llms.provider import parse_json_answer
from dovetail.core.llms.provider import tool_calls_in
from dovetail.core.tools import ToolSelection
from dovetail.llms.openai._errors import usage_dict
from pydantic import BaseModel

__all__ = [
    "ToolCallAssembler",
    "chat_response",
    "completion_response",
    "json_schema_format",
    "parse_structured",
    "parse_tool_calls",
    "to_openai_messages",
]

M = TypeVar("M", bound=BaseModel)
_ROLE_ALIASES = {MessageRole.CHATBOT: "assistant", MessageRole.MODEL: "assistant"}


# Blocks with no input form in the chat-completions API that carry nothing the model must see again: a
# ThinkingBlock is the model's own earlier reasoning (the API does not take it back), a CachePoint marks a prefix
# for providers with explicit caching (OpenAI caches prefixes automatically), a ToolCallBlock is sent as the
# message's ``tool_calls``.
_NOT_CONTENT = (ThinkingBlock, CachePoint, ToolCallBlock)


def _part(block: Any) -> dict[str, Any]:
    if isinstance(block, TextBlock):
        return {"type": "text", "text": block.text}
    if isinstance(block, ImageBlock):
        image: dict[str, Any] = {"url": block.as_url()}
        if block.detail:
            image["detail"] = block.detail
        return {"type": "image_url", "image_url": image}
    if isinstance(block, AudioBlock):
        return {"type": "input_audio", "input_audio": {"data": block.as_base64(), "format": block.resolve_format()}}
    if isinstance(block, DocumentBlock):
        return {"type": "file", "file": {"filename": block.resolve_title(), "file_data": block.as_data_url()}}
    msg = (
        f"the OpenAI chat API does not accept {type(block).__name__} content; send text, images, audio or "
        "documents (PDF), or describe the content in text"
    )
    raise InvalidInputError(msg)


def _content(message: ChatMessage) -> str | list[dict[str, Any]] | None:
    blocks = [block for block in message.blocks if not isinstance(block, _NOT_CONTENT)]
    if all(isinstance(block, TextBlock) for block in blocks):
        return message.content
    return [_part(block) for block in blocks]


def _block_tool_calls(message: ChatMessage) -> list[dict[str, Any]]:
    calls = []
    for block in message.blocks:
        if isinstance(block, ToolCallBlock):
            arguments = block.tool_kwargs if isinstance(block.tool_kwargs, str) else json.dumps(block.tool_kwargs)
            calls.append(
                {
                    "id": block.tool_call_id or "",
                    "type": "function",
                    "function": {"name": block.tool_name, "arguments": arguments},
                }
            )
    return calls


def _plain(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


def to_openai_message(message: ChatMessage) -> dict[str, Any]:
    """One message in the chat-completions format (images become ``image_url`` parts)."""
    role = _ROLE_ALIASES.get(message.role, message.role.value)
    out: dict[str, Any] = {"role": role, "content": _content(message)}
    extra = message.additional_kwargs
    if extra.get("tool_calls"):
        out["tool_calls"] = [_plain(call) for call in extra["tool_calls"]]
    elif _block_tool_calls(message):
        out["tool_calls"] = _block_tool_calls(message)
    if role == "tool":
        tool_call_id = extra.get("tool_call_id")
        if not tool_call_id:
            msg = "a tool message needs additional_kwargs['tool_call_id'] (the id of the call it answers)"
            raise InvalidInputError(msg)
        out["tool_call_id"] = tool_call_id
        if out["content"] is None:
            out["content"] = ""
    if extra.get("name"):
        out["name"] = extra["name"]
    return out


def to_openai_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """Messages in the chat-completions format."""
    return [to_openai_message(message) for message in messages]


def _tool_call_dict(call: Any) -> dict[str, Any]:
    function = call.function
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": function.name, "arguments": function.arguments or ""},
    }


def chat_response(completion: Any) -> ChatResponse:
    """A :class:`ChatResponse` from an SDK ``ChatCompletion`` (usage in ``additional_kwargs``)."""
    choice = completion.choices[0]
    message = choice.message
    extra: dict[str, Any] = {}
    if message.tool_calls:
        extra["tool_calls"] = [_tool_call_dict(call) for call in message.tool_calls]
    if getattr(message, "refusal", None):
        extra["refusal"] = message.refusal
    chat_message = ChatMessage(role=MessageRole.ASSISTANT, content=message.content, additional_kwargs=extra)
    usage = usage_dict(getattr(completion, "usage", None))
    return ChatResponse(message=chat_message, raw=completion, logprobs=choice.logprobs, additional_kwargs=usage)


def completion_response(completion: Any) -> CompletionResponse:
    """A :class:`CompletionResponse` from an SDK ``Completion``."""
    choice = completion.choices[0]
    usage = usage_dict(getattr(completion, "usage", None))
    return CompletionResponse(text=choice.text or "", raw=completion, logprobs=choice.logprobs, additional_kwargs=usage)


class ToolCallAssembler:
    """Joins streamed tool-call deltas (id and name first, arguments in pieces) into complete calls."""

    def __init__(self) -> None:
        self._calls: dict[int, dict[str, Any]] = {}

    def add(self, deltas: Sequence[Any]) -> None:
        """Fold one chunk's ``delta.tool_calls`` in."""
        for delta in deltas:
            index = delta.index if delta.index is not None else len(self._calls)
            call = self._calls.setdefault(
                index, {"id": "", "type": "function", "function": {"name": "", "arguments": ""}}
            )
            if delta.id:
                call["id"] = delta.id
            function = delta.function
            if function is not None:
                if function.name:
                    call["function"]["name"] += function.name
                if function.arguments:
                    call["function"]["arguments"] += function.arguments

    def calls(self) -> list[dict[str, Any]]:
        """The calls so far, in index order (plain dicts in the chat-completions format)."""
        return [
            {"id": c["id"], "type": "function", "function": dict(c["function"])} for _, c in sorted(self._calls.items())
        ]

    def __bool__(self) -> bool:
        return bool(self._calls)


def parse_tool_calls(response: ChatResponse, error_on_no_tool_call: bool = True) -> list[ToolSelection]:
    """Tool selections from ``response.message.additional_kwargs['tool_calls']``.

    Raises:
        InvalidInputError: no tool call and ``error_on_no_tool_call``.
        OutputParserError: a call's arguments are not a JSON object (``raw_output`` holds them).
    """
    calls = tool_calls_in(response, error_on_no_tool_call)
    selections = []
    for call in calls:
        call = _plain(call)
        function = call.get("function") or {}
        raw = function.get("arguments") or ""
        try:
            kwargs = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            msg = f"tool call {function.get('name')!r} has arguments that are not valid JSON; ask the model again"
            raise OutputParserError(msg, raw_output=raw) from exc
        if not isinstance(kwargs, dict):
            msg = f"tool call {function.get('name')!r} has arguments that are not a JSON object"
            raise OutputParserError(msg, raw_output=raw)
        selections.append(
            ToolSelection(tool_id=call.get("id") or "", tool_name=function.get("name", ""), tool_kwargs=kwargs)
        )
    return selections


def _strict(schema: dict[str, Any]) -> bool:
    """Make every object schema closed; True when every property was already required (strict mode is safe)."""
    ok = True
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                ok = ok and set(node.get("required", [])) == set(node["properties"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return ok


def json_schema_format(output_cls: type[BaseModel]) -> dict[str, Any]:
    """``response_format`` asking for JSON that matches ``output_cls`` (strict when the schema allows it)."""
    schema = output_cls.model_json_schema()
    strict = _strict(schema)
    name = "".join(ch if ch.isalnum() or ch in "_-" else "_" for ch in output_cls.__name__)[:64]
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": strict}}


def parse_structured(output_cls: type[M], response: ChatResponse) -> M:
    """The ``output_cls`` instance in a JSON-schema answer; a refusal or invalid JSON is ``OutputParserError``."""
    refusal = response.message.additional_kwargs.get("refusal")
    if refusal:
        msg = f"the model refused to answer in the {output_cls.__name__} format: {refusal}"
        raise OutputParserError(msg, raw_output=str(refusal))
    return parse_json_answer(output_cls, response)
