"""Conformance kit for callback handlers (``BaseCallbackHandler`` subclasses)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.testing._guard import ConformanceBase
from dovetail.core.testing.leaks import assert_no_secret_leak

__all__ = ["CallbackHandlerConformance"]


class CallbackHandlerConformance(ConformanceBase):
    """Kit tests every callback handler must pass.

    Subclass it and provide a ``handler`` fixture returning a ready handler (pointed at a local test backend
    when it exports anywhere). Override :meth:`flush` when the handler buffers (e.g. call ``handler.flush()``).

    Troubleshooting:
        - ``test_handler_never_raises``: handlers are called inside the user's code path; catch and log your
          own errors instead of raising.
        - ``test_no_secret_in_repr``: keep keys in ``pydantic.SecretStr`` and leave them out of ``__repr__``.
    """

    _kit_class: ClassVar[bool] = True

    def flush(self, handler: BaseCallbackHandler) -> None:
        """Hook for handlers that buffer; default: call ``handler.flush()`` when it exists."""
        flush = getattr(handler, "flush", None)
        if callable(flush):
            flush()

    @pytest.fixture
    def handler(self) -> BaseCallbackHandler:
        """The handler under test; subclasses must override this fixture."""
        pytest.fail("subclass CallbackHandlerConformance and provide a `handler` fixture")

    def test_is_a_base_callback_handler(self, handler: BaseCallbackHandler) -> None:
        """The handler implements the core contract and exposes its ignore lists."""
        assert isinstance(handler, BaseCallbackHandler)
        assert isinstance(handler.event_starts_to_ignore, (set, frozenset))
        assert isinstance(handler.event_ends_to_ignore, (set, frozenset))

    def test_nested_trace_round_trip(self, handler: BaseCallbackHandler) -> None:
        """A query trace with nested retrieve/LLM events is accepted from start to end."""
        manager = CallbackManager([handler])
        with manager.as_trace("query"), manager.event(CBEventType.QUERY, {EventPayload.QUERY_STR: "q"}) as query:
            with manager.event(CBEventType.RETRIEVE, {EventPayload.QUERY_STR: "q"}) as retrieve:
                retrieve.on_end({EventPayload.NODES: []})
            with manager.event(CBEventType.LLM, {EventPayload.PROMPT: "hello", EventPayload.MODEL_NAME: "m"}) as llm:
                llm.on_end({EventPayload.COMPLETION: "world"})
            query.on_end({EventPayload.RESPONSE: "world"})
        self.flush(handler)

    @pytest.mark.parametrize("event_type", list(CBEventType))
    def test_handler_never_raises(self, handler: BaseCallbackHandler, event_type: CBEventType) -> None:
        """Every event type, with empty or odd payloads, is handled without raising."""
        event_id = handler.on_event_start(event_type, None, event_id="e1", parent_id="root")
        assert isinstance(event_id, str)
        handler.on_event_end(event_type, None, event_id="e1")
        handler.on_event_start(event_type, {"unexpected": object()}, event_id="e2", parent_id="e1")
        handler.on_event_end(event_type, {EventPayload.EXCEPTION: RuntimeError("boom")}, event_id="e2")
        handler.on_event_end(event_type, {}, event_id="never-started")
        self.flush(handler)

    def test_trace_without_events(self, handler: BaseCallbackHandler) -> None:
        """start_trace/end_trace with no events in between, and end_trace with no map, are fine."""
        handler.start_trace("empty")
        handler.end_trace("empty", {})
        handler.end_trace(None, None)
        self.flush(handler)

    def test_concurrent_events_from_threads_and_tasks(self, handler: BaseCallbackHandler) -> None:
        """Events arriving from several threads and asyncio tasks at once do not break the handler."""
        manager = CallbackManager([handler])
        errors: list[BaseException] = []

        def worker(index: int) -> None:
            try:
                with manager.event(CBEventType.EMBEDDING, {EventPayload.CHUNKS: [f"text {index}"]}) as event:
                    event.on_end({EventPayload.EMBEDDINGS: [[0.1, 0.2]]})
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        async def tasks() -> None:
            async def one(index: int) -> None:
                with manager.event(CBEventType.RETRIEVE) as event:
                    await asyncio.sleep(0)
                    event.on_end({EventPayload.NODES: [index]})

            await asyncio.gather(*(one(i) for i in range(8)))

        with manager.as_trace("concurrent"):
            asyncio.run(tasks())
        self.flush(handler)
        assert errors == []

    def test_no_secret_in_repr(self, handler: BaseCallbackHandler) -> None:
        """No ``SecretStr`` value of the handler appears in its ``repr`` or ``str``."""
        assert_no_secret_leak(handler)

    def test_ignored_events_are_not_delivered(self, handler: BaseCallbackHandler) -> None:
        """The manager honours the handler's ignore lists (checked through a recording proxy)."""
        seen: list[str] = []

        original_start = handler.on_event_start

        def spy_start(event_type: CBEventType, payload: Any = None, **kwargs: Any) -> str:
            seen.append(event_type.value)
            return original_start(event_type, payload, **kwargs)

        handler.on_event_start = spy_start  # type: ignore[method-assign,assignment]
        try:
            saved = handler.event_starts_to_ignore
            handler.event_starts_to_ignore = frozenset({CBEventType.CHUNKING})
            manager = CallbackManager([handler])
            manager.on_event_start(CBEventType.CHUNKING, event_id="ignored")
            manager.on_event_start(CBEventType.QUERY, event_id="kept")
            manager.on_event_end(CBEventType.QUERY, event_id="kept")
        finally:
            handler.event_starts_to_ignore = saved
            del handler.on_event_start
        assert seen == [CBEventType.QUERY.value]
        self.flush(handler)
