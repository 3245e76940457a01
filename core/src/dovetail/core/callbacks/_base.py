"""The handler contract: what a callback handler (Langfuse, token counting, debugging) implements."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from dovetail.core.callbacks._schema import CBEventType

__all__ = ["BaseCallbackHandler"]


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
