"""The callback-handler kit applied to a tutorial-style handler, and the kit's no-override guard."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CBEventType
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


class TestRecordingHandlerConformance(CallbackHandlerConformance):
    @pytest.fixture
    def handler(self) -> BaseCallbackHandler:
        return RecordingHandler()


class TestTokenCountingHandlerConformance(CallbackHandlerConformance):
    @pytest.fixture
    def handler(self) -> BaseCallbackHandler:
        return TokenCountingHandler()


def test_recording_handler_receives_start_and_end_in_order() -> None:
    from dovetail.core.callbacks import CallbackManager

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
