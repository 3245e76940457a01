"""The LLM callback decorators: validate the request, emit ``CBEventType.LLM`` start/end, wrap streams.

One LLM call is one event. A call made while the same LLM instance is already inside a decorated call (e.g.
``CustomLLM.chat`` delegating to ``complete``, or ``acomplete`` running ``complete`` in a worker thread) passes
straight through: no second event, no second validation. Streams end their event when exhausted, closed or
failed, with the last (accumulated) response.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextvars import ContextVar
from contextvars import Token
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventContext
from dovetail.core.callbacks import EventPayload
from dovetail.core.callbacks._manager import _current_event
from dovetail.core.callbacks._usage import usage_of
from dovetail.core.llms._streams import EventAsyncStream
from dovetail.core.llms._streams import EventStream
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import MessageRole
from dovetail.core.llms._utils import check_input
from dovetail.core.llms._utils import redact
from dovetail.core.rate_limiter import BaseRateLimiter
from dovetail.core.rate_limiter import estimate_tokens

if TYPE_CHECKING:
    from dovetail.core.llms._base import LLM

__all__ = ["is_wrapped", "llm_chat_callback", "llm_completion_callback"]

F = TypeVar("F", bound=Callable[..., Any])
_WRAPPED = "__dovetail_llm_callback__"

_active_llm: ContextVar[object | None] = ContextVar("dovetail_active_llm", default=None)


def is_wrapped(fn: Any) -> bool:
    """Whether ``fn`` already carries an LLM callback decorator."""
    return bool(getattr(fn, _WRAPPED, False))


class _Call:
    """Bookkeeping of one decorated LLM call."""

    def __init__(self, llm: LLM, chat: bool, arg: Any, kwargs: dict[str, Any]) -> None:
        self.llm = llm
        self.chat = chat
        self.arg = arg
        manager = getattr(llm, "callback_manager", None)
        self.manager: CallbackManager | None = manager if isinstance(manager, CallbackManager) else None
        self.event: EventContext | None = None
        check_input(arg, chat=chat)
        if chat:
            llm._validate_request(messages=arg, **kwargs)
        else:
            llm._validate_request(prompt=arg, **kwargs)
        if self.manager is not None and self.manager.handlers:
            self.event = EventContext(self.manager, CBEventType.LLM)
            self.event.on_start(payload=self._start_payload(kwargs))

    def _limiter_tokens(self) -> tuple[BaseRateLimiter | None, int]:
        limiter = getattr(self.llm, "rate_limiter", None)
        if limiter is None or not limiter.counts_tokens:
            return limiter, 0
        texts = [message.content or "" for message in self.arg] if self.chat else [self.arg]
        return limiter, estimate_tokens(texts)

    def throttle(self) -> None:
        """Wait for the LLM's rate limiter (if any) to allow this call."""
        limiter, tokens = self._limiter_tokens()
        if limiter is not None:
            limiter.acquire(tokens)

    async def athrottle(self) -> None:
        """Async :meth:`throttle`."""
        limiter, tokens = self._limiter_tokens()
        if limiter is not None:
            await limiter.async_acquire(tokens)

    def _start_payload(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        key = EventPayload.MESSAGES if self.chat else EventPayload.PROMPT
        try:
            model_name = self.llm.metadata.model_name
        except Exception:  # metadata of a half-configured LLM must not break the call
            model_name = "unknown"
        return {
            key: self.arg,
            EventPayload.MODEL_NAME: model_name,
            EventPayload.SERIALIZED: self.llm._serialized(),
            EventPayload.ADDITIONAL_KWARGS: redact(kwargs),
        }

    def __enter__(self) -> _Call:
        self._tokens = self.enter()
        return self

    def __exit__(self, typ: object, error: BaseException | None, tb: object) -> None:
        if error is not None:
            self.finish(None, error)
        self.exit(self._tokens)

    def enter(self) -> tuple[Token[object | None], Token[str] | None]:
        event_token = _current_event.set(self.event.event_id) if self.event is not None else None
        return _active_llm.set(self.llm), event_token

    @staticmethod
    def exit(tokens: tuple[Token[object | None], Token[str] | None]) -> None:
        active_token, event_token = tokens
        if event_token is not None:
            _current_event.reset(event_token)
        _active_llm.reset(active_token)

    def finish(self, response: Any, error: BaseException | None = None) -> None:
        if self.event is None or self.event.finished:
            return
        if response is None and error is None:
            response = self._empty()
        payload: dict[str, Any] = {}
        if self.chat:
            payload[EventPayload.MESSAGES] = self.arg
            payload[EventPayload.RESPONSE] = response
        else:
            payload[EventPayload.PROMPT] = self.arg
            payload[EventPayload.COMPLETION] = response
        usage = usage_of(response)
        if usage is not None:
            payload[EventPayload.USAGE] = usage
        if error is not None:
            payload[EventPayload.EXCEPTION] = error
        self.event.on_end(payload=payload)

    def _empty(self) -> Any:
        if self.chat:
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=""), delta="")
        return CompletionResponse(text="", delta="")

    def result(self, value: Any) -> Any:
        """End the event for a plain response, or wrap a stream so the event ends with it."""
        if isinstance(value, (ChatResponse, CompletionResponse)):
            self.finish(value)
            return value
        if hasattr(value, "__anext__"):
            return EventAsyncStream(value, self)
        if isinstance(value, Iterator):
            return EventStream(value, self)
        self.finish(value)
        return value


def _decorate(fn: F, chat: bool) -> F:
    if is_wrapped(fn):
        return fn

    def _first(args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
        name = "messages" if chat else "prompt"
        if args:
            return args[0], tuple(args[1:]), kwargs
        kwargs = dict(kwargs)
        return kwargs.pop(name, None), (), kwargs

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _active_llm.get() is self:
            return fn(self, *args, **kwargs)
        arg, rest, extra = _first(args, kwargs)
        with _Call(self, chat, arg, extra) as event:
            event.throttle()
            value = fn(self, arg, *rest, **extra)
        return event.result(value)

    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def agen_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _active_llm.get() is self:
                return fn(self, *args, **kwargs)
            arg, rest, extra = _first(args, kwargs)
            with _Call(self, chat, arg, extra) as event:
                await event.athrottle()
                value = fn(self, arg, *rest, **extra)
            return event.result(value)  # the async generator, wrapped like a sync call's value

        wrapper: Any = agen_wrapper
    elif inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if _active_llm.get() is self:
                return await fn(self, *args, **kwargs)
            arg, rest, extra = _first(args, kwargs)
            with _Call(self, chat, arg, extra) as event:
                await event.athrottle()
                value = await fn(self, arg, *rest, **extra)
            return event.result(value)

        wrapper = async_wrapper
    else:
        wrapper = functools.wraps(fn)(call)
    setattr(wrapper, _WRAPPED, True)
    return wrapper  # type: ignore[no-any-return]


def llm_completion_callback() -> Callable[[F], F]:
    """Decorate ``complete``/``stream_complete``/``acomplete``/``astream_complete`` of an LLM.

    The decorated method validates the request (``LLM._validate_request``) and emits one ``CBEventType.LLM``
    event: start with ``PROMPT``, ``MODEL_NAME``, ``SERIALIZED``; end with ``COMPLETION`` and ``USAGE``.
    ``LLM`` subclasses get this applied automatically to undecorated overrides.
    """

    def decorator(fn: F) -> F:
        return _decorate(fn, chat=False)

    return decorator


def llm_chat_callback() -> Callable[[F], F]:
    """Decorate ``chat``/``stream_chat``/``achat``/``astream_chat`` of an LLM.

    The decorated method validates the request and emits one ``CBEventType.LLM`` event: start with
    ``MESSAGES``, ``MODEL_NAME``, ``SERIALIZED``; end with ``RESPONSE`` and ``USAGE``.
    ``LLM`` subclasses get this applied automatically to undecorated overrides.
    """

    def decorator(fn: F) -> F:
        return _decorate(fn, chat=True)

    return decorator
