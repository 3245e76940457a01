"""Conformance kit for LLMs (``LLM``, ``CustomLLM`` and ``FunctionCallingLLM`` subclasses)."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import ClassVar

import pytest
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import LLM
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import FunctionCallingLLM
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.prompts import PromptTemplate
from dovetail.core.rate_limiter import estimate_tokens
from dovetail.core.testing._guard import ConformanceBase
from dovetail.core.testing.events import EventRecorder
from dovetail.core.testing.events import Phase
from dovetail.core.testing.events import RecordedEvent
from dovetail.core.testing.leaks import assert_no_secret_leak
from dovetail.core.testing.rate_limits import RecordingRateLimiter
from dovetail.core.tools import FunctionTool
from pydantic import BaseModel

__all__ = ["KitCity", "LLMConformance", "add_numbers", "tiny_png"]


class KitCity(BaseModel):
    """The small model the kit asks ``structured_predict`` for."""

    name: str
    country: str


def add_numbers(a: int, b: int) -> int:
    """Add two integers and return the sum.

    Args:
        a: the first integer.
        b: the second integer.
    """
    return a + b


def tiny_png() -> bytes:
    """A valid 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _llm_events(recorder: EventRecorder, phase: Phase) -> list[RecordedEvent]:
    return recorder.of(phase, CBEventType.LLM)


@contextmanager
def _recording(llm: LLM) -> Iterator[EventRecorder]:
    recorder = EventRecorder()
    llm.callback_manager.add_handler(recorder)
    try:
        yield recorder
    finally:
        llm.callback_manager.remove_handler(recorder)


def _check_stream(chunks: Sequence[CompletionResponse | ChatResponse]) -> str:
    assert chunks, "the stream yielded no chunk"
    texts = [c.text if isinstance(c, CompletionResponse) else (c.message.content or "") for c in chunks]
    deltas = "".join(c.delta or "" for c in chunks)
    assert deltas == texts[-1], "chunk deltas must concatenate to the final chunk's text (text is accumulated)"
    assert texts[-1].strip(), "the stream produced no text"
    return texts[-1]


class LLMConformance(ConformanceBase):
    """Kit tests every LLM must pass.

    Subclass it, provide an ``llm`` fixture returning a ready LLM (pointed at a local server when it talks
    HTTP) and set the capability flags. Kit tests cannot be overridden; switch a capability off instead.

    Attributes:
        supports_streaming: ``stream_complete``/``stream_chat`` stream real chunks.
        supports_async: the async twins are tested (the base classes always provide them).
        supports_chat: ``chat`` answers (``CustomLLM`` provides it through completion).
        supports_tools: the LLM is a ``FunctionCallingLLM`` that can call the kit's ``add_numbers`` tool.
        supports_structured_output: ``structured_predict`` returns a :class:`KitCity`.
        supports_usage: responses carry ``prompt_tokens``/``completion_tokens``/``total_tokens``.
        validates_context_window: a prompt over the context window raises ``InvalidInputError`` up front.
        prompt: the prompt used by the plain tests.

    Example:
        ```python
        import pytest
        from dovetail.core.testing import LLMConformance
        from dovetail.llms.acme import Acme

        class TestAcme(LLMConformance):
            supports_tools = True
            supports_usage = True

            @pytest.fixture
            def llm(self, acme_server):
                return Acme(model="acme-1", api_key="test", base_url=acme_server.url)
        ```

    Troubleshooting:
        - ``test_stream_*``: each chunk's ``text`` is the accumulated text and ``delta`` the new piece.
        - ``test_*_event*``: don't fire LLM events yourself; the base class decorators do, once per call.
        - ``test_usage_*``: put the provider's token counts in ``additional_kwargs``.
        - ``test_no_secret_in_repr_or_events``: keep keys in ``pydantic.SecretStr`` fields.
    """

    _kit_class: ClassVar[bool] = True
    supports_streaming: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True
    supports_chat: ClassVar[bool] = True
    supports_tools: ClassVar[bool] = False
    supports_structured_output: ClassVar[bool] = False
    supports_usage: ClassVar[bool] = False
    validates_context_window: ClassVar[bool] = True
    prompt: ClassVar[str] = "Say hello in one short sentence."

    @pytest.fixture
    def llm(self) -> LLM:
        """Override: return the LLM under test."""
        msg = f"{type(self).__name__} must define an `llm` fixture returning the LLM under test"
        raise NotImplementedError(msg)

    def _messages(self) -> list[ChatMessage]:
        return [ChatMessage(role=MessageRole.USER, content=self.prompt)]

    def _need(self, flag: str) -> None:
        if not getattr(self, flag):
            pytest.skip(f"{flag} is False")

    # -- basics ---------------------------------------------------------------------------------------

    def test_is_an_llm_with_sane_metadata(self, llm: LLM) -> None:
        assert isinstance(llm, LLM)
        metadata = llm.metadata
        assert isinstance(metadata, LLMMetadata)
        assert metadata.context_window > 0
        assert 0 < metadata.num_output < metadata.context_window
        assert isinstance(metadata.model_name, str)
        assert metadata.model_name.strip()
        if self.supports_tools:
            assert isinstance(llm, FunctionCallingLLM)
            assert metadata.is_function_calling_model

    def test_complete_returns_text(self, llm: LLM) -> None:
        response = llm.complete(self.prompt)
        assert isinstance(response, CompletionResponse)
        assert response.text.strip()

    def test_chat_returns_assistant_message(self, llm: LLM) -> None:
        self._need("supports_chat")
        response = llm.chat(self._messages())
        assert isinstance(response, ChatResponse)
        assert response.message.role == MessageRole.ASSISTANT
        assert (response.message.content or "").strip()

    def test_predict_formats_a_template(self, llm: LLM) -> None:
        answer = llm.predict(PromptTemplate("Say {word} in one short sentence."), word="hello")
        assert isinstance(answer, str)
        assert answer.strip()

    def test_stream_complete_deltas_concatenate(self, llm: LLM) -> None:
        self._need("supports_streaming")
        _check_stream(list(llm.stream_complete(self.prompt)))

    def test_stream_chat_deltas_concatenate(self, llm: LLM) -> None:
        self._need("supports_streaming")
        self._need("supports_chat")
        chunks = list(llm.stream_chat(self._messages()))
        _check_stream(chunks)
        assert chunks[-1].message.role == MessageRole.ASSISTANT

    def test_rate_limiter_is_asked_once_per_call(self, llm: LLM) -> None:
        """``rate_limiter=`` is asked for one request per call, with the prompt's estimated tokens."""
        limiter = RecordingRateLimiter()
        llm.rate_limiter = limiter
        try:
            llm.complete(self.prompt)
            if self.supports_chat:
                llm.chat(self._messages())
            if self.supports_streaming:
                list(llm.stream_complete(self.prompt))
        finally:
            llm.rate_limiter = None
        calls = 1 + int(self.supports_chat) + int(self.supports_streaming)
        assert limiter.sync_calls == [estimate_tokens([self.prompt])] * calls

    # -- async ----------------------------------------------------------------------------------------

    async def test_acomplete_returns_text(self, llm: LLM) -> None:
        self._need("supports_async")
        response = await llm.acomplete(self.prompt)
        assert isinstance(response, CompletionResponse)
        assert response.text.strip()

    async def test_achat_returns_assistant_message(self, llm: LLM) -> None:
        self._need("supports_async")
        self._need("supports_chat")
        response = await llm.achat(self._messages())
        assert response.message.role == MessageRole.ASSISTANT
        assert (response.message.content or "").strip()

    async def test_astream_complete_deltas_concatenate(self, llm: LLM) -> None:
        self._need("supports_async")
        self._need("supports_streaming")
        stream = await llm.astream_complete(self.prompt)
        _check_stream([chunk async for chunk in stream])

    async def test_astream_chat_deltas_concatenate(self, llm: LLM) -> None:
        self._need("supports_async")
        self._need("supports_streaming")
        self._need("supports_chat")
        stream = await llm.astream_chat(self._messages())
        _check_stream([chunk async for chunk in stream])

    # -- events ---------------------------------------------------------------------------------------

    def test_complete_emits_one_nested_llm_event(self, llm: LLM) -> None:
        with _recording(llm) as recorder, llm.callback_manager.event(CBEventType.QUERY) as outer:
            response = llm.complete(self.prompt)
        (start,) = _llm_events(recorder, "start")
        (end,) = _llm_events(recorder, "end")
        assert start.event_id == end.event_id, "start and end of the LLM event must share the event id"
        assert start.parent_id == outer.event_id, "the LLM event must nest under the enclosing event"
        assert start.payload[EventPayload.PROMPT] == self.prompt
        assert EventPayload.MODEL_NAME in start.payload
        assert end.payload[EventPayload.COMPLETION].text == response.text

    def test_chat_emits_one_llm_event(self, llm: LLM) -> None:
        self._need("supports_chat")
        with _recording(llm) as recorder:
            response = llm.chat(self._messages())
        (start,) = _llm_events(recorder, "start")
        (end,) = _llm_events(recorder, "end")
        assert start.event_id == end.event_id
        assert start.payload[EventPayload.MESSAGES][-1].content == self.prompt
        assert end.payload[EventPayload.RESPONSE].message.content == response.message.content

    def test_stream_event_ends_when_exhausted(self, llm: LLM) -> None:
        self._need("supports_streaming")
        with _recording(llm) as recorder:
            stream = llm.stream_complete(self.prompt)
            first = next(stream)
            assert _llm_events(recorder, "end") == [], "the LLM event must stay open while the stream runs"
            chunks = [first, *stream]
        (start,) = _llm_events(recorder, "start")
        (end,) = _llm_events(recorder, "end")
        assert start.event_id == end.event_id
        assert end.payload[EventPayload.COMPLETION].text == _check_stream(chunks)

    async def test_async_events_nest_and_stream_events_end(self, llm: LLM) -> None:
        self._need("supports_async")
        with _recording(llm) as recorder, llm.callback_manager.event(CBEventType.QUERY) as outer:
            await llm.acomplete(self.prompt)
            if self.supports_streaming and self.supports_chat:
                stream = await llm.astream_chat(self._messages())
                chunks = [chunk async for chunk in stream]
        starts, ends = _llm_events(recorder, "start"), _llm_events(recorder, "end")
        assert len(starts) == len(ends) == (2 if self.supports_streaming and self.supports_chat else 1)
        assert [s.event_id for s in starts] == [e.event_id for e in ends]
        assert all(s.parent_id == outer.event_id for s in starts)
        if len(ends) == 2:
            assert ends[1].payload[EventPayload.RESPONSE].message.content == _check_stream(chunks)

    # -- usage ----------------------------------------------------------------------------------------

    def test_usage_in_response_and_event(self, llm: LLM) -> None:
        self._need("supports_usage")
        with _recording(llm) as recorder:
            response = llm.complete(self.prompt)
        usage = {k: response.additional_kwargs.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
        assert all(isinstance(v, int) and v > 0 for v in usage.values()), usage
        assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]  # type: ignore[operator]
        (end,) = _llm_events(recorder, "end")
        assert end.payload[EventPayload.USAGE] == usage

    # -- tools and structured output ------------------------------------------------------------------

    def _tool_prompt(self) -> str:
        return 'Use the add_numbers tool to add 2 and 3. Call add_numbers with {"a": 2, "b": 3}.'

    def test_tool_call_round_trip(self, llm: LLM) -> None:
        self._need("supports_tools")
        assert isinstance(llm, FunctionCallingLLM)
        tool = FunctionTool.from_defaults(add_numbers)
        user = ChatMessage(role=MessageRole.USER, content=self._tool_prompt())
        response = llm.chat_with_tools([tool], user_msg=user)
        calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
        assert calls, "expected a call of add_numbers"
        assert calls[0].tool_name == "add_numbers"
        assert calls[0].tool_id
        output = tool(**calls[0].tool_kwargs)
        assert output.raw_output == 5
        result = ChatMessage(
            role=MessageRole.TOOL, content=output.content, additional_kwargs={"tool_call_id": calls[0].tool_id}
        )
        final = llm.chat_with_tools([tool], chat_history=[user, response.message, result])
        assert (final.message.content or "").strip()

    async def test_async_tool_call(self, llm: LLM) -> None:
        self._need("supports_tools")
        self._need("supports_async")
        assert isinstance(llm, FunctionCallingLLM)
        tool = FunctionTool.from_defaults(add_numbers)
        response = await llm.achat_with_tools([tool], user_msg=self._tool_prompt())
        calls = llm.get_tool_calls_from_response(response)
        assert calls[0].tool_name == "add_numbers"
        assert (await tool.acall(**calls[0].tool_kwargs)).raw_output == 5

    def test_structured_predict(self, llm: LLM) -> None:
        self._need("supports_structured_output")
        text = "Paris is the capital of France."
        prompt = PromptTemplate("Extract the city and its country from this text: {text}")
        city = llm.structured_predict(KitCity, prompt, text=text)
        assert isinstance(city, KitCity)
        assert city.name.strip()
        assert city.country.strip()

    async def test_astructured_predict(self, llm: LLM) -> None:
        self._need("supports_structured_output")
        self._need("supports_async")
        prompt = PromptTemplate("Extract the city and its country from this text: {text}")
        city = await llm.astructured_predict(KitCity, prompt, text="Paris is the capital of France.")
        assert isinstance(city, KitCity)
        assert city.name.strip()

    # -- bad input ------------------------------------------------------------------------------------

    def test_bad_input_types_are_rejected(self, llm: LLM) -> None:
        with _recording(llm) as recorder:
            with pytest.raises(InvalidInputError, match="str prompt"):
                llm.complete(["not", "a", "str"])  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError, match="ChatMessage"):
                llm.chat("not a list of messages")  # type: ignore[arg-type]
            with pytest.raises(InvalidInputError, match="at least one"):
                llm.chat([])
        assert _llm_events(recorder, "start") == [], "invalid requests must fail before any LLM event or provider call"

    def test_prompt_over_context_window_is_rejected(self, llm: LLM) -> None:
        self._need("validates_context_window")
        window = llm.metadata.context_window
        huge = "tok " * (window + 10)
        with _recording(llm) as recorder, pytest.raises(InvalidInputError, match=str(window)):
            llm.complete(huge)
        assert _llm_events(recorder, "start") == []

    def test_images_need_a_vision_model(self, llm: LLM) -> None:
        image = ImageBlock(image=tiny_png(), image_mimetype="image/png")
        message = ChatMessage(role=MessageRole.USER, blocks=[TextBlock(text="What colour is this image?"), image])
        if llm.metadata.supports_vision:
            assert (llm.chat([message]).message.content or "").strip()
        else:
            with pytest.raises(InvalidInputError, match="vision"):
                llm.chat([message])

    # -- secrets --------------------------------------------------------------------------------------

    def test_no_secret_in_repr_or_events(self, llm: LLM) -> None:
        with _recording(llm) as recorder:
            llm.complete(self.prompt)
        starts = _llm_events(recorder, "start")
        payloads = [json.dumps(s.payload.get(EventPayload.SERIALIZED), default=str) for s in starts]
        assert_no_secret_leak(llm, llm.model_dump_json(), *payloads)
