"""``Anthropic``: Claude models on the official ``anthropic`` SDK (imported on first use)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar
from typing import TypeVar

from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms.provider import ChatFirstFunctionCallingLLM
from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_clients import check_user_http_clients
from dovetail.core.provider_llm import CheckedRequestLLM
from dovetail.core.provider_llm import RequestKeys
from dovetail.core.provider_llm import chat_metadata
from dovetail.core.provider_llm import check_output_limit
from dovetail.core.provider_settings import EmptyKeyIsUnset
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.core.tools import BaseTool
from dovetail.core.tools import ToolSelection
from dovetail.llms.anthropic import _streaming as streams
from dovetail.llms.anthropic._client import AnthropicClients
from dovetail.llms.anthropic._client import ClientSettings
from dovetail.llms.anthropic._convert import chat_response
from dovetail.llms.anthropic._convert import parse_structured
from dovetail.llms.anthropic._convert import parse_tool_calls
from dovetail.llms.anthropic._convert import structured_tool
from dovetail.llms.anthropic._convert import to_anthropic_messages
from dovetail.llms.anthropic._convert import to_anthropic_tool
from pydantic import BaseModel
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import SecretStr

if TYPE_CHECKING:
    from dovetail.core.catalog import ModelInfo

__all__ = ["Anthropic"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
_UNKNOWN_CONTEXT_WINDOW = 200_000
_UNKNOWN_MAX_OUTPUT = 8192
_DEFAULT_MAX_TOKENS = 4096
# Keyword arguments a call may add to the request (the Messages API's parameters, plus the SDK's per-request
# extras); anything else is rejected before a request is sent instead of being silently dropped.
_REQUEST_KEYS = frozenset(
    {
        "max_tokens",
        "cache_control",
        "container",
        "inference_geo",
        "metadata",
        "output_config",
        "service_tier",
        "speed",
        "stop_sequences",
        "thinking",
        "tool_choice",
        "tools",
        "user_profile_id",
        "workspace_id",
        "extra_headers",
        "extra_query",
        "extra_body",
        "timeout",
    }
)
_THINKING_TYPES = ("enabled", "adaptive", "between_tools", "disabled")
_SAMPLING = ("temperature", "top_p", "top_k")


class Anthropic(TypedSettingsErrors, EmptyKeyIsUnset, OwnsSdkClients, CheckedRequestLLM, ChatFirstFunctionCallingLLM):
    """Anthropic Claude models: sync, async (the SDK's async client), streaming, tools, vision, PDFs, extended
    thinking and prompt caching.

    Limits and capabilities come from the bundled catalog (``models.json``). Requests are validated before
    anything is sent: message shapes, images and documents, tools, the context window, ``max_tokens`` against
    the model's output limit, and the thinking budget.

    Args:
        model: model id or alias, e.g. ``"claude-sonnet-4-5"`` or ``"claude-sonnet-4-5-20250929"``.
        temperature: not supported: the Messages API of the ``anthropic`` SDK (2.16+) has no sampling
            parameters; setting it raises ``InvalidInputError`` instead of being silently dropped.
        max_tokens: output token limit; default ``min(4096, the model's output limit)``.
        thinking_dict: extended thinking, e.g. ``{"type": "enabled", "budget_tokens": 2048}`` or
            ``{"type": "adaptive"}``; the reasoning comes back as ``ThinkingBlock`` s (stream:
            ``additional_kwargs["thinking_delta"]``) and is sent back on the next turn.
        additional_kwargs: extra request parameters sent with every call (``stop_sequences``, ``output_config``,
            ``metadata``, ...); unknown ones raise ``InvalidInputError``.
        api_key: the key; else ``[providers.anthropic]`` in ``dovetail.toml``, else ``ANTHROPIC_API_KEY``.
        base_url: API base URL (``https://api.anthropic.com``; config ``base_url`` or ``ANTHROPIC_BASE_URL``).
        timeout: read timeout per request in seconds.
        connect_timeout: TCP connect timeout in seconds.
        max_retries: retries of dovetail's retry policy (429, 5xx, 529 overloaded, timeouts, connection errors;
            never other 4xx); the SDK's own retries are off.
        default_headers: extra headers sent with every request (e.g. ``anthropic-beta``).
        http_client / async_http_client: an ``httpx2.Client`` / ``httpx2.AsyncClient`` (the HTTP library of the
            anthropic SDK; proxies, mTLS); they stay open when the model is closed.
        context_window: override the catalog's context window (unknown or private models).

    Raises:
        ConfigurationError: no API key (at the first call, naming ``ANTHROPIC_API_KEY``).
        InvalidInputError: invalid settings, or a request the model cannot take (raised before sending).
        AuthenticationError / RateLimitError / ProviderError / ProviderTimeoutError / ProviderConnectionError /
            NotFoundError: mapped from the SDK with ``raise ... from``, with status and request id.

    Example:
        ```python
        from dovetail.llms.anthropic import Anthropic

        llm = Anthropic(model="claude-sonnet-4-5", max_tokens=1024)  # key from ANTHROPIC_API_KEY
        print(llm.complete("Write a haiku about dovetail joints.").text)
        ```
    """

    provider_name: ClassVar[str] = "anthropic"
    _request_keys: ClassVar[RequestKeys] = RequestKeys("Anthropic request parameter(s)", _REQUEST_KEYS)

    model: str = Field(default="claude-sonnet-4-5", min_length=1)
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, gt=0)
    thinking_dict: dict[str, Any] | None = None
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    api_key: SecretStr | None = Field(default=None, repr=False)
    base_url: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    connect_timeout: float = Field(default=5.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    http_client: Any = Field(default=None, exclude=True, repr=False)
    async_http_client: Any = Field(default=None, exclude=True, repr=False)
    context_window: int | None = Field(default=None, gt=0)

    _clients: AnthropicClients = PrivateAttr()
    _info: ModelInfo | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        """Check the settings against the catalog; the key and the SDK clients are resolved at the first call."""
        from dovetail.llms.anthropic.catalog import find_model  # pydantic models: loaded on first use

        if self.temperature is not None:
            msg = (
                "Anthropic(temperature=...) is not supported: the Messages API of the anthropic SDK has no sampling "
                "parameters. Remove temperature (steer effort with additional_kwargs={'output_config': "
                "{'effort': 'low'}})."
            )
            raise InvalidInputError(msg)
        self._check_request_keys(self.additional_kwargs, "additional_kwargs")
        check_user_http_clients("Anthropic", "httpx2", self.http_client, self.async_http_client)
        self._info = find_model(self.model)
        if self._info is None:
            logger.warning(
                "model %r is not in the Anthropic catalog; assuming a %d-token context window and a %d-token "
                "output limit. Pass context_window=... and max_tokens=... to be exact.",
                self.model,
                self.context_window or _UNKNOWN_CONTEXT_WINDOW,
                _UNKNOWN_MAX_OUTPUT,
            )
        check_output_limit(self.model, self.max_tokens, self._output_limit())
        if self.thinking_dict is not None:
            self._check_thinking(self.thinking_dict, self._max_tokens())
        self._metadata = chat_metadata(
            self.model,
            self._info,
            num_output=self._max_tokens(),
            default_window=_UNKNOWN_CONTEXT_WINDOW,
            context_window=self.context_window,
        )
        self._clients = AnthropicClients(ClientSettings.of(self))

    def _output_limit(self) -> int:
        return (self._info.max_output_tokens if self._info else None) or _UNKNOWN_MAX_OUTPUT

    def _max_tokens(self) -> int:
        return self.max_tokens or min(_DEFAULT_MAX_TOKENS, self._output_limit())

    def _check_request_keys(self, keys: Iterable[str], where: str) -> None:
        """Sampling parameters get their own message (the SDK has none); then the known request keys."""
        keys = set(keys)
        sampling = sorted(keys & set(_SAMPLING))
        if sampling:
            msg = (
                f"{', '.join(sampling)} in {where}: the Messages API of the anthropic SDK has no sampling parameters; "
                "remove them"
            )
            raise InvalidInputError(msg)
        super()._check_request_keys(keys, where)

    def _check_thinking(self, thinking: Any, max_tokens: int) -> None:
        if not isinstance(thinking, dict) or thinking.get("type") not in _THINKING_TYPES:
            msg = (
                'thinking must look like {"type": "enabled", "budget_tokens": 2048} or {"type": "adaptive"} '
                f"(types: {', '.join(_THINKING_TYPES)}); got {thinking!r}"
            )
            raise InvalidInputError(msg)
        if thinking["type"] == "disabled":
            return
        if self._info is not None and not self._info.supports_thinking:
            msg = f"model {self.model!r} has no extended thinking; remove thinking_dict or choose a Claude 4 model"
            raise InvalidInputError(msg)
        if thinking["type"] != "enabled":
            return
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1024 or budget >= max_tokens:
            msg = (
                f"thinking budget_tokens must be an int >= 1024 and below max_tokens ({max_tokens}), got {budget!r}; "
                "raise max_tokens or lower the budget"
            )
            raise InvalidInputError(msg)

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return "anthropic_llm"

    def _check_call(self, messages: Sequence[ChatMessage] | None, kwargs: dict[str, Any]) -> None:
        """``max_tokens`` within the output limit, the thinking budget, message shapes (raised before sending)."""
        max_tokens = kwargs.get("max_tokens", self._max_tokens())
        if not isinstance(max_tokens, int) or max_tokens <= 0 or max_tokens > self._output_limit():
            msg = f"max_tokens must be an int in 1..{self._output_limit()} for {self.model!r}, got {max_tokens!r}"
            raise InvalidInputError(msg)
        thinking = kwargs.get("thinking", self.thinking_dict)
        if thinking is not None:
            self._check_thinking(thinking, max_tokens)
        if messages is not None:
            to_anthropic_messages(messages)  # shapes, tool-call ids, cache points, document types

    # ---- request building ---------------------------------------------------------------------------

    def _params(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        system, turns = to_anthropic_messages(messages)
        params: dict[str, Any] = {"model": self.model, "max_tokens": self._max_tokens(), "messages": turns}
        if system:
            params["system"] = system
        if self.thinking_dict is not None:
            params["thinking"] = dict(self.thinking_dict)
        params.update(self.additional_kwargs)
        params.update(kwargs)
        return params

    # ---- chat ---------------------------------------------------------------------------------------

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer a conversation (``POST /v1/messages``)."""
        params = self._params(messages, kwargs)
        return chat_response(
            self._clients.call(lambda c: c.messages.create(**params), operation="chat", idempotent=False)
        )

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat` on the SDK's async client."""
        params = self._params(messages, kwargs)
        done = await self._clients.acall(lambda c: c.messages.create(**params), operation="chat", idempotent=False)
        return chat_response(done)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer; the request is sent (and retried) now, events arrive as you iterate."""
        params = {**self._params(messages, kwargs), "stream": True}
        stream = self._clients.call(lambda c: c.messages.create(**params), operation="stream_chat", idempotent=False)
        return streams.chat_stream(stream, self._map("stream_chat"))

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`: ``async for chunk in await llm.astream_chat(messages)``."""
        params = {**self._params(messages, kwargs), "stream": True}
        stream = await self._clients.acall(
            lambda c: c.messages.create(**params), operation="stream_chat", idempotent=False
        )
        return streams.achat_stream(stream, self._map("stream_chat"))

    # ---- tools --------------------------------------------------------------------------------------

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """``tools`` and ``tool_choice`` in Anthropic's format."""
        choice: dict[str, Any] = {"type": "any" if tool_required else "auto"}
        if not allow_parallel_tool_calls:
            choice["disable_parallel_tool_use"] = True
        return {"tools": [to_anthropic_tool(tool) for tool in tools], "tool_choice": choice}

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """Tool calls in ``response`` (also the last chunk of a stream) as :class:`ToolSelection` s."""
        return parse_tool_calls(response, error_on_no_tool_call)

    # ---- structured output (a forced tool call) ------------------------------------------------------

    def _structured_request(self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
        """A tool whose input schema is ``output_cls``, forced unless extended thinking is on."""
        tool = structured_tool(output_cls)
        thinking = (llm_kwargs or {}).get("thinking", self.thinking_dict)
        thinking_on = thinking is not None and thinking.get("type") != "disabled"
        # Extended thinking only allows tool_choice "auto"; the tool is then the only one offered.
        choice = {"type": "auto"} if thinking_on else {"type": "tool", "name": tool["name"]}
        return {**(llm_kwargs or {}), "tools": [tool], "tool_choice": choice}

    def _structured_answer(self, output_cls: type[M], response: ChatResponse, request: dict[str, Any]) -> M:
        """The input of the structured tool's call."""
        return parse_structured(output_cls, response, request["tools"][0]["name"])
