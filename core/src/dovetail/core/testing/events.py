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

from dovetail.core.callbacks import CallbackEvent
from dovetail.core.callbacks import CallbackEventHandler
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


class EventRecorder(CallbackEventHandler):
    """Keeps every event start and end, in order, with a copy of its payload; traces are not recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[RecordedEvent] = []

    def handle_start(self, event: CallbackEvent) -> str:
        """Record the start."""
        self.events.append(
            RecordedEvent("start", event.event_type, event.event_id, event.parent_id, dict(event.payload))
        )
        return event.event_id

    def handle_end(self, event: CallbackEvent) -> None:
        """Record the end."""
        self.events.append(RecordedEvent("end", event.event_type, event.event_id, "", dict(event.payload)))

    def of(self, phase: Phase, event_type: CBEventType) -> list[RecordedEvent]:
        """The recorded starts (or ends) of events of ``event_type``, in order."""
        return [e for e in self.events if e.phase == phase and e.event_type == event_type]
