"""``Ollama``: local models served by Ollama, on the official ``ollama`` SDK (imported on first use)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms.provider import ChatFirstFunctionCallingLLM
from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_llm import CheckedRequestLLM
from dovetail.core.provider_llm import RequestKeys
from dovetail.core.provider_llm import chat_metadata
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from dovetail.llms.ollama import _streaming as streams
from dovetail.llms.ollama._convert import chat_response
from dovetail.llms.ollama._convert import parse_tool_calls
from dovetail.llms.ollama._convert import to_ollama_messages
from dovetail.llms.ollama._convert import to_ollama_tool
from dovetail.llms.ollama.transport import ClientSettings
from dovetail.llms.ollama.transport import OllamaClients
from pydantic import BaseModel
from pydantic import Field
from pydantic import PrivateAttr

if TYPE_CHECKING:
    from dovetail.core.catalog import ModelInfo

__all__ = ["Ollama"]

logger = logging.getLogger(__name__)

_DEFAULT_CONTEXT_WINDOW = 3900
# Keyword arguments a call may add to ``/api/chat``; anything else raises instead of being dropped.
_REQUEST_KEYS = frozenset({"tools", "format", "options", "keep_alive", "think", "logprobs", "top_logprobs"})


class Ollama(TypedSettingsErrors, OwnsSdkClients, CheckedRequestLLM, ChatFirstFunctionCallingLLM):
    """A model served by Ollama (``ollama serve``): chat, streaming, async, tools, ``format=`` JSON schema output,
    images, thinking.

    Args:
        model: the model name as pulled, e.g. ``"llama3.2"`` or ``"qwen3:8b"``.
        base_url: the server; else ``[providers.ollama] base_url`` in ``dovetail.toml``, else ``OLLAMA_HOST``,
            else ``http://localhost:11434``.
        temperature: sampling temperature (sent as ``options.temperature``; ``None`` leaves the model's default).
        context_window: the context size: sent as ``options.num_ctx`` when set, and used for validation (else the
            catalog's value, else 3900).
        request_timeout: read timeout per request in seconds (loading a model from disk counts).
        connect_timeout: TCP connect timeout in seconds.
        keep_alive: how long the server keeps the model loaded after the call (``"5m"``, seconds, ``-1``).
        json_mode: ask for JSON output (``format="json"``).
        thinking: ask thinking models to think (``think=``); the reasoning comes back as ``ThinkingBlock`` s.
        additional_kwargs: model options sent with every call (``top_k``, ``seed``, ``num_predict``, ...).
        max_retries: retries of dovetail's retry policy (the SDK has none).
        headers: extra HTTP headers (e.g. ``Authorization`` for a hosted endpoint).
        is_function_calling_model / supports_vision: override the catalog.

    Example:
        ```python
        from dovetail.llms.ollama import Ollama

        llm = Ollama(model="llama3.2", request_timeout=120)
        print(llm.complete("Write a haiku about dovetail joints.").text)
        ```
    """

    provider_name: ClassVar[str] = "ollama"
    _request_keys: ClassVar[RequestKeys] = RequestKeys("Ollama request parameter(s)", _REQUEST_KEYS)

    model: str = Field(default="llama3.2", min_length=1)
    base_url: str | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    context_window: int | None = Field(default=None, gt=0)
    request_timeout: float = Field(default=30.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    keep_alive: float | str | None = "5m"
    json_mode: bool = False
    thinking: bool | None = None
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    max_retries: int = Field(default=3, ge=0, le=10)
    headers: dict[str, str] | None = Field(default=None, repr=False)
    is_function_calling_model: bool | None = None
    supports_vision: bool | None = None

    _clients: OllamaClients = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Build the metadata from the catalog and overrides; the SDK client is built at the first call."""
        from dovetail.llms.ollama.catalog import find_model  # pydantic models: loaded on first use

        info: ModelInfo | None = find_model(self.model)
        if info is None:
            logger.debug("model %r is not in the Ollama catalog; using defaults and overrides", self.model)
        window = self.context_window or (info.context_window if info else None) or _DEFAULT_CONTEXT_WINDOW
        self._metadata = chat_metadata(
            self.model,
            info,
            num_output=min(int(self.additional_kwargs.get("num_predict") or 256), window - 1),
            default_window=_DEFAULT_CONTEXT_WINDOW,
            context_window=self.context_window,
            is_function_calling_model=self.is_function_calling_model,
            supports_vision=self.supports_vision,
            default_vision=False,
        )
        self._clients = OllamaClients(ClientSettings.of(self), model=lambda: self.model)

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "Ollama_llm"

    def _check_call(self, messages: Sequence[ChatMessage] | None, kwargs: dict[str, Any]) -> None:
        """Message shapes Ollama can take (images by URL and documents are refused before sending)."""
        if messages is not None:
            to_ollama_messages(messages)

    # ---- request building ---------------------------------------------------------------------------

    def _options(self) -> dict[str, Any]:
        options = dict(self.additional_kwargs)
        if self.temperature is not None:
            options["temperature"] = self.temperature
        if self.context_window is not None:
            options["num_ctx"] = self.context_window
        return options

    def _params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any], stream: bool) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": to_ollama_messages(messages),
            "stream": stream,
            "keep_alive": self.keep_alive,
        }
        options = self._options()
        if options:
            params["options"] = options
        if self.json_mode:
            params["format"] = "json"
        if self.thinking is not None:
            params["think"] = self.thinking
        extra = dict(kwargs)
        if "options" in extra:
            params["options"] = {**options, **extra.pop("options")}
        params.update(extra)
        return params

    # ---- chat ---------------------------------------------------------------------------------------

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer a conversation (``POST /api/chat``)."""
        params = self._params(messages, kwargs, stream=False)
        return chat_response(self._clients.call(lambda c: c.chat(**params), operation="chat", idempotent=False))

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on the SDK's async client."""
        params = self._params(messages, kwargs, stream=False)
        done = await self._clients.acall(lambda c: c.chat(**params), operation="chat", idempotent=False)
        return chat_response(done)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; the request is sent (and retried) now, lines arrive as you iterate."""
        params = self._params(messages, kwargs, stream=True)
        stream = self._clients.open_stream(lambda c: c.chat(**params), operation="stream_chat")
        return streams.chat_stream(stream, self._map("stream_chat"))

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        params = self._params(messages, kwargs, stream=True)
        stream = await self._clients.aopen_stream(lambda c: c.chat(**params), operation="stream_chat")
        return streams.achat_stream(stream, self._map("stream_chat"))

    # ---- tools --------------------------------------------------------------------------------------

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """``tools``. Ollama has no ``tool_choice``: ``tool_required`` is checked on the answer instead
        (``get_tool_calls_from_response`` raises when there is no call)."""
        return {"tools": [to_ollama_tool(tool) for tool in tools]}

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Tool calls in ``response`` (also the last chunk of a stream)."""
        return parse_tool_calls(response, error_on_no_tool_call)

    # ---- structured output (format=<JSON schema>) ----------------------------------------------------

    def _structured_request(self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
        """``format=<JSON schema>``: the server constrains the output to it."""
        return {**(llm_kwargs or {}), "format": output_cls.model_json_schema()}
