"""Plumbing shared by the chat-first provider LLMs (Anthropic, Gemini, Ollama, OpenAI).

- :func:`built`: a pydantic model instance from already-valid values, without validation (the hot path of a
  stream builds one response per chunk); :func:`stream_response`: one response of a chat stream built that way.
- :func:`chat_to_completion` / :func:`achat_to_completion`: a chat stream seen as a completion stream.
- :func:`fold_stream` / :func:`afold_stream`: drive an SDK stream through a per-chunk fold, mapping SDK errors
  and closing the stream when asked; :class:`StreamFold`: the per-stream state those folds keep, with
  ``stream``/``astream`` entry points.
- :func:`parse_json_answer`: a JSON-schema answer as its pydantic model, or ``OutputParserError`` (defined in
  ``_utils``; the default answer parser of ``LLM._structured_answer``).
- :func:`tool_calls_in`: the raw tool calls of a response, or the documented error when there are none.
- :class:`FirstToolCallMixin`: keeps only the first tool call unless ``allow_parallel_tool_calls``.
- :class:`ToolRequestMixin`: ``_prepare_chat_with_tools`` as ``messages`` plus the provider's tool fields.
- :class:`ChatFirstFunctionCallingLLM`: a :class:`FunctionCallingLLM` whose ``complete`` family sends the prompt
  as one user message through the ``chat`` family.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import AsyncGenerator
from collections.abc import AsyncIterable
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Generator
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import ClassVar
from typing import Generic
from typing import TypeVar
from typing import cast

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.llms._function_calling import FunctionCallingLLM
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseAsyncGen
from dovetail.core.llms._types import CompletionResponseGen
from dovetail.core.llms._types import MessageRole
from dovetail.core.llms._types import TextBlock
from dovetail.core.llms._utils import parse_json_answer
from dovetail.core.tools import BaseTool

__all__ = [
    "ChatFirstFunctionCallingLLM",
    "FirstToolCallMixin",
    "StreamFold",
    "ToolRequestMixin",
    "achat_to_completion",
    "afold_stream",
    "built",
    "chat_to_completion",
    "completion_of",
    "fold_stream",
    "parse_json_answer",
    "stream_response",
    "tool_calls_in",
]

T = TypeVar("T")
R = TypeVar("R")

_new = object.__new__
_set = object.__setattr__
_COMPLETION_FIELDS = frozenset({"text", "raw", "delta", "additional_kwargs"})


def built(cls: type[T], values: dict[str, Any], fields_set: frozenset[str]) -> T:
    """What ``cls.model_construct(**values)`` returns, without its per-field default handling: every field must
    be given in ``values`` (``fields_set`` names the ones counted as set)."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(fields_set))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


_TEXT_FIELDS = frozenset({"text"})
_MESSAGE_FIELDS = frozenset({"role", "blocks", "additional_kwargs"})
_RESPONSE_FIELDS = frozenset({"message", "raw", "delta", "additional_kwargs"})
_ASSISTANT = MessageRole.ASSISTANT


def stream_response(
    blocks: list[Any], text: str, message_extra: dict[str, Any], delta: str, extra: dict[str, Any], raw: Any
) -> ChatResponse:
    """One response of a chat stream: the assistant message so far (``blocks``, then a text block with ``text``
    when there is any, ``message_extra`` as its ``additional_kwargs``), this chunk's ``delta`` and ``raw``, and
    ``extra`` as the response's ``additional_kwargs``. Built without validation (:func:`built`): one per chunk.
    """
    content = [*blocks, built(TextBlock, {"block_type": "text", "text": text}, _TEXT_FIELDS)] if text else [*blocks]
    values = {"role": _ASSISTANT, "additional_kwargs": message_extra, "blocks": content}
    message = built(ChatMessage, values, _MESSAGE_FIELDS)
    response = {"message": message, "raw": raw, "delta": delta, "logprobs": None, "additional_kwargs": extra}
    return built(ChatResponse, response, _RESPONSE_FIELDS)


def completion_of(chat: ChatResponse) -> CompletionResponse:
    """``chat`` as a completion response: the message text, with the same raw, delta and extras."""
    values = {
        "text": chat.message.content or "",
        "raw": chat.raw,
        "delta": chat.delta,
        "logprobs": None,
        "additional_kwargs": chat.additional_kwargs,
    }
    return built(CompletionResponse, values, _COMPLETION_FIELDS)


def chat_to_completion(chats: Iterator[ChatResponse]) -> CompletionResponseGen:
    """A chat stream seen as a completion stream (``stream_complete``)."""
    for chat in chats:
        yield completion_of(chat)


async def achat_to_completion(chats: AsyncIterator[ChatResponse]) -> CompletionResponseAsyncGen:
    """Async :func:`chat_to_completion`."""
    async for chat in chats:
        yield completion_of(chat)


def tool_calls_in(response: ChatResponse, error_on_no_tool_call: bool = True) -> list[Any]:
    """The raw tool calls in ``response.message.additional_kwargs['tool_calls']`` (``[]`` when there are none).

    Raises:
        InvalidInputError: no tool call and ``error_on_no_tool_call``.
    """
    calls: list[Any] = response.message.additional_kwargs.get("tool_calls") or []
    if not calls and error_on_no_tool_call:
        msg = "the model answered without calling a tool; pass tool_required=True or error_on_no_tool_call=False"
        raise InvalidInputError(msg)
    return calls


class FirstToolCallMixin:
    """``_validate_chat_with_tools_response`` that keeps only the first tool call unless parallel calls are
    allowed (for providers that may answer with several calls anyway). List it before the LLM base class."""

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls are allowed."""
        calls = response.message.additional_kwargs.get("tool_calls") or []
        if not allow_parallel_tool_calls and len(calls) > 1:
            response.message.additional_kwargs["tool_calls"] = calls[:1]
        return response


class ToolRequestMixin:
    """``_prepare_chat_with_tools`` for providers: the ``chat`` keyword arguments are the caller's ``kwargs``,
    ``messages`` (``chat_history`` then ``user_msg``) and, when there are tools, the fields
    :meth:`_tool_request` returns. List it before the LLM base class."""

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """``chat`` keyword arguments: messages plus the provider's tool fields."""
        out: dict[str, Any] = {"messages": FunctionCallingLLM._messages(user_msg, chat_history), **kwargs}
        if tools:
            out.update(self._tool_request(tools, tool_required, allow_parallel_tool_calls))
        return out

    @abstractmethod
    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        """The request fields that offer ``tools`` (at least one) in the provider's format."""


class ChatFirstFunctionCallingLLM(ToolRequestMixin, FirstToolCallMixin, FunctionCallingLLM):
    """A tool-calling LLM built on ``chat``: ``complete`` and its twins send the prompt as one user message.

    Subclasses implement ``chat``, ``achat``, ``stream_chat``, ``astream_chat``, ``metadata``,
    ``_tool_request`` and ``get_tool_calls_from_response``; a provider with a native structured-output request
    implements ``LLM._structured_request`` (and ``LLM._structured_answer`` when the answer is not JSON text).
    """

    @staticmethod
    def _user(prompt: str) -> list[ChatMessage]:
        return [ChatMessage(role=MessageRole.USER, content=prompt)]

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Complete ``prompt`` (sent as one user message)."""
        answer = self.chat(self._user(prompt), **kwargs)
        return CompletionResponse(text=answer.text, raw=answer.raw, additional_kwargs=answer.additional_kwargs)

    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""
        answer = await self.achat(self._user(prompt), **kwargs)
        return CompletionResponse(text=answer.text, raw=answer.raw, additional_kwargs=answer.additional_kwargs)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """Stream the completion of ``prompt``."""
        return chat_to_completion(self.stream_chat(self._user(prompt), **kwargs))

    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        return achat_to_completion(await self.astream_chat(self._user(prompt), **kwargs))


def fold_stream(
    stream: Iterable[Any],
    fold: Callable[[Any], Iterable[R]],
    map_error: Callable[[Exception], BaseException],
    final: Callable[[], R | None] | None = None,
    *,
    close: bool = False,
) -> Generator[R, None, None]:
    """Responses from a sync SDK stream: ``fold`` turns each chunk into zero or more responses; an SDK error
    becomes ``map_error(exc)``, raised without ``__cause__`` or ``__context__`` (the SDK exception may carry the
    request); ``final`` (when given) yields the closing response once the stream ends, unless it returns
    ``None``. With ``close``, the stream's ``close()`` is called when it ends, fails or is abandoned (SDK streams
    that hold a connection)."""
    error: BaseException | None = None
    try:
        for chunk in stream:
            yield from fold(chunk)
    except Exception as exc:
        error = map_error(exc)
    finally:
        if close:
            cast("Any", stream).close()
    if error is not None:
        raise error  # outside the except block: no implicit __context__ pointing at the SDK's exception
    last = final() if final is not None else None
    if last is not None:
        yield last


async def afold_stream(
    stream: AsyncIterable[Any],
    fold: Callable[[Any], Iterable[R]],
    map_error: Callable[[Exception], BaseException],
    final: Callable[[], R | None] | None = None,
    *,
    close: bool = False,
) -> AsyncGenerator[R, None]:
    """Async :func:`fold_stream` (``close`` awaits the stream's ``close()``)."""
    error: BaseException | None = None
    try:
        async for chunk in stream:
            for response in fold(chunk):
                yield response
    except Exception as exc:
        error = map_error(exc)
    finally:
        if close:
            await cast("Any", stream).close()
    if error is not None:
        raise error  # outside the except block: no implicit __context__ pointing at the SDK's exception
    last = final() if final is not None else None
    if last is not None:
        yield last


class StreamFold(Generic[R]):
    """The state of one SDK stream while it is folded into responses.

    Subclasses implement :meth:`fold` (and :meth:`final` when the stream ends with a closing response, e.g. the
    usage); :meth:`stream` and :meth:`astream` drive a fresh state over an SDK stream with :func:`fold_stream` /
    :func:`afold_stream`. Set ``close_stream`` for SDK streams that hold a connection until closed.
    """

    __slots__ = ()
    close_stream: ClassVar[bool] = False

    def fold(self, chunk: Any) -> Iterable[R]:
        """The responses for one SDK chunk (none when it carries nothing to show)."""
        raise NotImplementedError

    def final(self) -> R | None:
        """The closing response once the stream has ended (``None``: there is none)."""
        return None

    @classmethod
    def stream(cls, stream: Iterable[Any], map_error: Callable[[Exception], BaseException]) -> Generator[R, None, None]:
        """Responses from a sync SDK stream; SDK errors become ``map_error(exc)``."""
        state = cls()
        return fold_stream(stream, state.fold, map_error, state.final, close=cls.close_stream)

    @classmethod
    def astream(
        cls, stream: AsyncIterable[Any], map_error: Callable[[Exception], BaseException]
    ) -> AsyncGenerator[R, None]:
        """Async :meth:`stream`."""
        state = cls()
        return afold_stream(stream, state.fold, map_error, state.final, close=cls.close_stream)
