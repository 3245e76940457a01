"""Callback events of LLM calls: one per call, nested via contextvars also across worker threads and streams."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MockLLM
from dovetail.core.llms import llm_completion_callback
from dovetail.core.testing.events import EventRecorder
from dovetail.core.testing.loop import LoopProgress
from pydantic import Field


class ToolUsingLLM(CustomLLM):
    """Opens a nested FUNCTION_CALL event inside complete and inside every stream pull; sleeps to be slow."""

    delay: float = 0.0
    # called where the work blocks (LoopProgress.wait in the event-loop tests)
    pause: Callable[[], None] | None = Field(default=None, exclude=True)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="nested")

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        with self.callback_manager.event(CBEventType.FUNCTION_CALL):
            self._block()
        return CompletionResponse(text=prompt.upper(), additional_kwargs={"prompt_tokens": 1, "completion_tokens": 2})

    def _block(self) -> None:
        if self.pause is not None:
            self.pause()
        time.sleep(self.delay)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        text = ""
        for char in prompt:
            with self.callback_manager.event(CBEventType.FUNCTION_CALL):
                self._block()
            text += char
            yield CompletionResponse(text=text, delta=char)


@pytest.fixture
def recorder() -> EventRecorder:
    return EventRecorder()


def _llm(recorder: EventRecorder, **kwargs: Any) -> ToolUsingLLM:
    return ToolUsingLLM(callback_manager=CallbackManager([recorder]), **kwargs)


def test_nested_events_have_the_llm_event_as_parent(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    llm.complete("ab")
    (llm_start,) = recorder.of("start", CBEventType.LLM)
    (tool_start,) = recorder.of("start", CBEventType.FUNCTION_CALL)
    assert tool_start[3] == llm_start[2]


async def test_nesting_survives_the_worker_thread_of_acomplete(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    with llm.callback_manager.event(CBEventType.QUERY) as outer:
        await llm.acomplete("ab")
    (llm_start,) = recorder.of("start", CBEventType.LLM)
    (tool_start,) = recorder.of("start", CBEventType.FUNCTION_CALL)
    assert llm_start[3] == outer.event_id
    assert tool_start[3] == llm_start[2]


async def test_nesting_survives_async_streaming_of_a_sync_generator(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    stream = await llm.astream_chat([ChatMessage(content="hi")])
    chunks = [chunk async for chunk in stream]
    (llm_start,) = recorder.of("start", CBEventType.LLM)
    tool_starts = recorder.of("start", CBEventType.FUNCTION_CALL)
    assert len(tool_starts) == len(chunks) > 2
    assert {start[3] for start in tool_starts} == {llm_start[2]}
    (llm_end,) = recorder.of("end", CBEventType.LLM)
    assert llm_end[4][EventPayload.RESPONSE].message.content == chunks[-1].message.content
    assert recorder.events[-1][:3] == ("end", CBEventType.LLM, llm_start[2]), "the LLM event ends last"


def test_stream_event_ends_on_close_with_partial_text(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    stream = llm.stream_complete("abcdef")
    next(stream)
    next(stream)
    assert recorder.of("end", CBEventType.LLM) == []
    stream.close()
    (end,) = recorder.of("end", CBEventType.LLM)
    assert end[4][EventPayload.COMPLETION].text == "ab"


def test_stream_event_ends_when_an_unstarted_stream_is_dropped(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    stream = llm.stream_complete("abc")
    del stream
    gc.collect()
    (end,) = recorder.of("end", CBEventType.LLM)
    assert end[4][EventPayload.COMPLETION].text == ""


class BrokenStreamLLM(ToolUsingLLM):
    """Streams one chunk, then loses the connection."""

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield CompletionResponse(text="a", delta="a")
        raise ConnectionResetError("peer went away")


def test_stream_error_ends_the_event_with_the_exception(recorder: EventRecorder) -> None:
    llm = BrokenStreamLLM(callback_manager=CallbackManager([recorder]))
    stream = llm.stream_complete("x")
    assert next(stream).text == "a"
    with pytest.raises(ConnectionResetError):
        next(stream)
    (end,) = recorder.of("end", CBEventType.LLM)
    assert isinstance(end[4][EventPayload.EXCEPTION], ConnectionResetError)
    assert end[4][EventPayload.COMPLETION].text == "a"
    assert list(stream) == [], "a failed stream stays finished"


async def test_async_stream_error_ends_the_event_with_the_exception(recorder: EventRecorder) -> None:
    llm = BrokenStreamLLM(callback_manager=CallbackManager([recorder]))
    stream = await llm.astream_complete("x")
    assert (await stream.__anext__()).text == "a"
    with pytest.raises(ConnectionResetError):
        await stream.__anext__()
    (end,) = recorder.of("end", CBEventType.LLM)
    assert isinstance(end[4][EventPayload.EXCEPTION], ConnectionResetError)
    assert end[4][EventPayload.COMPLETION].text == "a"
    assert [chunk async for chunk in stream] == [], "a failed stream stays finished"


def test_a_call_between_stream_pulls_is_not_nested_in_the_stream(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    stream = llm.stream_complete("abc")
    next(stream)
    llm.complete("between")
    list(stream)
    first, second = recorder.of("start", CBEventType.LLM)
    assert second[3] != first[2], "each pull restores the caller's event context"
    assert len(recorder.of("end", CBEventType.LLM)) == 2


async def test_an_async_call_between_stream_pulls_is_not_nested_in_the_stream(recorder: EventRecorder) -> None:
    llm = _llm(recorder)
    stream = await llm.astream_complete("abc")
    await stream.__anext__()
    await llm.acomplete("between")
    _ = [chunk async for chunk in stream]
    first, second = recorder.of("start", CBEventType.LLM)
    assert second[3] != first[2], "each pull restores the caller's event context"
    assert len(recorder.of("end", CBEventType.LLM)) == 2


def test_sync_error_ends_the_event_with_the_exception(recorder: EventRecorder) -> None:
    class Failing(ToolUsingLLM):
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            raise TimeoutError("slow provider")

    llm = Failing(callback_manager=CallbackManager([recorder]))
    with pytest.raises(TimeoutError):
        llm.complete("x")
    (end,) = recorder.of("end", CBEventType.LLM)
    assert isinstance(end[4][EventPayload.EXCEPTION], TimeoutError)


def test_explicit_decorators_and_auto_wrapping_do_not_double_events(recorder: EventRecorder) -> None:
    class Decorated(ToolUsingLLM):
        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text="ok")

    llm = Decorated(callback_manager=CallbackManager([recorder]))
    llm.complete("x")
    llm.chat([ChatMessage(content="x")])
    assert len(recorder.of("start", CBEventType.LLM)) == 2
    assert len(recorder.of("end", CBEventType.LLM)) == 2


def test_usage_is_repeated_in_the_end_event(recorder: EventRecorder) -> None:
    _llm(recorder).complete("x")
    (end,) = recorder.of("end", CBEventType.LLM)
    assert end[4][EventPayload.USAGE] == {"prompt_tokens": 1, "completion_tokens": 2}


def test_start_payload_has_prompt_model_and_serialized_config(recorder: EventRecorder) -> None:
    _llm(recorder, delay=0.0, system_prompt="sys").complete("x", temperature=0.1)
    (start,) = recorder.of("start", CBEventType.LLM)
    payload = start[4]
    assert payload[EventPayload.PROMPT] == "x"
    assert payload[EventPayload.MODEL_NAME] == "nested"
    assert payload[EventPayload.SERIALIZED] == {
        "class_name": "ToolUsingLLM",
        "system_prompt": "sys",
        "pydantic_program_mode": "default",
        "delay": 0.0,
    }
    assert payload[EventPayload.ADDITIONAL_KWARGS] == {"temperature": 0.1}


def test_no_handlers_means_no_event_work() -> None:
    llm = MockLLM(callback_manager=CallbackManager())
    assert llm.complete("fast path").text == "fast path"


async def test_acomplete_does_not_block_the_event_loop(recorder: EventRecorder) -> None:
    async with LoopProgress() as progress:
        llm = _llm(recorder, pause=progress.wait)
        response = await llm.acomplete("slow")
    assert response.text == "SLOW"
    assert progress.waits == 1  # complete blocked once, in a worker thread, while the loop kept running


async def test_astream_does_not_block_the_event_loop(recorder: EventRecorder) -> None:
    async with LoopProgress() as progress:
        llm = _llm(recorder, pause=progress.wait)
        stream = await llm.astream_complete("abcd")
        deltas = [chunk.delta or "" async for chunk in stream]
    assert deltas == ["a", "b", "c", "d"]
    assert progress.waits == 4  # every chunk's pull blocked off the loop


async def test_concurrent_async_calls_keep_their_own_parents(recorder: EventRecorder) -> None:
    llm = _llm(recorder, delay=0.02)
    manager = llm.callback_manager

    async def one(prompt: str) -> str:
        with manager.event(CBEventType.QUERY, payload={EventPayload.QUERY_STR: prompt}):
            return (await llm.acomplete(prompt)).text

    assert await asyncio.gather(*(one(p) for p in ("a", "b", "c"))) == ["A", "B", "C"]
    queries = {e[2]: e[4][EventPayload.QUERY_STR] for e in recorder.of("start", CBEventType.QUERY)}
    llm_parent = {e[2]: e[3] for e in recorder.of("start", CBEventType.LLM)}
    prompts = {e[2]: e[4][EventPayload.PROMPT] for e in recorder.of("start", CBEventType.LLM)}
    for event_id, parent in llm_parent.items():
        assert queries[parent] == prompts[event_id]


def test_sync_stream_pulls_can_happen_in_another_thread(recorder: EventRecorder) -> None:
    import threading

    llm = _llm(recorder)
    stream: Iterator[CompletionResponse] = llm.stream_complete("xy")
    out: list[str] = []
    thread = threading.Thread(target=lambda: out.extend(c.delta or "" for c in stream))
    thread.start()
    thread.join()
    assert out == ["x", "y"]
    (llm_start,) = recorder.of("start", CBEventType.LLM)
    assert {e[3] for e in recorder.of("start", CBEventType.FUNCTION_CALL)} == {llm_start[2]}


def test_methods_from_a_mixin_are_wrapped_too(recorder: EventRecorder) -> None:
    class CompleteMixin:
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            return CompletionResponse(text="from mixin")

    class Mixed(CompleteMixin, ToolUsingLLM):
        pass

    llm = Mixed(callback_manager=CallbackManager([recorder]))
    assert llm.complete("x").text == "from mixin"
    assert len(recorder.of("end", CBEventType.LLM)) == 1


def test_default_callback_manager_is_the_settings_one() -> None:
    from dovetail.core import Settings

    assert MockLLM().callback_manager is Settings.callback_manager


def test_throw_into_a_stream_ends_the_event(recorder: EventRecorder) -> None:
    stream = _llm(recorder).stream_complete("abc")
    next(stream)
    with pytest.raises(KeyboardInterrupt):
        stream.throw(KeyboardInterrupt())
    (end,) = recorder.of("end", CBEventType.LLM)
    assert isinstance(end[4][EventPayload.EXCEPTION], KeyboardInterrupt)
    assert end[4][EventPayload.COMPLETION].text == "a"
