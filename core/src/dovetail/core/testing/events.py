"""A callback handler that records every event it is given, for tests that assert on events.

Example:
    ```python
    recorder = EventRecorder()
    llm.callback_manager = CallbackManager([recorder])
    llm.complete("hi")
    (start,) = recorder.of("start", CBEventType.LLM)
    (end,) = recorder.of("end", CBEventType.LLM)
    assert start.event_id == end.event_id
    ```
"""

from __future__ import annotations

from typing import Any
from typing import Literal
from typing import NamedTuple

from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CBEventType

__all__ = ["EventRecorder", "Phase", "RecordedEvent"]

Phase = Literal["start", "end"]
"""Which side of an event a :class:`RecordedEvent` is."""


class RecordedEvent(NamedTuple):
    """One event start or end as a handler saw it (``parent_id`` is ``""`` on ends: handlers are not told it)."""

    phase: Phase
    event_type: CBEventType
    event_id: str
    parent_id: str
    payload: dict[str, Any]


class EventRecorder(BaseCallbackHandler):
    """Keeps every event start and end, in order, with a copy of its payload; traces are not recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[RecordedEvent] = []

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        """Record the start."""
        self.events.append(RecordedEvent("start", event_type, event_id, parent_id, dict(payload or {})))
        return event_id

    def on_event_end(
        self, event_type: CBEventType, payload: dict[str, Any] | None = None, event_id: str = "", **kwargs: Any
    ) -> None:
        """Record the end."""
        self.events.append(RecordedEvent("end", event_type, event_id, "", dict(payload or {})))

    def start_trace(self, trace_id: str | None = None) -> None:
        """Nothing to record."""

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        """Nothing to record."""

    def of(self, phase: Phase, event_type: CBEventType) -> list[RecordedEvent]:
        """The recorded starts (or ends) of events of ``event_type``, in order."""
        return [e for e in self.events if e.phase == phase and e.event_type == event_type]
