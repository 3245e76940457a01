"""Deterministic offline LLMs for tests and examples: ``MockLLM`` and ``MockFunctionCallingLLM``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.llms._custom import CustomLLM
from dovetail.core.llms._function_calling import FunctionCallingLLM
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseGen
from dovetail.core.llms._types import LLMMetadata
from dovetail.core.llms._types import MessageRole
from dovetail.core.llms.provider import ToolRequestMixin
from dovetail.core.tokenizers import get_tokenizer
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from pydantic import Field

__all__ = ["MockFunctionCallingLLM", "MockLLM"]

_PIECES = re.compile(r"\s+|\S+\s*")


def _usage(prompt: str, text: str) -> dict[str, int]:
    tokenizer = get_tokenizer()
    prompt_tokens, completion_tokens = len(tokenizer(prompt)), len(tokenizer(text))
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


class MockLLM(CustomLLM):
    """An offline LLM that echoes the prompt, or answers ``"text text ..."`` when ``max_tokens`` is set.

    Streams token by token (whitespace-delimited pieces whose deltas concatenate to the full text) and reports
    usage counted with :func:`dovetail.core.tokenizers.get_tokenizer`.

    Args:
        max_tokens: answer with this many ``"text"`` tokens instead of echoing.
        context_window: context window reported in :attr:`metadata`.

    Example:
        ```python
        MockLLM().complete("hello world").text  # "hello world"
        MockLLM(max_tokens=3).complete("anything").text  # "text text text"
        ```
    """

    max_tokens: int | None = Field(default=None, ge=1)
    context_window: int = Field(default=3900, gt=0)

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "MockLLM"

    @property
    def metadata(self) -> LLMMetadata:
        """Echo model metadata."""
        return LLMMetadata(context_window=self.context_window, num_output=self.max_tokens or 256, model_name="mock")

    def _answer(self, prompt: str) -> str:
        return " ".join(["text"] * self.max_tokens) if self.max_tokens else prompt

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Echo ``prompt`` (or ``max_tokens`` times ``"text"``); the mock takes no provider options."""
        reject_unknown_keywords("complete", kwargs, ())
        text = self._answer(prompt)
        return CompletionResponse(text=text, additional_kwargs=_usage(prompt, text))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """Stream the answer one whitespace-delimited token at a time."""
        reject_unknown_keywords("stream_complete", kwargs, ())
        answer = self._answer(prompt)

        def gen() -> CompletionResponseGen:
            text = ""
            pieces = _PIECES.findall(answer)
            for index, piece in enumerate(pieces):
                text += piece
                extra = _usage(prompt, text) if index == len(pieces) - 1 else {}
                yield CompletionResponse(text=text, delta=piece, additional_kwargs=extra)

        return gen()


class MockFunctionCallingLLM(ToolRequestMixin, MockLLM, FunctionCallingLLM):
    """A ``MockLLM`` that calls tools deterministically.

    Given tools, it calls the first tool whose name appears in the last user message, with the first JSON
    object of that message as arguments (``{}`` when there is none); otherwise it echoes like ``MockLLM``.
    Tool calls are in ``message.additional_kwargs["tool_calls"]`` in the OpenAI shape.
    """

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "MockFunctionCallingLLM"

    @property
    def metadata(self) -> LLMMetadata:
        """Echo model metadata with tool calling on."""
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens or 256,
            model_name="mock-function-calling",
            is_chat_model=True,
            is_function_calling_model=True,
        )

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """The tools in the OpenAI format."""
        return {"tools": [tool.metadata.to_openai_tool() for tool in tools]}

    def _tool_call(self, messages: Sequence[ChatMessage], tools: list[dict[str, Any]]) -> dict[str, Any] | None:
        from dovetail.core.output_parsers._json import load_json_objects

        if not messages or messages[-1].role != MessageRole.USER:
            return None
        text = messages[-1].content or ""
        for tool in tools:
            name = tool["function"]["name"]
            if name in text:
                objects, _ = load_json_objects(text)
                arguments = json.dumps(objects[0] if objects else {})
                call_id = f"call_{len(messages)}_{name}"
                return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
        return None

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Call a tool named in the last user message, else echo."""
        tools = kwargs.pop("tools", None) or []
        reject_unknown_keywords("chat", kwargs, ())
        call = self._tool_call(messages, tools)
        if call is None:
            return super().chat(messages, **kwargs)
        prompt = self.messages_to_prompt(messages)
        message = ChatMessage(role=MessageRole.ASSISTANT, content="", additional_kwargs={"tool_calls": [call]})
        return ChatResponse(message=message, delta="", additional_kwargs=_usage(prompt, ""))

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream: one chunk carrying the tool call, or the echo token by token."""
        tools = kwargs.pop("tools", None) or []
        reject_unknown_keywords("stream_chat", kwargs, ())
        if self._tool_call(messages, tools) is None:
            return super().stream_chat(messages, **kwargs)
        return iter([self.chat(messages, tools=tools, **kwargs)])  # type: ignore[return-value]

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Read the OpenAI-shaped ``tool_calls`` of the message."""
        reject_unknown_keywords("get_tool_calls_from_response", kwargs, ("response", "error_on_no_tool_call"))
        calls = response.message.additional_kwargs.get("tool_calls") or []
        if not calls and error_on_no_tool_call:
            msg = "the response has no tool calls; pass error_on_no_tool_call=False to accept plain answers"
            raise InvalidInputError(msg)
        return [
            ToolSelection(
                tool_id=call["id"],
                tool_name=call["function"]["name"],
                tool_kwargs=json.loads(call["function"]["arguments"] or "{}"),
            )
            for call in calls
        ]
