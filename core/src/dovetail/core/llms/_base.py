"""The ``LLM`` base class: the contract every LLM integration implements, plus predict/structured helpers."""

from __future__ import annotations

import importlib
import inspect
import logging
from abc import abstractmethod
from collections.abc import AsyncGenerator
from collections.abc import Callable
from collections.abc import Generator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.callbacks import CallbackManager
from dovetail.core.llms._callbacks import is_wrapped
from dovetail.core.llms._callbacks import llm_chat_callback
from dovetail.core.llms._callbacks import llm_completion_callback
from dovetail.core.llms._programs import FUNCTION_MODES
from dovetail.core.llms._programs import PydanticProgramMode
from dovetail.core.llms._programs import check_output_parser
from dovetail.core.llms._programs import check_program_mode
from dovetail.core.llms._programs import check_query_wrapper_prompt
from dovetail.core.llms._programs import function_answer
from dovetail.core.llms._programs import function_request
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseAsyncGen
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseAsyncGen
from dovetail.core.llms._types import CompletionResponseGen
from dovetail.core.llms._types import LLMMetadata
from dovetail.core.llms._types import MessageRole
from dovetail.core.llms._utils import messages_to_prompt
from dovetail.core.llms._utils import parse_json_answer
from dovetail.core.llms._utils import redact
from dovetail.core.llms._utils import validate_request
from dovetail.core.rate_limiter import BaseRateLimiter
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator

if TYPE_CHECKING:
    from dovetail.core.llms._structured_llm import StructuredLLM
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["LLM"]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

_COMPLETION_METHODS = ("complete", "stream_complete", "acomplete", "astream_complete")
_CHAT_METHODS = ("chat", "stream_chat", "achat", "astream_chat")


def _default_callback_manager() -> CallbackManager:
    """``Settings.callback_manager`` when the settings module is available, else a fresh manager."""
    try:
        settings = importlib.import_module("dovetail.core.settings")  # imported late: settings imports llms
    except ImportError:
        return CallbackManager()
    manager = getattr(getattr(settings, "Settings", None), "callback_manager", None)
    return manager if isinstance(manager, CallbackManager) else CallbackManager()


class LLM(KeywordCheckedModel):
    """Base class of every LLM: completion and chat, sync and async, plain and streaming.

    Subclasses implement ``metadata`` and the eight call methods (or subclass :class:`CustomLLM` and implement
    only ``metadata``, ``complete`` and ``stream_complete``). Overrides of the call methods are wrapped with
    :func:`llm_completion_callback` / :func:`llm_chat_callback` automatically, so every call validates its
    request (:meth:`_validate_request`) and emits one ``CBEventType.LLM`` event.

    Args:
        callback_manager: where events go (default, or ``None``: ``Settings.callback_manager``).
        system_prompt: prepended to prompts by ``predict``/``stream``/``structured_predict``.
        messages_to_prompt: turns chat messages into a completion prompt.
        completion_to_prompt: wraps a completion prompt in a model's template (``predict`` applies it).
        rate_limiter: every call first waits for it (see :mod:`dovetail.core.rate_limiter`); share one between
            the models of one provider account.
        output_parser: ``predict``/``apredict`` add its format instructions to the prompt and return
            ``str(output_parser.parse(answer))``; ``stream``/``astream`` refuse to run with one.
        query_wrapper_prompt: a template with ``{query_str}`` that wraps completion prompts (after
            ``system_prompt``), e.g. a model's instruction format.
        pydantic_program_mode: how ``structured_predict`` asks: ``"default"`` (the provider's structured-output
            request when it has one, else format instructions), ``"llm"`` (format instructions and a parser,
            always), ``"function"``/``"openai"`` (a tool call with the output class as its arguments).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    callback_manager: CallbackManager = Field(default_factory=_default_callback_manager, exclude=True, repr=False)
    system_prompt: str | None = Field(default=None, description="system prompt used by predict helpers")
    messages_to_prompt: Callable[[Sequence[ChatMessage]], str] = Field(
        default=messages_to_prompt, exclude=True, repr=False
    )
    completion_to_prompt: Callable[[str], str] | None = Field(default=None, exclude=True, repr=False)
    rate_limiter: BaseRateLimiter | None = Field(default=None, exclude=True, repr=False)
    output_parser: Any | None = Field(default=None, exclude=True, repr=False)
    query_wrapper_prompt: Any | None = Field(default=None, exclude=True, repr=False)
    pydantic_program_mode: PydanticProgramMode = Field(default=PydanticProgramMode.DEFAULT)

    @field_validator("output_parser")
    @classmethod
    def _check_output_parser(cls, value: Any) -> Any:
        return check_output_parser(value)

    @field_validator("query_wrapper_prompt")
    @classmethod
    def _check_query_wrapper_prompt(cls, value: Any) -> Any:
        return check_query_wrapper_prompt(value)

    @field_validator("pydantic_program_mode")
    @classmethod
    def _check_program_mode(cls, value: PydanticProgramMode) -> PydanticProgramMode:
        return check_program_mode(value)

    @field_validator("callback_manager", mode="before")
    @classmethod
    def _none_is_default_manager(cls, value: Any) -> Any:
        return _default_callback_manager() if value is None else value

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Wrap undecorated call methods (also ones inherited from mixins) so that every call is validated and
        # observed exactly once, whether or not the integration remembered the decorators.
        for names, decorator in ((_COMPLETION_METHODS, llm_completion_callback), (_CHAT_METHODS, llm_chat_callback)):
            for name in names:
                fn = inspect.getattr_static(cls, name, None)
                if inspect.isfunction(fn) and not is_wrapped(fn) and not getattr(fn, "__isabstractmethod__", False):
                    setattr(cls, name, decorator()(fn))

    @classmethod
    def class_name(cls) -> str:
        """Name used in serialized payloads."""
        return cls.__name__

    @property
    @abstractmethod
    def metadata(self) -> LLMMetadata:
        """Context window, output size, capabilities and model name."""

    def _validate_request(
        self,
        *,
        prompt: str | None = None,
        messages: Sequence[ChatMessage] | None = None,
        tools: Any = None,
        **kwargs: Any,
    ) -> None:
        """Called before every provider call; raise ``InvalidInputError`` to refuse a request.

        The default checks the request against :attr:`metadata` (see
        :func:`dovetail.core.llms._utils.validate_request`); override to add provider limits, or to skip.
        """
        validate_request(self.metadata, prompt=prompt, messages=messages, tools=tools, **kwargs)

    def _serialized(self) -> dict[str, Any]:
        """Configuration for event payloads: an allow-list of plain settings, never secrets, headers or callables.

        Only fields shown in ``repr`` whose values are ``None``, strings, numbers, bools or lists of those, and
        whose names do not look secret (``api_key``, ``token``, ``password`` ...) are kept; dict fields such as
        ``default_headers`` are left out whole (see :func:`dovetail.core.llms._utils.redact`).
        """
        out: dict[str, Any] = {"class_name": self.class_name()}
        fields = {
            name: getattr(self, name, None)
            for name, field in type(self).model_fields.items()
            if not field.exclude and field.repr and not callable(getattr(self, name, None))
        }
        out.update(redact(fields))
        return out

    # -- the contract ---------------------------------------------------------------------------------

    @abstractmethod
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete ``prompt``. ``formatted=True`` means ``completion_to_prompt`` was already applied."""

    @abstractmethod
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """Stream the completion of ``prompt``: each chunk has the text so far and the new ``delta``."""

    @abstractmethod
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer a conversation."""

    @abstractmethod
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer to a conversation."""

    @abstractmethod
    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""

    @abstractmethod
    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`: ``async for chunk in await llm.astream_complete(prompt)``."""

    @abstractmethod
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""

    @abstractmethod
    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`: ``async for chunk in await llm.astream_chat(messages)``."""

    # -- prompt helpers -------------------------------------------------------------------------------

    def _extend_messages(self, messages: list[ChatMessage]) -> list[ChatMessage]:
        if self.system_prompt:
            role = self.metadata.system_role
            messages = [ChatMessage(role=role, content=self.system_prompt), *messages]
        return messages

    def _extend_prompt(self, prompt: str) -> str:
        if self.system_prompt:
            prompt = f"{self.system_prompt}\n\n{prompt}"
        if self.query_wrapper_prompt is not None:
            prompt = self.query_wrapper_prompt.format(query_str=prompt)
        if self.completion_to_prompt is not None:
            prompt = self.completion_to_prompt(prompt)
        return prompt

    def _as_template(self, prompt: BasePromptTemplate | str) -> BasePromptTemplate:
        from dovetail.core.prompts import PromptTemplate

        return PromptTemplate(prompt) if isinstance(prompt, str) else prompt

    def _chat_input(self, prompt: BasePromptTemplate | str, prompt_args: dict[str, Any]) -> list[ChatMessage]:
        return self._extend_messages(self._as_template(prompt).format_messages(**prompt_args))

    def _predict_messages(self, prompt: BasePromptTemplate | str, prompt_args: dict[str, Any]) -> list[ChatMessage]:
        messages = self._as_template(prompt).format_messages(**prompt_args)
        if self.output_parser is not None:
            messages = self.output_parser.format_messages(messages)
        return self._extend_messages(list(messages))

    def _predict_prompt(self, prompt: BasePromptTemplate | str, prompt_args: dict[str, Any]) -> str:
        formatted = self._as_template(prompt).format(**prompt_args)
        if self.output_parser is not None:
            formatted = self.output_parser.format(formatted)
        return self._extend_prompt(formatted)

    def _parse_output(self, output: str) -> str:
        return str(self.output_parser.parse(output)) if self.output_parser is not None else output

    def predict(self, prompt: BasePromptTemplate | str, **prompt_args: Any) -> str:
        """Format ``prompt`` with ``prompt_args`` and return the model's text (chat or completion by metadata);
        with an :attr:`output_parser`, its format instructions are added and its parse of the answer returned."""
        if self.metadata.is_chat_model:
            output = self.chat(self._predict_messages(prompt, prompt_args)).message.content or ""
        else:
            output = self.complete(self._predict_prompt(prompt, prompt_args), formatted=True).text
        return self._parse_output(output)

    async def apredict(self, prompt: BasePromptTemplate | str, **prompt_args: Any) -> str:
        """Async :meth:`predict`."""
        if self.metadata.is_chat_model:
            response = await self.achat(self._predict_messages(prompt, prompt_args))
            output = response.message.content or ""
        else:
            output = (await self.acomplete(self._predict_prompt(prompt, prompt_args), formatted=True)).text
        return self._parse_output(output)

    def _refuse_stream_parsing(self, prompt: BasePromptTemplate | str) -> None:
        if self.output_parser is not None or getattr(prompt, "output_parser", None) is not None:
            msg = (
                "an output parser cannot parse a stream of deltas (LlamaIndex refuses it too); call predict() to "
                "get the parsed answer, or stream with a prompt and LLM that have no output_parser"
            )
            raise NotImplementedError(msg)

    def stream(self, prompt: BasePromptTemplate | str, **prompt_args: Any) -> Generator[str, None, None]:
        """Like :meth:`predict`, yielding text deltas as they arrive.

        Raises:
            NotImplementedError: the LLM or the prompt has an ``output_parser`` (checked before any request).
        """
        self._refuse_stream_parsing(prompt)
        if self.metadata.is_chat_model:
            chat_stream = self.stream_chat(self._predict_messages(prompt, prompt_args))
            return (chunk.delta or "" for chunk in chat_stream)
        completion_stream = self.stream_complete(self._predict_prompt(prompt, prompt_args), formatted=True)
        return (chunk.delta or "" for chunk in completion_stream)

    async def astream(self, prompt: BasePromptTemplate | str, **prompt_args: Any) -> AsyncGenerator[str, None]:
        """Async :meth:`stream`: ``async for delta in await llm.astream(prompt)``."""
        self._refuse_stream_parsing(prompt)
        if self.metadata.is_chat_model:
            chat_stream = await self.astream_chat(self._predict_messages(prompt, prompt_args))
            return (chunk.delta or "" async for chunk in chat_stream)
        completion_stream = await self.astream_complete(self._predict_prompt(prompt, prompt_args), formatted=True)
        return (chunk.delta or "" async for chunk in completion_stream)

    # -- structured output ----------------------------------------------------------------------------

    def stream_structured_predict(
        self,
        output_cls: type[M],
        prompt: BasePromptTemplate | str,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[M, None, None]:
        """LlamaIndex's streaming :meth:`structured_predict`: yields the finished ``output_cls`` instance once
        (partial objects are not produced; see docs/DECISIONS.md, "Structured LLMs and pydantic programs")."""
        yield self.structured_predict(output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args)

    async def astream_structured_predict(
        self,
        output_cls: type[M],
        prompt: BasePromptTemplate | str,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[M, None]:
        """Async :meth:`stream_structured_predict`: ``async for obj in await llm.astream_structured_predict(...)``."""
        output = await self.astructured_predict(output_cls, prompt, llm_kwargs=llm_kwargs, **prompt_args)

        async def once() -> AsyncGenerator[M, None]:
            yield output

        return once()

    def as_structured_llm(self, output_cls: type[BaseModel], **kwargs: Any) -> StructuredLLM:
        """This LLM answering every chat and completion with an ``output_cls`` instance (see
        :class:`~dovetail.core.llms.StructuredLLM`); ``kwargs`` are its other fields (``callback_manager``, ...)."""
        from dovetail.core.llms._structured_llm import StructuredLLM

        return StructuredLLM(llm=self, output_cls=output_cls, **kwargs)

    def _structured_input(
        self, output_cls: type[BaseModel], prompt: BasePromptTemplate | str, prompt_args: dict[str, Any]
    ) -> Any:
        from dovetail.core.output_parsers import PydanticOutputParser

        parser = PydanticOutputParser(output_cls)
        query = self._as_template(prompt).format(**prompt_args)
        return parser, parser.format(query)

    def _structured_request(
        self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """``chat`` keyword arguments that make the provider answer in ``output_cls``'s schema (its native
        structured-output request); ``None`` (the default) uses format instructions and an output parser."""
        return None

    def _native_structured_request(
        self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        if self.pydantic_program_mode is PydanticProgramMode.LLM:
            return None  # format instructions and a parser, whatever the provider offers
        return self._structured_request(output_cls, llm_kwargs)

    def _structured_answer(self, output_cls: type[M], response: ChatResponse, request: dict[str, Any]) -> M:
        """The ``output_cls`` instance in the answer to a :meth:`_structured_request`: by default the message
        text as JSON (``OutputParserError`` when it does not fit)."""
        return parse_json_answer(output_cls, response)

    def structured_predict(
        self,
        output_cls: type[M],
        prompt: BasePromptTemplate | str,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> M:
        """Answer ``prompt`` as an instance of ``output_cls``, asked as :attr:`pydantic_program_mode` says.

        ``"function"``/``"openai"``: one required call of a tool whose arguments are ``output_cls`` (a
        ``ConfigurationError`` for a model that cannot call tools). ``"default"``: a provider with a native
        structured-output request (:meth:`_structured_request`) is asked through ``chat`` with it. Otherwise
        (and always with ``"llm"``) JSON format instructions with the model's JSON schema are appended and the
        answer is parsed with :class:`~dovetail.core.output_parsers.PydanticOutputParser`; either way an answer
        that does not fit raises ``OutputParserError`` with the raw text.
        """
        if self.pydantic_program_mode in FUNCTION_MODES:
            tools_request = function_request(self, output_cls, self._chat_input(prompt, prompt_args), llm_kwargs)
            return function_answer(self, output_cls, self.chat_with_tools(**tools_request))  # type: ignore[attr-defined]
        request = self._native_structured_request(output_cls, llm_kwargs)
        if request is not None:
            response = self.chat(self._chat_input(prompt, prompt_args), **request)
            return self._structured_answer(output_cls, response, request)
        parser, query = self._structured_input(output_cls, prompt, prompt_args)
        if self.metadata.is_chat_model:
            messages = self._extend_messages([ChatMessage(role=MessageRole.USER, content=query)])
            text = self.chat(messages, **(llm_kwargs or {})).message.content or ""
        else:
            text = self.complete(self._extend_prompt(query), formatted=True, **(llm_kwargs or {})).text
        return parser.parse(text)  # type: ignore[no-any-return]

    async def astructured_predict(
        self,
        output_cls: type[M],
        prompt: BasePromptTemplate | str,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> M:
        """Async :meth:`structured_predict`."""
        if self.pydantic_program_mode in FUNCTION_MODES:
            tools_request = function_request(self, output_cls, self._chat_input(prompt, prompt_args), llm_kwargs)
            response = await self.achat_with_tools(**tools_request)  # type: ignore[attr-defined]
            return function_answer(self, output_cls, response)
        request = self._native_structured_request(output_cls, llm_kwargs)
        if request is not None:
            response = await self.achat(self._chat_input(prompt, prompt_args), **request)
            return self._structured_answer(output_cls, response, request)
        parser, query = self._structured_input(output_cls, prompt, prompt_args)
        if self.metadata.is_chat_model:
            messages = self._extend_messages([ChatMessage(role=MessageRole.USER, content=query)])
            text = (await self.achat(messages, **(llm_kwargs or {}))).message.content or ""
        else:
            completion = await self.acomplete(self._extend_prompt(query), formatted=True, **(llm_kwargs or {}))
            text = completion.text
        return parser.parse(text)  # type: ignore[no-any-return]
