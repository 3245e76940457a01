"""``GoogleGenAI``: Gemini models on the official ``google-genai`` SDK (imported on first use)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms.provider import ChatFirstFunctionCallingLLM
from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_llm import CheckedRequestLLM
from dovetail.core.provider_llm import RequestKeys
from dovetail.core.provider_llm import chat_metadata
from dovetail.core.provider_llm import check_output_limit
from dovetail.core.provider_settings import EmptyKeyIsUnset
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from dovetail.llms.gemini import _streaming as streams
from dovetail.llms.gemini._convert import chat_response
from dovetail.llms.gemini._convert import parse_tool_calls
from dovetail.llms.gemini._convert import to_gemini
from dovetail.llms.gemini._convert import to_gemini_tool
from dovetail.llms.gemini.transport import ClientSettings
from dovetail.llms.gemini.transport import GeminiClients
from pydantic import BaseModel
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import SecretStr

if TYPE_CHECKING:
    from dovetail.core.catalog import ModelInfo

__all__ = ["GoogleGenAI"]

logger = logging.getLogger(__name__)

_UNKNOWN_CONTEXT_WINDOW = 32_768
# ``GenerateContentConfig`` keys a call (or ``generation_config``) may set; anything else raises before sending.
_CONFIG_KEYS = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "candidate_count",
        "max_output_tokens",
        "stop_sequences",
        "seed",
        "presence_penalty",
        "frequency_penalty",
        "response_mime_type",
        "response_json_schema",
        "response_logprobs",
        "logprobs",
        "safety_settings",
        "tools",
        "tool_config",
        "thinking_config",
        "cached_content",
        "labels",
        "media_resolution",
    }
)


class GoogleGenAI(TypedSettingsErrors, EmptyKeyIsUnset, OwnsSdkClients, CheckedRequestLLM, ChatFirstFunctionCallingLLM):
    """Google Gemini models (Gemini API): sync, async, streaming, function calling, JSON-schema output, vision
    and documents, thinking.

    Args:
        model: model id, e.g. ``"gemini-2.5-flash"`` (``models/`` prefix and version suffixes accepted).
        temperature: sampling temperature, 0–2.
        max_tokens: output token limit (``max_output_tokens``); over the catalog's limit → ``InvalidInputError``.
        thinking_config: e.g. ``{"thinking_budget": 1024, "include_thoughts": True}``; thoughts come back as
            ``ThinkingBlock`` s (stream: ``additional_kwargs["thinking_delta"]``) and their signatures go back
            on the next turn.
        generation_config: other ``GenerateContentConfig`` keys sent with every call (``top_k``, ``seed``, ...).
        api_key: the key; else ``[providers.gemini]`` in ``dovetail.toml``, else ``GOOGLE_API_KEY``, else
            ``GEMINI_API_KEY``.
        base_url: API base URL (a proxy or a local stand-in); else config ``base_url``; else Google's.
        timeout: per-request timeout in seconds.
        max_retries: retries of dovetail's retry policy (the SDK's own retries are off).
        headers: extra HTTP headers.
        context_window / is_function_calling_model / supports_vision: override the catalog.

    Example:
        ```python
        from dovetail.llms.gemini import GoogleGenAI

        llm = GoogleGenAI(model="gemini-2.5-flash")  # key from GOOGLE_API_KEY
        print(llm.complete("Write a haiku about dovetail joints.").text)
        ```
    """

    provider_name: ClassVar[str] = "gemini"
    _request_keys: ClassVar[RequestKeys] = RequestKeys("Gemini generation setting(s)", _CONFIG_KEYS)

    model: str = Field(default="gemini-2.5-flash", min_length=1)
    temperature: float = Field(default=0.1, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    thinking_config: dict[str, Any] | None = None
    generation_config: dict[str, Any] = Field(default_factory=dict)
    api_key: SecretStr | None = Field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    headers: dict[str, str] | None = Field(default=None, repr=False)
    context_window: int | None = Field(default=None, gt=0)
    is_function_calling_model: bool | None = None
    supports_vision: bool | None = None

    _clients: GeminiClients = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Check the settings against the catalog; the key and the SDK client are resolved at the first call."""
        from dovetail.llms.gemini.catalog import find_model  # pydantic models: loaded on first use

        self._check_request_keys(self.generation_config, "generation_config")
        info: ModelInfo | None = find_model(self.model)
        if info is None:
            logger.warning(
                "model %r is not in the Gemini catalog; assuming a %d-token context window. Pass context_window=... "
                "to be exact.",
                self.model,
                self.context_window or _UNKNOWN_CONTEXT_WINDOW,
            )
        check_output_limit(self.model, self.max_tokens, info.max_output_tokens if info else None)
        if self.thinking_config is not None and info is not None and not info.supports_thinking:
            msg = f"model {self.model!r} does not think; remove thinking_config or choose a Gemini 2.5+ model"
            raise InvalidInputError(msg)
        self._metadata = chat_metadata(
            self.model,
            info,
            num_output=self.max_tokens or 256,
            default_window=_UNKNOWN_CONTEXT_WINDOW,
            context_window=self.context_window,
            is_function_calling_model=self.is_function_calling_model,
            supports_vision=self.supports_vision,
        )
        self._clients = GeminiClients(ClientSettings.of(self))

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "GoogleGenAI"

    def _check_call(self, messages: Sequence[ChatMessage] | None, kwargs: dict[str, Any]) -> None:
        """Message shapes Gemini can take (raised before sending)."""
        if messages is not None:
            to_gemini(messages)

    # ---- request building ---------------------------------------------------------------------------

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        system, contents = to_gemini(messages)
        config: dict[str, Any] = {"temperature": self.temperature}
        if self.max_tokens is not None:
            config["max_output_tokens"] = self.max_tokens
        if self.thinking_config is not None:
            config["thinking_config"] = dict(self.thinking_config)
        config.update(self.generation_config)
        config.update(kwargs)
        if system:
            config["system_instruction"] = system
        return {"model": self.model, "contents": contents, "config": config}

    # ---- chat ---------------------------------------------------------------------------------------

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer a conversation (``generateContent``)."""
        request = self._request(messages, kwargs)
        return chat_response(
            self._clients.call(lambda c: c.models.generate_content(**request), operation="chat", idempotent=False)
        )

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on the SDK's async client."""
        request = self._request(messages, kwargs)
        done = await self._clients.acall(
            lambda c: c.aio.models.generate_content(**request), operation="chat", idempotent=False
        )
        return chat_response(done)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer (``streamGenerateContent?alt=sse``); the request is sent (and retried) now."""
        request = self._request(messages, kwargs)
        stream = self._clients.open_stream(
            lambda c: c.models.generate_content_stream(**request), operation="stream_chat"
        )
        return streams.chat_stream(stream, self._map("stream_chat"))

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        request = self._request(messages, kwargs)
        stream = await self._clients.aopen_stream(
            lambda c: c.aio.models.generate_content_stream(**request), operation="stream_chat"
        )
        return streams.achat_stream(stream, self._map("stream_chat"))

    # ---- tools --------------------------------------------------------------------------------------

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """``tools`` (function declarations) and ``tool_config``."""
        return {
            "tools": [{"function_declarations": [to_gemini_tool(tool) for tool in tools]}],
            "tool_config": {"function_calling_config": {"mode": "ANY" if tool_required else "AUTO"}},
        }

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Tool calls in ``response`` (also the last chunk of a stream)."""
        return parse_tool_calls(response, error_on_no_tool_call)

    # ---- structured output --------------------------------------------------------------------------

    def _structured_request(self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
        """JSON output constrained by ``response_json_schema``."""
        schema = output_cls.model_json_schema()
        return {**(llm_kwargs or {}), "response_mime_type": "application/json", "response_json_schema": schema}
