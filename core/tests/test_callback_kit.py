"""The callback-handler kit applied to a tutorial-style handler, and the kit's no-override guard."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackEvent
from dovetail.core.callbacks import CallbackEventHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.testing import CallbackHandlerConformance
from dovetail.core.testing import KitTestOverriddenError


class RecordingHandler(BaseCallbackHandler):
    """The seed tutorial's custom handler: records start/end events."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, CBEventType, str]] = []

    def on_event_start(
        self,
        event_type: CBEventType,
        payload: dict[str, Any] | None = None,
        event_id: str = "",
        parent_id: str = "",
        **kwargs: Any,
    ) -> str:
        self.events.append(("start", event_type, event_id))
        return event_id

    def on_event_end(
        self, event_type: CBEventType, payload: dict[str, Any] | None = None, event_id: str = "", **kwargs: Any
    ) -> None:
        self.events.append(("end", event_type, event_id))

    def start_trace(self, trace_id: str | None = None) -> None:
        self.events.append(("trace-start", CBEventType.QUERY, trace_id or ""))

    def end_trace(self, trace_id: str | None = None, trace_map: dict[str, list[str]] | None = None) -> None:
        self.events.append(("trace-end", CBEventType.QUERY, trace_id or ""))


def test_recording_handler_receives_start_and_end_in_order() -> None:
    handler = RecordingHandler()
    manager = CallbackManager([handler])
    with manager.as_trace("t"), manager.event(CBEventType.QUERY) as query, manager.event(CBEventType.LLM) as llm:
        pass
    kinds = [(kind, event_id) for kind, _, event_id in handler.events]
    assert kinds == [
        ("trace-start", "t"),
        ("start", query.event_id),
        ("start", llm.event_id),
        ("end", llm.event_id),
        ("end", query.event_id),
        ("trace-end", "t"),
    ]


def test_kit_tests_cannot_be_overridden() -> None:
    with pytest.raises(KitTestOverriddenError, match="test_handler_never_raises"):

        class Cheating(CallbackHandlerConformance):
            def test_handler_never_raises(self) -> None:  # type: ignore[override]
                pass


class TypedRecorder(CallbackEventHandler):
    """A handler on the typed adapter: keeps the records it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, CallbackEvent]] = []

    def handle_start(self, event: CallbackEvent) -> str:
        self.records.append(("start", event))
        return f"seen-{event.event_id}"

    def handle_end(self, event: CallbackEvent) -> None:
        self.records.append(("end", event))


class TestHandlersConformance(CallbackHandlerConformance):
    """The kit over a tutorial-style handler, the token counter and the typed adapter (bare and subclassed)."""

    @pytest.fixture(params=[RecordingHandler, TokenCountingHandler, CallbackEventHandler, TypedRecorder])
    def handler(self, request: pytest.FixtureRequest) -> BaseCallbackHandler:
        handler: BaseCallbackHandler = request.param()
        return handler


def test_event_handler_hands_the_llamaindex_call_over_as_a_record() -> None:
    handler = TypedRecorder()
    payload: dict[str, Any] = {EventPayload.PROMPT: "hi"}
    returned = handler.on_event_start(CBEventType.LLM, payload, event_id="e1", parent_id="p1", extra=1)
    handler.on_event_end(CBEventType.LLM, event_id="e1")
    assert returned == "seen-e1"
    (_, start), (_, end) = handler.records
    assert start == CallbackEvent(CBEventType.LLM, "e1", payload, "p1")
    assert start.payload is payload
    assert end == CallbackEvent(CBEventType.LLM, "e1", {}, "")


def test_event_handler_defaults_keep_the_id_and_do_nothing() -> None:
    handler = CallbackEventHandler()
    assert handler.on_event_start(CBEventType.QUERY, None, event_id="q") == "q"
    handler.on_event_end(CBEventType.QUERY, None, event_id="q")
    handler.start_trace("t")
    handler.end_trace("t", {"root": ["q"]})


def test_event_handler_sees_nesting_through_the_manager() -> None:
    handler = TypedRecorder()
    manager = CallbackManager([handler])
    with manager.event(CBEventType.QUERY) as query, manager.event(CBEventType.RETRIEVE) as retrieve:
        retrieve.on_end({EventPayload.NODES: []})
    starts = [event for phase, event in handler.records if phase == "start"]
    ends = [event for phase, event in handler.records if phase == "end"]
    assert [(e.event_type, e.event_id) for e in starts] == [
        (CBEventType.QUERY, query.event_id),
        (CBEventType.RETRIEVE, retrieve.event_id),
    ]
    assert starts[1].parent_id == query.event_id
    assert ends[0].payload == {EventPayload.NODES: []}
    assert [e.parent_id for e in ends] == ["", ""]
