"""The callback manager: dispatches events to handlers and tracks trace/span ids in contextvars.

The current trace and the current event id live in :mod:`contextvars`, so nesting is right in asyncio tasks (a
task inherits the context it was created in) and in worker threads started through
:func:`dovetail.core.concurrency.run_in_thread` or ``contextvars.copy_context().run``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from contextvars import Token
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from dovetail.core.callbacks._base import BaseCallbackHandler
from dovetail.core.callbacks._schema import BASE_TRACE_EVENT
from dovetail.core.callbacks._schema import CBEventType
from dovetail.core.callbacks._schema import EventPayload

__all__ = ["CallbackManager", "EventContext", "current_event_id", "current_trace_id"]

logger = logging.getLogger(__name__)


@dataclass
class _Trace:
    trace_id: str
    trace_map: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    token: Token[_Trace | None] | None = None

    def link(self, parent_id: str, event_id: str) -> None:
        with self.lock:
            self.trace_map.setdefault(parent_id, []).append(event_id)

    def snapshot(self) -> dict[str, list[str]]:
        with self.lock:
            return {parent: list(children) for parent, children in self.trace_map.items()}


_current_trace: ContextVar[_Trace | None] = ContextVar("dovetail_trace", default=None)
_current_event: ContextVar[str] = ContextVar("dovetail_event", default=BASE_TRACE_EVENT)


def current_trace_id() -> str | None:
    """Id of the trace active in this context, if any."""
    trace = _current_trace.get()
    return trace.trace_id if trace else None


def current_event_id() -> str:
    """Id of the innermost open event in this context (``"root"`` outside any event)."""
    return _current_event.get()


class CallbackManager:
    """Dispatches events to a list of handlers.

    Handler errors are logged and swallowed: observability never breaks the application.

    Args:
        handlers: the handlers to notify.

    Example:
        ```python
        manager = CallbackManager([TokenCountingHandler()])
        with manager.as_trace("query"):
            with manager.event(CBEventType.RETRIEVE, payload={EventPayload.QUERY_STR: "q"}) as event:
                nodes = ...
                event.on_end(payload={EventPayload.NODES: nodes})
        ```
    """

    def __init__(self, handlers: Iterable[BaseCallbackHandler] | None = None) -> None:
        self.handlers: list[BaseCallbackHandler] = list(handlers or [])

    def __repr__(self) -> str:
        return f"CallbackManager(handlers=[{', '.join(type(h).__name__ for h in self.handlers)}])"

    def add_handler(self, handler: BaseCallbackHandler) -> None:
        """Add a handler (once)."""
        if handler not in self.handlers:
            self.handlers.append(handler)

    def remove_handler(self, handler: BaseCallbackHandler) -> None:
        """Remove a handler; a handler that is not registered is ignored."""
        if handler in self.handlers:
            self.handlers.remove(handler)

    def set_handlers(self, handlers: Iterable[BaseCallbackHandler]) -> None:
        """Replace all handlers."""
        self.handlers = list(handlers)

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str | None = None,
        parent_id: str | None = None,
        **kwargs: Any,
    ) -> str:
        """Announce the start of an event and return its id; the parent defaults to the current event."""
        event_id = event_id or uuid.uuid4().hex
        if not self.handlers:
            return event_id
        parent_id = parent_id or _current_event.get()
        trace = _current_trace.get()
        if trace is not None:
            trace.link(parent_id, event_id)
        for handler in self.handlers:
            if event_type in handler.event_starts_to_ignore:
                continue
            try:
                handler.on_event_start(event_type, payload, event_id=event_id, parent_id=parent_id, **kwargs)
            except Exception:
                logger.exception("callback handler %s failed on start of %s", type(handler).__name__, event_type)
        return event_id

    def on_event_end(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Announce the end of an event."""
        if not self.handlers:
            return
        event_id = event_id or uuid.uuid4().hex
        for handler in self.handlers:
            if event_type in handler.event_ends_to_ignore:
                continue
            try:
                handler.on_event_end(event_type, payload, event_id=event_id, **kwargs)
            except Exception:
                logger.exception("callback handler %s failed on end of %s", type(handler).__name__, event_type)

    @contextmanager
    def event(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str | None = None,
    ) -> Iterator[EventContext]:
        """Open an event for the duration of the block; events started inside become its children.

        Call ``on_end(payload=...)`` on the yielded context to attach results; when the block raises, the
        event ends with ``EventPayload.EXCEPTION`` and the exception propagates.
        """
        context = EventContext(self, event_type, event_id=event_id)
        context.on_start(payload=payload)
        token = _current_event.set(context.event_id)
        try:
            yield context
        except BaseException as exc:
            if not context.finished:
                context.on_end(payload={EventPayload.EXCEPTION: exc})
            raise
        finally:
            _current_event.reset(token)
            if not context.finished:
                context.on_end()

    @contextmanager
    def as_trace(self, trace_id: str) -> Iterator[None]:
        """Run the block as one trace; nested calls join the enclosing trace."""
        started = self.start_trace(trace_id)
        try:
            yield
        finally:
            if started:
                self.end_trace(trace_id)

    def start_trace(self, trace_id: str | None = None) -> bool:
        """Start a trace in this context unless one is active; returns whether this call started it."""
        if _current_trace.get() is not None:
            return False
        trace = _Trace(trace_id=trace_id or uuid.uuid4().hex)
        trace.token = _current_trace.set(trace)
        for handler in self.handlers:
            try:
                handler.start_trace(trace.trace_id)
            except Exception:
                logger.exception("callback handler %s failed on start_trace", type(handler).__name__)
        return True

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        """End the active trace and hand each handler the parent → children map."""
        trace = _current_trace.get()
        if trace is None:
            return
        trace_map = trace_map if trace_map is not None else trace.snapshot()
        for handler in self.handlers:
            try:
                handler.end_trace(trace_id or trace.trace_id, trace_map)
            except Exception:
                logger.exception("callback handler %s failed on end_trace", type(handler).__name__)
        try:
            if trace.token is not None:
                _current_trace.reset(trace.token)
            else:
                _current_trace.set(None)
        except ValueError:
            # Ended from another context than the one that started it (e.g. a callback thread).
            _current_trace.set(None)


class EventContext:
    """One open event: ``on_start`` once, ``on_end`` once (later calls are ignored)."""

    def __init__(self, manager: CallbackManager, event_type: CBEventType, event_id: str | None = None) -> None:
        self._manager = manager
        self.event_type = event_type
        self.event_id = event_id or uuid.uuid4().hex
        self.started = False
        self.finished = False

    def on_start(self, payload: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Announce the start (idempotent)."""
        if not self.started:
            self.started = True
            self._manager.on_event_start(self.event_type, payload, event_id=self.event_id, **kwargs)

    def on_end(self, payload: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """Announce the end (idempotent)."""
        if not self.finished:
            self.finished = True
            self._manager.on_event_end(self.event_type, payload, event_id=self.event_id, **kwargs)
