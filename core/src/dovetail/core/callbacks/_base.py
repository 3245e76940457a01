"""The handler contract: what a callback handler (Langfuse, token counting, debugging) implements."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dovetail.core.callbacks._schema import CBEventType

__all__ = ["BaseCallbackHandler", "CallbackEvent", "CallbackEventHandler"]


class BaseCallbackHandler(ABC):
    """Receives event start/end and trace start/end notifications from a ``CallbackManager``.

    Handlers must be fast and must not raise: the manager logs and swallows handler errors so that
    observability never breaks the application.

    Args:
        event_starts_to_ignore: event types whose start this handler does not want.
        event_ends_to_ignore: event types whose end this handler does not want.

    Example:
        ```python
        class PrintHandler(BaseCallbackHandler):
            def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):
                print("start", event_type, event_id)
                return event_id

            def on_event_end(self, event_type, payload=None, event_id="", **kwargs):
                print("end", event_type, event_id)

            def start_trace(self, trace_id=None): ...
            def end_trace(self, trace_id=None, trace_map=None): ...
        ```
    """

    def __init__(
        self,
        event_starts_to_ignore: Iterable[CBEventType] = (),
        event_ends_to_ignore: Iterable[CBEventType] = (),
    ) -> None:
        self.event_starts_to_ignore: frozenset[CBEventType] = frozenset(event_starts_to_ignore)
        self.event_ends_to_ignore: frozenset[CBEventType] = frozenset(event_ends_to_ignore)

    @abstractmethod
    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        """An event started; return its id."""

    @abstractmethod
    def on_event_end(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        **kwargs: Any,
    ) -> None:
        """An event ended; ``payload`` holds its results (or ``EventPayload.EXCEPTION``)."""

    @abstractmethod
    def start_trace(self, trace_id: str | None = None) -> None:
        """A trace (one top-level operation such as a query) started."""

    @abstractmethod
    def end_trace(
        self,
        trace_id: str | None = None,
        trace_map: dict[str, list[str]] | None = None,
    ) -> None:
        """A trace ended; ``trace_map`` maps each parent event id to its children's ids."""


@dataclass(frozen=True, slots=True)
class CallbackEvent:
    """One event start or end as a handler is told it.

    Args:
        event_type: what kind of event it is.
        event_id: the event's id (an end carries the id of its start).
        payload: the event's payload (``{}`` when the caller gave none); the caller's own dict, not a copy.
        parent_id: the parent event's id on a start (``""`` at the top); always ``""`` on an end, as handlers are
            not told it there.
    """

    event_type: CBEventType
    event_id: str
    payload: dict[str, Any]
    parent_id: str = ""


class CallbackEventHandler(BaseCallbackHandler):
    """A handler written against one typed record per event instead of LlamaIndex's keyword call.

    It takes ``on_event_start``/``on_event_end`` with their LlamaIndex signatures and hands a
    :class:`CallbackEvent` to :meth:`handle_start`/:meth:`handle_end`; override the hooks you need (both default
    to doing nothing). ``start_trace``/``end_trace`` also do nothing unless overridden. Extra keyword arguments
    of the LlamaIndex call carry nothing a handler reads, as in :class:`BaseCallbackHandler`.

    Example:
        ```python
        class PrintHandler(CallbackEventHandler):
            def handle_start(self, event: CallbackEvent) -> str:
                print("start", event.event_type, event.event_id, "under", event.parent_id)
                return event.event_id

            def handle_end(self, event: CallbackEvent) -> None:
                print("end", event.event_type, event.event_id)
        ```
    """

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        """Hand the start to :meth:`handle_start` and return the id it gives back."""
        return self.handle_start(CallbackEvent(event_type, event_id, payload or {}, parent_id))

    def on_event_end(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        **kwargs: Any,
    ) -> None:
        """Hand the end to :meth:`handle_end`."""
        self.handle_end(CallbackEvent(event_type, event_id, payload or {}))

    def handle_start(self, event: CallbackEvent) -> str:
        """An event started; return its id (default: keep ``event.event_id`` and do nothing else)."""
        return event.event_id

    def handle_end(self, event: CallbackEvent) -> None:
        """An event ended; ``event.payload`` holds its results (or ``EventPayload.EXCEPTION``)."""

    def start_trace(self, trace_id: str | None = None) -> None:
        """A trace started; nothing to do unless overridden."""

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        """A trace ended; nothing to do unless overridden."""
