"""The callback manager: dispatch, nesting via contextvars across threads and asyncio tasks, error isolation."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from dovetail.core.callbacks import BASE_TRACE_EVENT
from dovetail.core.callbacks import BaseCallbackHandler
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.concurrency import run_in_thread
from dovetail.core.concurrency import submit_in_context


class RecordingHandler(BaseCallbackHandler):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lock = threading.Lock()
        self.starts: list[tuple[CBEventType, str, str]] = []
        self.ends: list[tuple[CBEventType, str, dict[str, Any] | None]] = []
        self.traces: list[tuple[str, str | None, dict[str, list[str]] | None]] = []

    def on_event_start(self, event_type, payload=None, event_id="", parent_id="", **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.starts.append((event_type, event_id, parent_id))
        return event_id

    def on_event_end(self, event_type, payload=None, event_id="", **kwargs):  # type: ignore[no-untyped-def]
        with self.lock:
            self.ends.append((event_type, event_id, payload))

    def start_trace(self, trace_id=None):  # type: ignore[no-untyped-def]
        self.traces.append(("start", trace_id, None))

    def end_trace(self, trace_id=None, trace_map=None):  # type: ignore[no-untyped-def]
        self.traces.append(("end", trace_id, trace_map))


def parents(handler: RecordingHandler) -> dict[str, str]:
    return {event_id: parent for _, event_id, parent in handler.starts}


def test_nested_events_get_parent_ids_and_trace_map() -> None:
    handler = RecordingHandler()
    manager = CallbackManager([handler])
    with manager.as_trace("query"):
        with manager.event(CBEventType.QUERY) as outer, manager.event(CBEventType.RETRIEVE) as inner:
            inner.on_end(payload={EventPayload.NODES: []})
        with manager.as_trace("nested-is-joined"):
            manager.on_event_start(CBEventType.LLM, event_id="x")
    assert parents(handler) == {outer.event_id: BASE_TRACE_EVENT, inner.event_id: outer.event_id, "x": BASE_TRACE_EVENT}
    assert [t[:2] for t in handler.traces] == [("start", "query"), ("end", "query")]
    trace_map = handler.traces[-1][2]
    assert trace_map == {BASE_TRACE_EVENT: [outer.event_id, "x"], outer.event_id: [inner.event_id]}
    assert (CBEventType.RETRIEVE, inner.event_id, {EventPayload.NODES: []}) in handler.ends


def test_exception_ends_event_with_exception_payload_and_propagates() -> None:
    handler = RecordingHandler()
    manager = CallbackManager([handler])
    with pytest.raises(KeyError), manager.event(CBEventType.LLM):
        raise KeyError("boom")
    ((_, _, payload),) = handler.ends
    assert isinstance(payload[EventPayload.EXCEPTION], KeyError)  # type: ignore[index]


def test_nesting_survives_threads_and_asyncio_tasks() -> None:
    handler = RecordingHandler()
    manager = CallbackManager([handler])

    def child(name: str) -> None:
        manager.on_event_start(CBEventType.EMBEDDING, event_id=name)

    async def in_task() -> None:
        child("task")

    async def main() -> str:
        with manager.event(CBEventType.QUERY) as outer:
            await asyncio.gather(run_in_thread(child, "thread"), asyncio.create_task(in_task()))
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(2) as pool:
                submit_in_context(pool, child, "pool").result()
        return outer.event_id

    outer_id = asyncio.run(main())
    got = parents(handler)
    assert got["thread"] == got["task"] == got["pool"] == outer_id


def test_handler_errors_do_not_break_the_app_and_ignores_are_respected(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(RecordingHandler):
        def on_event_start(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("handler bug")

    ok = RecordingHandler(event_starts_to_ignore=[CBEventType.LLM])
    manager = CallbackManager([Broken(), ok])
    manager.on_event_start(CBEventType.LLM, event_id="a")
    manager.on_event_start(CBEventType.QUERY, event_id="b")
    assert [s[1] for s in ok.starts] == ["b"]
    assert "handler bug" in caplog.text


def test_token_counting_prefers_reported_usage_and_falls_back_to_tokenizer() -> None:
    class Response:
        def __init__(self, text: str, **usage: int) -> None:
            self.text = text
            self.additional_kwargs = usage

    counter = TokenCountingHandler(tokenizer=str.split)
    manager = CallbackManager([counter])
    manager.on_event_start(CBEventType.LLM, {EventPayload.PROMPT: "one two three"}, event_id="a")
    manager.on_event_end(CBEventType.LLM, {EventPayload.COMPLETION: Response("four five")}, event_id="a")
    manager.on_event_start(CBEventType.LLM, {EventPayload.PROMPT: "x"}, event_id="b")
    manager.on_event_end(
        CBEventType.LLM, {EventPayload.RESPONSE: Response("y", prompt_tokens=10, completion_tokens=4)}, event_id="b"
    )
    manager.on_event_end(CBEventType.EMBEDDING, {EventPayload.CHUNKS: ["a b", "c"]}, event_id="e")
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (13, 6)
    assert counter.total_llm_token_count == 19
    assert counter.total_embedding_token_count == 3
    counter.reset_counts()
    assert counter.total_llm_token_count == 0


def test_usage_from_payload_reads_usage_then_the_response() -> None:
    from dovetail.core.callbacks import EventPayload
    from dovetail.core.callbacks import usage_from_payload
    from dovetail.core.llms import CompletionResponse

    reported = CompletionResponse(text="x", additional_kwargs={"prompt_tokens": 3, "completion_tokens": 2})
    assert usage_from_payload({EventPayload.COMPLETION: reported}) == {"prompt_tokens": 3, "completion_tokens": 2}
    usage = {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6, "cached": 9}
    assert usage_from_payload({"usage": usage, EventPayload.COMPLETION: reported}) == {
        "prompt_tokens": 5,
        "completion_tokens": 1,
        "total_tokens": 6,
    }
    flags = CompletionResponse(text="x", additional_kwargs={"prompt_tokens": True, "completion_tokens": "2"})
    assert usage_from_payload({EventPayload.RESPONSE: flags}) is None
    assert usage_from_payload(None) is None
    assert usage_from_payload({EventPayload.RESPONSE: "plain text"}) is None
