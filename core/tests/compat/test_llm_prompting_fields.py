"""LlamaIndex's LLM fields output_parser, query_wrapper_prompt and pydantic_program_mode work as documented."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.llms import MockLLM
from dovetail.core.output_parsers import BaseOutputParser
from dovetail.core.output_parsers import PydanticOutputParser
from dovetail.core.prompts import PromptTemplate
from dovetail.core.testing.rate_limits import RecordingRateLimiter
from dovetail.core.types import PydanticProgramMode
from pydantic import BaseModel
from pydantic import ValidationError


class ShoutingParser(BaseOutputParser):
    """Adds a format instruction and upper-cases the answer, so both steps show in the result."""

    def parse(self, output: str) -> Any:
        return output.upper()

    def format(self, query: str) -> str:
        return f"{query} (answer loudly)"

    def format_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        *rest, last = messages
        return [*rest, ChatMessage(role=last.role, content=self.format(last.content or ""))]


class Joint(BaseModel):
    """A woodworking joint."""

    name: str
    strength: int


# ---- output_parser ---------------------------------------------------------------------------------------


def test_predict_formats_the_prompt_and_parses_the_answer_with_the_llm_s_output_parser() -> None:
    llm = MockLLM(output_parser=ShoutingParser())  # a completion model: the prompt is echoed
    assert llm.predict(PromptTemplate("glue the {part}"), part="tenon") == "GLUE THE TENON (ANSWER LOUDLY)"
    assert asyncio.run(llm.apredict("plane the edge")) == "PLANE THE EDGE (ANSWER LOUDLY)"


def test_a_chat_model_s_messages_get_the_format_instructions_too() -> None:
    llm = MockFunctionCallingLLM(output_parser=ShoutingParser())  # a chat model: the last message is echoed
    answer = llm.predict("cut the pins")  # the mock echoes the conversation as "user: ...\nassistant: "
    assert "CUT THE PINS (ANSWER LOUDLY)" in answer
    assert answer == answer.upper()


def test_a_pydantic_output_parser_returns_the_parsed_object_as_text() -> None:
    llm = MockLLM(output_parser=PydanticOutputParser(Joint))
    answer = llm.predict('{"name": "dovetail", "strength": 9}')
    assert answer == str(Joint(name="dovetail", strength=9))  # LlamaIndex returns str() of the parsed object


@pytest.mark.parametrize("where", ["llm", "prompt"])
def test_streaming_with_an_output_parser_is_refused_before_any_request(where: str) -> None:
    limiter = RecordingRateLimiter()
    parser = ShoutingParser()
    llm = MockLLM(rate_limiter=limiter, output_parser=parser if where == "llm" else None)
    prompt = PromptTemplate("sand it", output_parser=parser if where == "prompt" else None)
    with pytest.raises(NotImplementedError, match="predict"):
        llm.stream(prompt)
    with pytest.raises(NotImplementedError, match="predict"):
        asyncio.run(llm.astream(prompt))
    assert limiter.calls == []


def test_an_output_parser_must_be_one() -> None:
    with pytest.raises(TypeError, match="format_messages"):
        MockLLM(output_parser=str.upper)


def test_the_output_parser_stays_out_of_the_serialised_llm() -> None:
    llm = MockLLM(output_parser=ShoutingParser())
    assert "output_parser" not in llm.model_dump()


# ---- query_wrapper_prompt -------------------------------------------------------------------------------


def test_the_query_wrapper_wraps_completion_prompts_after_the_system_prompt() -> None:
    llm = MockLLM(system_prompt="You are a joiner.", query_wrapper_prompt=PromptTemplate("[INST] {query_str} [/INST]"))
    assert llm.predict("which joint?") == "[INST] You are a joiner.\n\nwhich joint? [/INST]"


def test_a_string_query_wrapper_is_a_template() -> None:
    llm = MockLLM(query_wrapper_prompt="<s>{query_str}</s>")
    assert llm.predict("mortise") == "<s>mortise</s>"


def test_chat_models_keep_their_messages_unwrapped() -> None:
    llm = MockFunctionCallingLLM(query_wrapper_prompt="[INST] {query_str} [/INST]")
    answer = llm.predict("tenon")
    assert "tenon" in answer
    assert "[INST]" not in answer


@pytest.mark.parametrize(("wrapper", "error"), [("no slot for the prompt", ValidationError), (42, TypeError)])
def test_a_query_wrapper_without_query_str_or_of_the_wrong_type_is_refused(wrapper: object, error: type) -> None:
    with pytest.raises(error, match="query_str"):
        MockLLM(query_wrapper_prompt=wrapper)


# ---- pydantic_program_mode ------------------------------------------------------------------------------


def test_function_mode_answers_through_one_tool_call() -> None:
    llm = MockFunctionCallingLLM(pydantic_program_mode=PydanticProgramMode.FUNCTION)
    prompt = PromptTemplate("Fill in the Joint: {facts}")
    facts = '{"name": "dovetail", "strength": 9}'
    assert llm.structured_predict(Joint, prompt, facts=facts) == Joint(name="dovetail", strength=9)
    assert asyncio.run(llm.astructured_predict(Joint, prompt, facts=facts)) == Joint(name="dovetail", strength=9)


def test_function_mode_reports_a_model_that_called_no_tool_or_gave_wrong_arguments() -> None:
    llm = MockFunctionCallingLLM(pydantic_program_mode="openai")
    with pytest.raises(OutputParserError, match="without calling"):
        llm.structured_predict(Joint, "no tool named here")
    with pytest.raises(OutputParserError, match="do not fit"):
        llm.structured_predict(Joint, 'Joint {"name": "butt"}')


def test_function_mode_needs_a_model_that_calls_tools() -> None:
    with pytest.raises(ConfigurationError, match="cannot call tools"):
        MockLLM(pydantic_program_mode="function").structured_predict(Joint, "x")


class NativeStructuredLLM(MockFunctionCallingLLM):
    """Claims a native structured-output request; the mock's chat refuses its keyword, so using it shows."""

    def _structured_request(self, output_cls: type[BaseModel], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
        return {"response_format": output_cls.__name__}


def test_llm_mode_uses_format_instructions_even_when_the_provider_has_a_native_request() -> None:
    facts = '{"name": "bridle", "strength": 7}'
    with pytest.raises(TypeError, match="response_format"):
        NativeStructuredLLM().structured_predict(Joint, facts)  # default mode: the native request is sent
    llm = NativeStructuredLLM(pydantic_program_mode="llm")
    assert llm.structured_predict(Joint, facts) == Joint(name="bridle", strength=7)


@pytest.mark.parametrize("mode", ["guidance", "lm-format-enforcer", "magic"])
def test_program_modes_dovetail_cannot_serve_are_refused_at_construction(mode: str) -> None:
    with pytest.raises(ValidationError, match="pydantic_program_mode"):
        MockLLM(pydantic_program_mode=mode)
