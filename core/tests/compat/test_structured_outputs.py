"""LlamaIndex's structured-output entry points: ``as_structured_llm`` and the pydantic programs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.llms import MockLLM
from dovetail.core.llms.structured_llm import StructuredLLM
from dovetail.core.output_parsers import BaseOutputParser
from dovetail.core.output_parsers import PydanticOutputParser
from dovetail.core.program import FunctionCallingProgram
from dovetail.core.program import LLMTextCompletionProgram
from dovetail.core.prompts import PromptTemplate
from dovetail.core.testing.events import EventRecorder
from pydantic import BaseModel

FACTS = '{"name": "dovetail", "strength": 9}'


class Joint(BaseModel):
    """A woodworking joint."""

    name: str
    strength: int


EXPECTED = Joint(name="dovetail", strength=9)


def _user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


# ---- as_structured_llm --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "llm", [MockLLM(), MockFunctionCallingLLM(pydantic_program_mode="function")], ids=["text", "tool call"]
)
def test_a_structured_llm_answers_every_call_with_the_object(llm: MockLLM) -> None:
    sllm = llm.as_structured_llm(Joint)
    assert isinstance(sllm, StructuredLLM)
    prompt = f"Joint {FACTS}"
    completion = sllm.complete(prompt)
    assert completion.raw == EXPECTED
    assert Joint.model_validate_json(completion.text) == EXPECTED
    assert sllm.chat(_user(prompt)).raw == EXPECTED
    (chunk,) = list(sllm.stream_chat(_user(prompt)))
    assert (chunk.raw, chunk.delta) == (EXPECTED, chunk.message.content)
    assert [c.raw for c in sllm.stream_complete(prompt)] == [EXPECTED]

    async def run_async() -> list[Any]:
        streamed = [c.raw async for c in await sllm.astream_chat(_user(prompt))]
        streamed += [c.raw async for c in await sllm.astream_complete(prompt)]
        return [(await sllm.achat(_user(prompt))).raw, (await sllm.acomplete(prompt)).raw, *streamed]

    assert asyncio.run(run_async()) == [EXPECTED] * 4


def test_a_structured_llm_reports_the_inner_llm_s_metadata_and_llama_index_s_class_name() -> None:
    inner = MockFunctionCallingLLM()
    sllm = inner.as_structured_llm(Joint)
    assert sllm.metadata == inner.metadata
    assert StructuredLLM.class_name() == "structured_llm"


def test_a_structured_llm_call_is_one_event_with_the_inner_call_nested() -> None:
    recorder = EventRecorder()
    manager = CallbackManager([recorder])
    sllm = MockLLM(callback_manager=manager).as_structured_llm(Joint, callback_manager=manager)
    sllm.complete(f"Joint {FACTS}")
    outer, inner = recorder.of("start", CBEventType.LLM)
    assert inner.parent_id == outer.event_id


def test_an_answer_that_does_not_fit_raises_the_parser_error() -> None:
    with pytest.raises(OutputParserError):
        MockLLM().as_structured_llm(Joint).complete("no object here")


# ---- LLMTextCompletionProgram -------------------------------------------------------------------------------


@pytest.mark.parametrize("llm", [MockLLM(), MockFunctionCallingLLM()], ids=["completion", "chat"])
def test_the_text_program_asks_with_format_instructions_and_parses(llm: MockLLM) -> None:
    program = LLMTextCompletionProgram.from_defaults(output_cls=Joint, prompt_template_str="Facts: {facts}", llm=llm)
    assert program.output_cls is Joint
    assert program(facts=FACTS) == EXPECTED
    assert asyncio.run(program.acall(facts=FACTS)) == EXPECTED


def test_the_text_program_s_answer_carries_the_format_instructions() -> None:
    program: LLMTextCompletionProgram[Joint] = LLMTextCompletionProgram.from_defaults(
        output_parser=PydanticOutputParser(Joint), prompt=PromptTemplate("{facts}"), llm=MockLLM(), verbose=True
    )
    with pytest.raises(OutputParserError) as info:
        program(facts="nothing")
    assert '"strength"' in info.value.raw_output  # the echoed prompt holds the JSON schema


def test_the_text_program_prints_the_raw_answer_when_verbose(capsys: pytest.CaptureFixture[str]) -> None:
    program = LLMTextCompletionProgram.from_defaults(
        output_cls=Joint, prompt_template_str="{facts}", llm=MockLLM(), verbose=True
    )
    program(facts=FACTS)
    assert FACTS in capsys.readouterr().out


class NotAJointParser(BaseOutputParser):
    def parse(self, output: str) -> Any:
        return {"name": "dict, not a Joint"}

    def format(self, query: str) -> str:
        return query

    def format_messages(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        return list(messages)


def test_the_text_program_checks_what_its_parser_returns() -> None:
    program = LLMTextCompletionProgram.from_defaults(
        output_parser=NotAJointParser(), output_cls=Joint, prompt_template_str="{x}", llm=MockLLM()
    )
    with pytest.raises(TypeError, match="not a Joint"):
        program(x="y")


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"output_cls": Joint}, "exactly one of prompt"),
        ({"output_cls": Joint, "prompt_template_str": "a", "prompt": PromptTemplate("b")}, "exactly one of prompt"),
        ({"prompt_template_str": "a"}, "output_cls"),
        ({"output_parser": NotAJointParser(), "prompt_template_str": "a"}, "output_cls"),
    ],
)
def test_the_text_program_says_what_it_is_missing(keywords: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LLMTextCompletionProgram.from_defaults(llm=MockLLM(), **keywords)


def test_a_misspelt_program_keyword_names_the_right_one() -> None:
    with pytest.raises(TypeError, match="prompt_template_str"):
        LLMTextCompletionProgram.from_defaults(output_cls=Joint, prompt_template="{x}")  # type: ignore[call-arg]


# ---- FunctionCallingProgram ---------------------------------------------------------------------------------


def test_the_function_program_answers_through_a_tool_call(capsys: pytest.CaptureFixture[str]) -> None:
    program = FunctionCallingProgram.from_defaults(
        output_cls=Joint, prompt_template_str="Joint: {facts}", llm=MockFunctionCallingLLM(), verbose=True
    )
    assert program(facts=FACTS) == EXPECTED
    assert "Calling function: Joint" in capsys.readouterr().out
    assert asyncio.run(program.acall(facts=FACTS)) == EXPECTED


def test_the_function_program_needs_a_model_that_calls_tools() -> None:
    program = FunctionCallingProgram.from_defaults(output_cls=Joint, prompt_template_str="{x}", llm=MockLLM())
    with pytest.raises(ConfigurationError, match="cannot call tools"):
        program(x="y")


@pytest.mark.parametrize("keywords", [{"allow_parallel_tool_calls": True}, {"tool_choice": "auto"}])
def test_the_function_program_takes_parallel_calls_and_tool_choice_only_at_their_defaults(
    keywords: dict[str, Any],
) -> None:
    with pytest.raises(TypeError, match="exactly one call"):
        FunctionCallingProgram.from_defaults(
            output_cls=Joint, prompt_template_str="{x}", llm=MockFunctionCallingLLM(), **keywords
        )


def test_stream_structured_predict_yields_the_finished_object() -> None:
    llm = MockFunctionCallingLLM(pydantic_program_mode="function")
    prompt = PromptTemplate("Joint {facts}")
    assert list(llm.stream_structured_predict(Joint, prompt, facts=FACTS)) == [EXPECTED]

    async def collect() -> list[Joint]:
        return [obj async for obj in await llm.astream_structured_predict(Joint, prompt, facts=FACTS)]

    assert asyncio.run(collect()) == [EXPECTED]


def test_programs_take_llm_kwargs_first_and_refuse_other_positional_arguments() -> None:
    text = LLMTextCompletionProgram.from_defaults(output_cls=Joint, prompt_template_str="{facts}", llm=MockLLM())
    tool = FunctionCallingProgram.from_defaults(
        output_cls=Joint, prompt_template_str="Joint: {facts}", llm=MockFunctionCallingLLM()
    )
    for program in (text, tool):
        assert program(None, facts=FACTS) == EXPECTED  # LlamaIndex's positional llm_kwargs
        with pytest.raises(TypeError, match="positional"):
            program(None, "stray", facts=FACTS)
        with pytest.raises(TypeError, match="llm_kwargs must be a dict"):
            program("temperature=0", facts=FACTS)  # type: ignore[arg-type]  # the wrong type, on purpose
        with pytest.raises(TypeError, match="positional"):
            asyncio.run(program.acall(None, "stray", facts=FACTS))
