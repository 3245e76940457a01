"""Request validation: the `_validate_request` hook and the default checks from metadata."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import CompletionResponseGen
from dovetail.core.llms import CustomLLM
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.llms import MockLLM
from dovetail.core.llms import TextBlock
from dovetail.core.llms import validate_request
from dovetail.core.testing.llm import add_numbers
from dovetail.core.testing.llm import tiny_png
from dovetail.core.tokenizers import set_global_tokenizer
from dovetail.core.tools import FunctionTool


class CountingLLM(CustomLLM):
    """Counts provider calls and the validation hook calls."""

    vision: bool = False
    provider_calls: int = 0
    validated: list[dict[str, Any]] = []

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="counting", context_window=50, num_output=10, supports_vision=self.vision)

    def _validate_request(self, **kwargs: Any) -> None:
        self.validated.append(kwargs)
        super()._validate_request(**kwargs)

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.provider_calls += 1
        return CompletionResponse(text="ok")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        self.provider_calls += 1
        yield CompletionResponse(text="ok", delta="ok")


async def test_hook_runs_once_before_every_entry_point() -> None:
    llm = CountingLLM(validated=[])
    llm.complete("a")
    list(llm.stream_complete("b"))
    llm.chat([ChatMessage(content="c")])
    list(llm.stream_chat([ChatMessage(content="d")]))
    await llm.acomplete("e")
    [c async for c in await llm.astream_complete("f")]
    await llm.achat([ChatMessage(content="g")])
    [c async for c in await llm.astream_chat([ChatMessage(content="h")])]
    assert [v.get("prompt") or v["messages"][-1].content for v in llm.validated] == list("abcdefgh")
    assert llm.provider_calls == 8


def test_too_long_prompt_is_refused_before_the_provider_is_called() -> None:
    llm = CountingLLM(validated=[])
    with pytest.raises(InvalidInputError, match="context window of 50 tokens"):
        llm.complete("word " * 60)
    with pytest.raises(InvalidInputError, match="context window of 50 tokens"):
        llm.chat([ChatMessage(content="word " * 30), ChatMessage(content="word " * 30)])
    with pytest.raises(InvalidInputError, match="context window of 50 tokens"):
        llm.stream_complete("word " * 60)
    assert llm.provider_calls == 0


def test_max_tokens_counts_against_the_window() -> None:
    llm = CountingLLM(validated=[])
    assert llm.complete("word " * 30, max_tokens=20).text == "ok"
    with pytest.raises(InvalidInputError, match="max_tokens=21"):
        llm.complete("word " * 30, max_tokens=21)
    with pytest.raises(InvalidInputError, match="positive"):
        llm.complete("x", max_tokens=-1)


def test_images_need_supports_vision() -> None:
    message = ChatMessage(blocks=[TextBlock(text="what?"), ImageBlock(image=tiny_png())])
    with pytest.raises(InvalidInputError, match="supports_vision=False"):
        CountingLLM(validated=[]).chat([message])
    assert CountingLLM(validated=[], vision=True).chat([message]).message.content == "ok"


def test_tools_need_a_function_calling_model() -> None:
    tool = FunctionTool.from_defaults(add_numbers)
    with pytest.raises(InvalidInputError, match="is_function_calling_model=False"):
        validate_request(LLMMetadata(), prompt="x", tools=[tool])
    with pytest.raises(InvalidInputError, match="is_function_calling_model=False"):
        CountingLLM(validated=[]).chat([ChatMessage(content="x")], tools=[tool.metadata.to_openai_tool()])

    class NoTools(MockFunctionCallingLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="old", is_function_calling_model=False)

    with pytest.raises(InvalidInputError, match="'old' does not support tool calling"):
        NoTools().chat_with_tools([tool], user_msg="add_numbers {}")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda llm: llm.complete(b"bytes"), "str prompt"),
        (lambda llm: llm.complete(None), "str prompt"),
        (lambda llm: llm.chat("hello"), "list of ChatMessage"),
        (lambda llm: llm.chat([{"role": "user", "content": "x"}]), r"messages\[0\] is a dict"),
        (
            lambda llm: llm.chat([ChatMessage(content="a"), "b"]),
            r"^messages\[1\] is a str, not a ChatMessage; wrap it in ChatMessage\(\.\.\.\)$",
        ),
        (lambda llm: llm.chat([]), "at least one"),
    ],
)
def test_wrong_types_are_typed_errors(call: Any, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call(MockLLM())


def test_count_uses_the_global_tokenizer() -> None:
    metadata = LLMMetadata(context_window=5)
    set_global_tokenizer(lambda text: list(text))  # one token per character
    try:
        with pytest.raises(InvalidInputError, match="about 6 tokens"):
            validate_request(metadata, prompt="abcdef")
        validate_request(metadata, prompt="abcde")
    finally:
        set_global_tokenizer(None)


def test_subclass_can_switch_validation_off() -> None:
    class Lenient(MockLLM):
        def _validate_request(self, **kwargs: Any) -> None:
            return None

    assert Lenient(context_window=5).complete("word " * 10).text == "word " * 10
