"""The helpers provider packages share: stream folding, chat-to-completion, tool-call trimming, settings errors."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import ChatResponseAsyncGen
from dovetail.core.llms import ChatResponseGen
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms.provider import ChatFirstFunctionCallingLLM
from dovetail.core.llms.provider import FirstToolCallMixin
from dovetail.core.llms.provider import StreamFold
from dovetail.core.llms.provider import ToolRequestMixin
from dovetail.core.llms.provider import achat_to_completion
from dovetail.core.llms.provider import afold_stream
from dovetail.core.llms.provider import built
from dovetail.core.llms.provider import chat_to_completion
from dovetail.core.llms.provider import fold_stream
from dovetail.core.llms.provider import parse_json_answer
from dovetail.core.llms.provider import stream_response
from dovetail.core.llms.provider import tool_calls_in
from dovetail.core.llms.wire import add_turn
from dovetail.core.llms.wire import field
from dovetail.core.llms.wire import token_usage
from dovetail.core.llms.wire import tool_definition
from dovetail.core.provider_settings import SettingsOf
from dovetail.core.provider_settings import TypedSettingsErrors
from dovetail.core.tools import BaseTool
from dovetail.core.tools import FunctionTool
from dovetail.core.tools import ToolSelection
from pydantic import BaseModel
from pydantic import Field
from pydantic import SecretStr

M = TypeVar("M", bound=BaseModel)


def _reply(text: str, delta: str) -> ChatResponse:
    return ChatResponse(message=ChatMessage(role="assistant", content=text), delta=delta)


class _Folder:
    def __init__(self) -> None:
        self.text = ""

    def fold(self, chunk: Any) -> list[ChatResponse]:
        if chunk == "":
            return []
        self.text += chunk
        return [_reply(self.text, chunk)]

    def final(self) -> ChatResponse:
        return _reply(self.text, "")


class _Boom(Exception):
    pass


def _mapped(exc: Exception) -> BaseException:
    return InvalidInputError(f"mapped: {type(exc).__name__}")


def _failing(chunks: list[str]) -> Iterator[str]:
    yield from chunks
    raise _Boom


async def _agen(chunks: list[str], fail: bool = False) -> Any:
    for chunk in chunks:
        yield chunk
    if fail:
        raise _Boom


def test_fold_stream_yields_each_fold_and_the_final_response() -> None:
    folder = _Folder()
    out = list(fold_stream(["a", "", "b"], folder.fold, _mapped, folder.final))
    assert [r.delta for r in out] == ["a", "b", ""]
    assert out[-1].message.content == "ab"


def test_fold_stream_without_final_ends_with_the_last_fold() -> None:
    folder = _Folder()
    assert [r.delta for r in fold_stream(["x", "y"], folder.fold, _mapped)] == ["x", "y"]


def test_fold_stream_maps_errors_without_chaining() -> None:
    folder = _Folder()
    stream = fold_stream(_failing(["a"]), folder.fold, _mapped, folder.final)
    assert next(stream).delta == "a"
    with pytest.raises(InvalidInputError, match="mapped: _Boom") as info:
        next(stream)
    assert info.value.__cause__ is None
    assert info.value.__context__ is None, "the SDK's exception (it may carry the request) must not ride along"


class _ClosableStream:
    """An SDK-like stream with ``close()``/async ``close()`` that records being closed."""

    def __init__(self, chunks: list[str], fail: bool = False) -> None:
        self.chunks, self.fail, self.closed = chunks, fail, 0

    def __iter__(self) -> Iterator[str]:
        yield from self.chunks
        if self.fail:
            raise _Boom

    async def __aiter__(self) -> Any:
        for chunk in self:
            yield chunk

    def close(self) -> Any:
        self.closed += 1

        async def done() -> None:
            return None

        return done() if self.is_async else None

    is_async = False


@pytest.mark.parametrize("fail", [False, True])
def test_fold_stream_closes_the_stream_when_asked(fail: bool) -> None:
    stream = _ClosableStream(["a", "b"], fail=fail)
    driven = fold_stream(stream, _Folder().fold, _mapped, close=True)
    if fail:
        with pytest.raises(InvalidInputError):
            list(driven)
    else:
        assert [r.delta for r in driven] == ["a", "b"]
    assert stream.closed == 1


def test_fold_stream_closes_an_abandoned_stream_and_skips_a_none_final() -> None:
    stream = _ClosableStream(["a", "b"])
    driven = fold_stream(stream, _Folder().fold, _mapped, lambda: None, close=True)
    assert next(driven).delta == "a"
    driven.close()
    assert stream.closed == 1
    assert [r.delta for r in fold_stream(["x"], _Folder().fold, _mapped, lambda: None)] == ["x"]


def test_afold_stream_awaits_close_and_raises_unchained() -> None:
    stream = _ClosableStream(["a"], fail=True)
    stream.is_async = True

    async def run() -> BaseException:
        with pytest.raises(InvalidInputError) as info:
            async for _ in afold_stream(stream, _Folder().fold, _mapped, close=True):
                pass
        return info.value

    error = asyncio.run(run())
    assert stream.closed == 1
    assert error.__context__ is None


def test_afold_stream_matches_the_sync_driver_and_maps_errors() -> None:
    async def run() -> tuple[list[str | None], str]:
        folder = _Folder()
        deltas = [r.delta async for r in afold_stream(_agen(["p", "q"]), folder.fold, _mapped, folder.final)]
        failing = afold_stream(_agen(["z"], fail=True), _Folder().fold, _mapped)
        try:
            async for _ in failing:
                pass
        except InvalidInputError as exc:
            return deltas, str(exc)
        return deltas, "no error"

    deltas, error = asyncio.run(run())
    assert deltas == ["p", "q", ""]
    assert "mapped: _Boom" in error


def test_chat_to_completion_keeps_text_delta_raw_and_extras() -> None:
    chats = [_reply("he", "he"), _reply("hey", "y")]
    chats[1].additional_kwargs["total_tokens"] = 3
    out = list(chat_to_completion(iter(chats)))
    assert [(c.text, c.delta) for c in out] == [("he", "he"), ("hey", "y")]
    assert out[1].additional_kwargs == {"total_tokens": 3}
    assert out[1] == CompletionResponse(text="hey", delta="y", additional_kwargs={"total_tokens": 3})

    async def collect() -> list[str]:
        async def chats_async() -> Any:
            for chat in chats:
                yield chat

        return [c.text async for c in achat_to_completion(chats_async())]

    assert asyncio.run(collect()) == ["he", "hey"]


def test_built_equals_the_validated_model() -> None:
    values: dict[str, Any] = {"text": "t", "raw": None, "delta": "d", "logprobs": None, "additional_kwargs": {}}
    made = built(CompletionResponse, values, frozenset({"text", "delta"}))
    assert made == CompletionResponse(text="t", delta="d")
    assert made.model_fields_set == {"text", "delta"}


@pytest.mark.parametrize(("allow", "expected"), [(False, 1), (True, 2)])
def test_first_tool_call_mixin_trims_unless_parallel_allowed(allow: bool, expected: int) -> None:
    response = _reply("", "")
    response.message.additional_kwargs["tool_calls"] = [{"id": "1"}, {"id": "2"}]
    FirstToolCallMixin()._validate_chat_with_tools_response(response, [], allow_parallel_tool_calls=allow)
    assert len(response.message.additional_kwargs["tool_calls"]) == expected


class _Settings(TypedSettingsErrors):
    timeout: float = Field(default=1.0, gt=0)
    api_key: SecretStr | None = None


def test_typed_settings_errors_name_the_class_and_field_not_the_secret() -> None:
    with pytest.raises(InvalidInputError, match=r"invalid _Settings settings: timeout: .*greater than 0") as info:
        _Settings(timeout=-1, api_key="sk-hidden-value")
    assert "sk-hidden-value" not in str(info.value)
    assert info.value.__cause__ is None
    assert _Settings(timeout=2).timeout == 2


class _Point(BaseModel):
    x: int


def test_parse_json_answer_validates_or_raises_with_raw_output() -> None:
    assert parse_json_answer(_Point, _reply('{"x": 3}', "")) == _Point(x=3)
    with pytest.raises(OutputParserError, match="not a valid _Point") as info:
        parse_json_answer(_Point, _reply('{"x": "three"}', ""))
    assert info.value.raw_output == '{"x": "three"}'


def test_tool_calls_in_returns_calls_or_the_documented_error() -> None:
    response = _reply("no tools", "")
    assert tool_calls_in(response, error_on_no_tool_call=False) == []
    with pytest.raises(InvalidInputError, match="without calling a tool; pass tool_required=True"):
        tool_calls_in(response)
    response.message.additional_kwargs["tool_calls"] = [{"id": "c1"}]
    assert tool_calls_in(response) == [{"id": "c1"}]


def test_typed_settings_errors_still_refuse_unknown_keywords() -> None:
    with pytest.raises(TypeError, match="timout"):
        _Settings(timout=2)


def test_stream_response_is_the_message_so_far() -> None:
    thinking = [ThinkingBlock(content="hmm")]
    response = stream_response(thinking, "Hello wor", {"tool_calls": []}, "wor", {"usage": 1}, raw={"i": 3})
    assert response.delta == "wor"
    assert response.raw == {"i": 3}
    assert response.additional_kwargs == {"usage": 1}
    message = response.message
    assert message.role == MessageRole.ASSISTANT
    assert message.content == "Hello wor"
    assert message.additional_kwargs == {"tool_calls": []}
    assert [type(b).__name__ for b in message.blocks] == ["ThinkingBlock", "TextBlock"]
    assert thinking == [ThinkingBlock(content="hmm")]  # the caller's list is not extended
    assert response == ChatResponse.model_validate(response.model_dump())  # what validation would build
    empty = stream_response([], "", {}, "", {}, raw=None)
    assert empty.message.blocks == []
    assert not empty.message.content


def test_settings_of_reads_the_owners_fields_of_the_same_names() -> None:
    @dataclasses.dataclass
    class Settings(SettingsOf):
        timeout: float
        headers: dict[str, str] | None = None
        derived: int = dataclasses.field(init=False, default=0)

    class Owner:
        timeout = 2.5
        headers = {"x": "y"}
        unrelated = "ignored"

    settings = Settings.of(Owner())
    assert (settings.timeout, settings.headers, settings.derived) == (2.5, {"x": "y"}, 0)


def test_add_turn_merges_consecutive_turns_of_one_role() -> None:
    turns: list[dict[str, Any]] = []
    message = ChatMessage(role=MessageRole.USER, content="x")
    add_turn(turns, "user", "parts", [{"text": "a"}], 0, message)
    add_turn(turns, "user", "parts", [{"text": "b"}], 1, message)
    add_turn(turns, "model", "parts", [{"text": "c"}], 2, message)
    assert turns == [
        {"role": "user", "parts": [{"text": "a"}, {"text": "b"}]},
        {"role": "model", "parts": [{"text": "c"}]},
    ]


def test_add_turn_refuses_a_message_with_nothing_to_send() -> None:
    turns: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": "a"}]}]
    with pytest.raises(InvalidInputError, match=r"messages\[3\] \(assistant\) has no content to send"):
        add_turn(turns, "assistant", "content", [], 3, ChatMessage(role=MessageRole.ASSISTANT, content=""))
    assert turns == [{"role": "user", "content": [{"type": "text", "text": "a"}]}], "nothing was added"


def test_field_reads_mappings_and_attributes() -> None:
    assert field({"id": "a"}, "id") == "a"
    assert field(dataclasses.make_dataclass("Call", ["id"])("b"), "id") == "b"
    assert field({}, "id", "none") == "none"
    assert field(object(), "id") is None


def test_tool_definition_and_token_usage() -> None:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    definition = tool_definition(FunctionTool.from_defaults(add), "input_schema")
    assert definition["name"] == "add"
    assert "Add two integers." in definition["description"]
    assert set(definition["input_schema"]["properties"]) == {"a", "b"}
    expected = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "cached": 1}
    assert token_usage(3, 4, {"cached": 1}) == expected


class _ToolRequester(ToolRequestMixin):
    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        return {"tools": [t.metadata.get_name() for t in tools], "required": tool_required}


def test_tool_request_mixin_adds_tool_fields_only_when_there_are_tools() -> None:
    def ping() -> str:
        """Answer pong."""
        return "pong"

    history = [ChatMessage(role=MessageRole.SYSTEM, content="s")]
    request = _ToolRequester()._prepare_chat_with_tools(
        [FunctionTool.from_defaults(ping)], user_msg="hi", chat_history=history, tool_required=True, temperature=0
    )
    assert [m.content for m in request["messages"]] == ["s", "hi"]
    assert request["tools"] == ["ping"]
    assert request["required"] is True
    assert request["temperature"] == 0
    assert set(_ToolRequester()._prepare_chat_with_tools([], user_msg="hi")) == {"messages"}


class _City(BaseModel):
    name: str


class _JsonChat(ChatFirstFunctionCallingLLM):
    """Answers every chat with the JSON of a city and records the chat keyword arguments."""

    native: bool = False
    seen: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="json-chat", is_chat_model=True, is_function_calling_model=True)

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        self.seen.append({"kwargs": kwargs, "prompt": messages[-1].content or ""})
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content='{"name": "Lyon"}'))

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self.chat(messages, **kwargs)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return iter([self.chat(messages, **kwargs)])  # type: ignore[return-value]

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        async def one() -> ChatResponseAsyncGen:
            yield self.chat(messages, **kwargs)

        return one()

    def _tool_request(
        self, tools: Sequence[BaseTool], tool_required: bool, allow_parallel_tool_calls: bool
    ) -> dict[str, Any]:
        return {}

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        return []

    def _structured_request(
        self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return {**(llm_kwargs or {}), "format": output_cls.model_json_schema()} if self.native else None


@pytest.mark.parametrize("native", [True, False])
def test_structured_predict_uses_the_native_request_or_falls_back_to_format_instructions(native: bool) -> None:
    llm = _JsonChat(native=native)
    assert llm.structured_predict(_City, "Where? {q}", llm_kwargs={"seed": 1}, q="x") == _City(name="Lyon")
    assert asyncio.run(llm.astructured_predict(_City, "Where? {q}", q="x")) == _City(name="Lyon")
    first, second = llm.seen
    if native:
        assert first["kwargs"] == {"seed": 1, "format": _City.model_json_schema()}
        assert first["prompt"] == "Where? x", "the prompt is sent as written"
        assert "format" in second["kwargs"]
    else:
        assert first["kwargs"] == {"seed": 1}
        assert "name" in first["prompt"], "format instructions with the schema are appended"
        assert second["kwargs"] == {}


class _NativeCompletionLLM(CustomLLM):
    """A completion LLM (not chat-first) whose provider has a structured-output request answered in XML-ish text."""

    seen: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="native-completion")

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.seen.append({"kwargs": kwargs, "prompt": prompt})
        return CompletionResponse(text="<name>Lyon</name>" if kwargs.get("schema") else "no")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        yield self.complete(prompt, formatted, **kwargs)

    def _structured_request(
        self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        return {"schema": output_cls.__name__}

    def _structured_answer(self, output_cls: type[M], response: ChatResponse, request: dict[str, Any]) -> M:
        name = (response.message.content or "").removeprefix("<name>").removesuffix("</name>")
        return output_cls.model_validate({"name": name})


def test_any_llm_can_answer_structured_predict_through_its_native_request() -> None:
    llm = _NativeCompletionLLM()
    assert llm.structured_predict(_City, "Where? {q}", q="x") == _City(name="Lyon")
    assert asyncio.run(llm.astructured_predict(_City, "Where? {q}", q="y")) == _City(name="Lyon")
    assert [seen["kwargs"] for seen in llm.seen] == [{"schema": "_City"}, {"schema": "_City"}]
    assert all("Where?" in seen["prompt"] for seen in llm.seen), "the prompt reaches the model through chat"


def test_the_default_native_answer_is_json_text_or_an_output_parser_error() -> None:
    class _BadJson(_JsonChat):
        def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content="Lyon"))

    with pytest.raises(OutputParserError, match="not a valid _City") as info:
        _BadJson(native=True).structured_predict(_City, "Where?")
    assert info.value.raw_output == "Lyon"


class _Words(StreamFold[ChatResponse]):
    """Accumulates words; closes the SDK stream; ends with a usage response."""

    __slots__ = ("text",)
    close_stream = True

    def __init__(self) -> None:
        self.text = ""

    def fold(self, chunk: Any) -> list[ChatResponse]:
        self.text += chunk
        return [_reply(self.text, chunk)]

    def final(self) -> ChatResponse:
        return ChatResponse(
            message=ChatMessage(role="assistant", content=self.text), delta="", additional_kwargs={"n": 2}
        )


def test_stream_fold_entry_points_use_a_fresh_state_and_close_the_stream() -> None:
    first, second = _ClosableStream(["a", "b"]), _ClosableStream(["c"])
    assert [r.delta for r in _Words.stream(first, _mapped)] == ["a", "b", ""]
    assert [r.text for r in _Words.stream(second, _mapped)] == ["c", "c"], "each stream gets its own state"
    assert (first.closed, second.closed) == (1, 1)

    async def run() -> list[ChatResponse]:
        stream = _ClosableStream(["x"])
        stream.is_async = True
        return [r async for r in _Words.astream(stream, _mapped)]

    assert [r.additional_kwargs for r in asyncio.run(run())] == [{}, {"n": 2}]
