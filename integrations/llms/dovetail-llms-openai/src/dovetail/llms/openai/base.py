"""``OpenAI`` and ``OpenAILike``: dovetail LLMs on the official ``openai`` SDK (imported on first use)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from typing import TypeVar

from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseAsyncGen
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import FunctionCallingLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.llms.provider import FirstToolCallMixin
from dovetail.core.llms.provider import ToolRequestMixin
from dovetail.core.provider_llm import StoredMetadata
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from dovetail.llms.openai import _streaming as streams
from dovetail.llms.openai._convert import chat_response
from dovetail.llms.openai._convert import completion_response
from dovetail.llms.openai._convert import json_schema_format
from dovetail.llms.openai._convert import parse_structured
from dovetail.llms.openai._convert import parse_tool_calls
from dovetail.llms.openai._convert import to_openai_messages
from dovetail.llms.openai._metadata import build_metadata
from dovetail.llms.openai.catalog import base_model_id
from dovetail.llms.openai.catalog import find_model
from dovetail.llms.openai.transport import OpenAIClientModel
from pydantic import BaseModel
from pydantic import Field

__all__ = ["OpenAI"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
_UNKNOWN_CONTEXT_WINDOW = 16385


class OpenAI(OpenAIClientModel, StoredMetadata, ToolRequestMixin, FirstToolCallMixin, FunctionCallingLLM):
    """OpenAI chat and completion models: sync, async (the SDK's async client), streaming, tools, vision.

    Capabilities come from the bundled model catalog (``models.json``); any of them can be overridden, which is
    how an unknown or fine-tuned model is used (a warning is logged for a model the catalog does not know).

    Args:
        model: model id, e.g. ``"gpt-4o-mini"``.
        temperature: sampling temperature (not sent to reasoning models o1/o3/o4/gpt-5).
        max_tokens: output token limit (sent as ``max_completion_tokens`` to reasoning models).
        additional_kwargs: extra request parameters sent with every call (``top_p``, ``seed``, ...).
        api_key: the key; else the dovetail config, else ``OPENAI_API_KEY``. Stored as ``SecretStr``.
        api_base: base URL (``https://api.openai.com/v1`` by default, or ``OPENAI_BASE_URL``).
        timeout: read timeout per request in seconds.
        connect_timeout: TCP connect timeout in seconds; a dead host fails after this, without retries.
        max_retries: retries of dovetail's retry policy (429/5xx and refused connections; never 4xx).
        retry_deadline: seconds from the first attempt by which retrying ends (default ``2 * timeout``).
        retry_ambiguous: also retry after a timeout or cut connection, when the provider may already have
            generated (and billed) the answer; off by default.
        http_client / async_http_client: ``httpx`` clients of the SDK's HTTP library to use (proxies, mTLS).
        context_window / max_output_tokens / is_chat_model / is_function_calling_model / supports_vision /
            supports_structured_output: override the catalog.

    Raises:
        ConfigurationError: no API key (at the first call, naming ``OPENAI_API_KEY``).
        AuthenticationError / RateLimitError / ProviderError / ProviderTimeoutError / ProviderConnectionError /
            InvalidInputError / NotFoundError: mapped from the SDK with ``raise ... from``.

    Example:
        ```python
        from dovetail.llms.openai import OpenAI

        with OpenAI(model="gpt-4o-mini", temperature=0) as llm:
            print(llm.complete("Say hi").text)
        ```
    """

    provider_name: ClassVar[str] = "openai"
    _require_key: ClassVar[bool] = True
    _use_catalog: ClassVar[bool] = True

    model: str = Field(default="gpt-4o-mini", min_length=1)
    temperature: float = Field(default=0.1, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    strict: bool = Field(default=False, description="send tools with strict JSON-schema validation")
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    is_chat_model: bool | None = None
    is_function_calling_model: bool | None = None
    supports_vision: bool | None = None
    supports_structured_output: bool | None = None

    def model_post_init(self, context: Any, /) -> None:
        """Build the metadata; the key (config/env) and the SDK clients are resolved at the first call."""
        self.open_clients(require_key=self._require_key, provider=self.provider_name)
        self._metadata = self._build_metadata()

    def _build_metadata(self) -> LLMMetadata:
        info = find_model(self.model) if self._use_catalog else None
        if info is None and self._use_catalog:
            logger.warning(
                "model %r is not in the OpenAI catalog; assuming a chat model with a %d-token context window. "
                "Pass context_window=..., is_function_calling_model=..., supports_vision=... to be exact.",
                self.model,
                self.context_window or _UNKNOWN_CONTEXT_WINDOW,
            )
        return build_metadata(self, info, self._default_window(), self._is_reasoning())

    def _default_window(self) -> int:
        return _UNKNOWN_CONTEXT_WINDOW

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "openai_llm"

    # ---- request building ---------------------------------------------------------------------------

    def _is_reasoning(self) -> bool:
        return base_model_id(self.model).startswith(_REASONING_PREFIXES)

    def _params(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        reasoning = self._is_reasoning()
        if not reasoning:
            params["temperature"] = self.temperature
        if self.max_tokens is not None:
            params["max_completion_tokens" if reasoning else "max_tokens"] = self.max_tokens
        params.update(self.additional_kwargs)
        params.update(kwargs)
        if reasoning and "max_tokens" in params:
            params["max_completion_tokens"] = params.pop("max_tokens")
        return params

    def _chat_params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], stream: bool) -> dict[str, Any]:
        params = self._params(kwargs)
        params["messages"] = to_openai_messages(messages)
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    def _completion_params(self, prompt: str, kwargs: dict[str, Any], stream: bool) -> dict[str, Any]:
        params = self._params(kwargs)
        params["prompt"] = prompt
        if stream:
            params["stream"] = True
            params["stream_options"] = {"include_usage": True}
        return params

    def _generate(self, fn: Callable[[Any], T], *, operation: str) -> T:
        # A generation is billed: after a timeout or cut connection it is not sent again unless retry_ambiguous.
        return self._clients.call(fn, operation=operation, idempotent=False)

    async def _agenerate(self, fn: Callable[[Any], Awaitable[T]], *, operation: str) -> T:
        return await self._clients.acall(fn, operation=operation, idempotent=False)

    # ---- chat ---------------------------------------------------------------------------------------

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer a conversation (``/v1/chat/completions``, or ``/v1/completions`` for completion models)."""
        if not self.metadata.is_chat_model:
            prompt = self.messages_to_prompt(messages)
            done = self._complete_raw(prompt, kwargs)
            return ChatResponse(
                message=ChatMessage(role=MessageRole.ASSISTANT, content=done.text),
                raw=done.raw,
                additional_kwargs=done.additional_kwargs,
            )
        params = self._chat_params(messages, kwargs, stream=False)
        completion = self._generate(lambda c: c.chat.completions.create(**params), operation="chat")
        return chat_response(completion)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on the SDK's async client."""
        if not self.metadata.is_chat_model:
            prompt = self.messages_to_prompt(messages)
            done = await self._acomplete_raw(prompt, kwargs)
            return ChatResponse(
                message=ChatMessage(role=MessageRole.ASSISTANT, content=done.text),
                raw=done.raw,
                additional_kwargs=done.additional_kwargs,
            )
        params = self._chat_params(messages, kwargs, stream=False)
        completion = await self._agenerate(lambda c: c.chat.completions.create(**params), operation="chat")
        return chat_response(completion)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; the request is sent (and retried) now, chunks arrive as you iterate."""
        if not self.metadata.is_chat_model:
            prompt = self.messages_to_prompt(messages)
            return streams.completion_to_chat_stream(self._stream_complete_raw(prompt, kwargs))
        params = self._chat_params(messages, kwargs, stream=True)
        stream = self._generate(lambda c: c.chat.completions.create(**params), operation="stream_chat")
        return streams.chat_stream(stream, self._map("stream_chat"))

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`: ``async for chunk in await llm.astream_chat(messages)``."""
        if not self.metadata.is_chat_model:
            prompt = self.messages_to_prompt(messages)
            return streams.acompletion_to_chat_stream(await self._astream_complete_raw(prompt, kwargs))
        params = self._chat_params(messages, kwargs, stream=True)
        stream = await self._agenerate(lambda c: c.chat.completions.create(**params), operation="stream_chat")
        return streams.achat_stream(stream, self._map("stream_chat"))

    # ---- completion ---------------------------------------------------------------------------------

    def _complete_raw(self, prompt: str, kwargs: dict[str, Any]) -> CompletionResponse:
        params = self._completion_params(prompt, kwargs, stream=False)
        return completion_response(self._generate(lambda c: c.completions.create(**params), operation="complete"))

    async def _acomplete_raw(self, prompt: str, kwargs: dict[str, Any]) -> CompletionResponse:
        params = self._completion_params(prompt, kwargs, stream=False)
        done = await self._agenerate(lambda c: c.completions.create(**params), operation="complete")
        return completion_response(done)

    def _stream_complete_raw(self, prompt: str, kwargs: dict[str, Any]) -> CompletionResponseGen:
        params = self._completion_params(prompt, kwargs, stream=True)
        stream = self._generate(lambda c: c.completions.create(**params), operation="stream_complete")
        return streams.completion_stream(stream, self._map("stream_complete"))

    async def _astream_complete_raw(self, prompt: str, kwargs: dict[str, Any]) -> CompletionResponseAsyncGen:
        params = self._completion_params(prompt, kwargs, stream=True)
        stream = await self._agenerate(lambda c: c.completions.create(**params), operation="stream_complete")
        return streams.acompletion_stream(stream, self._map("stream_complete"))

    def _user(self, prompt: str) -> list[ChatMessage]:
        return [ChatMessage(role=MessageRole.USER, content=prompt)]

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete ``prompt`` (a chat model gets it as one user message)."""
        if not self.metadata.is_chat_model:
            return self._complete_raw(prompt, kwargs)
        answer = self.chat(self._user(prompt), **kwargs)
        return CompletionResponse(text=answer.text, raw=answer.raw, additional_kwargs=answer.additional_kwargs)

    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""
        if not self.metadata.is_chat_model:
            return await self._acomplete_raw(prompt, kwargs)
        answer = await self.achat(self._user(prompt), **kwargs)
        return CompletionResponse(text=answer.text, raw=answer.raw, additional_kwargs=answer.additional_kwargs)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """Stream the completion of ``prompt``."""
        if not self.metadata.is_chat_model:
            return self._stream_complete_raw(prompt, kwargs)
        return streams.chat_to_completion_stream(self.stream_chat(self._user(prompt), **kwargs))

    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        if not self.metadata.is_chat_model:
            return await self._astream_complete_raw(prompt, kwargs)
        return streams.achat_to_completion_stream(await self.astream_chat(self._user(prompt), **kwargs))

    # ---- tools --------------------------------------------------------------------------------------

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """``tools`` and ``tool_choice`` in the OpenAI format (``strict`` schemas when the model is strict)."""
        specs = [tool.metadata.to_openai_tool() for tool in tools]
        if self.strict:
            for spec in specs:
                spec["function"]["strict"] = True
                spec["function"]["parameters"]["additionalProperties"] = False
        out: dict[str, Any] = {"tools": specs, "tool_choice": "required" if tool_required else "auto"}
        if not allow_parallel_tool_calls and not self._is_reasoning():
            out["parallel_tool_calls"] = False
        return out

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Tool calls in ``response`` (also the last chunk of a stream) as :class:`ToolSelection` s."""
        return parse_tool_calls(response, error_on_no_tool_call)

    # ---- structured output --------------------------------------------------------------------------

    def _structured_request(
        self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """A JSON-schema ``response_format`` when the model supports it (catalog ``supports_structured_output``
        on a chat model); ``None`` otherwise, so core appends format instructions and uses its output parser."""
        if not (self.metadata.is_chat_model and self.metadata.supports_structured_output):
            return None
        return {**(llm_kwargs or {}), "response_format": json_schema_format(output_cls)}

    def _structured_answer(self, output_cls: type[M], response: ChatResponse, request: dict[str, Any]) -> M:
        """The ``output_cls`` instance in the JSON answer; a refusal is an ``OutputParserError`` naming it."""
        return parse_structured(output_cls, response)
