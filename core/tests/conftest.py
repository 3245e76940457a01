"""Fixtures shared by the tests of dovetail-core: a clean ``Settings`` around every test, an event recorder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CBEventType
from dovetail.core.settings import Settings


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    """Every test starts and ends with the default ``Settings``."""
    Settings.reset()
    yield
    Settings.reset()


class EventRecorder(BaseCallbackHandler):
    """Records every event as ``(phase, event_type, payload)``; ``phase`` is ``"start"`` or ``"end"``."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, CBEventType, dict[str, Any]]] = []

    def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):  # type: ignore[no-untyped-def]
        self.events.append(("start", event_type, dict(payload or {})))
        return event_id

    def on_event_end(self, event_type, payload=None, event_id="", **kwargs):  # type: ignore[no-untyped-def]
        self.events.append(("end", event_type, dict(payload or {})))

    def start_trace(self, trace_id=None):  # type: ignore[no-untyped-def]
        return None

    def end_trace(self, trace_id=None, trace_map=None):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def event_recorder() -> EventRecorder:
    """A fresh :class:`EventRecorder`."""
    return EventRecorder()
