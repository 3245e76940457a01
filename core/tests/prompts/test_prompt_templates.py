"""Prompt templates and the default synthesis prompts."""

from __future__ import annotations

import pytest
from dovetail.core import PromptTemplate
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MessageRole
from dovetail.core.llms import MockLLM
from dovetail.core.prompts import DEFAULT_REFINE_PROMPT
from dovetail.core.prompts import DEFAULT_TEXT_QA_PROMPT
from dovetail.core.prompts import ChatPromptTemplate


def test_format_and_template_vars() -> None:
    prompt = PromptTemplate("Context: {context_str}\nQ: {query_str}\nA: {context_str}")
    assert prompt.template_vars == ["context_str", "query_str"]
    assert prompt.format(context_str="c", query_str="q") == "Context: c\nQ: q\nA: c"


def test_missing_variable_is_left_for_a_later_format() -> None:
    assert PromptTemplate("{context_str} {query_str}").format(context_str="c") == "c {query_str}"


def test_extra_variables_are_ignored_and_braces_escape() -> None:
    prompt = PromptTemplate('Answer as JSON like {{"a": 1}} about {topic}')
    assert prompt.template_vars == ["topic"]
    assert prompt.format(topic="x", unused=1) == 'Answer as JSON like {"a": 1} about x'


def test_partial_format_returns_a_copy() -> None:
    base = PromptTemplate("{a}-{b}", x_label="ignored")
    partial = base.partial_format(a="1")
    assert partial.format(b="2") == "1-2"
    assert partial.format(a="9", b="2") == "9-2", "call arguments win over partials"
    assert base.format(b="2") == "{a}-2"


def test_function_mappings() -> None:
    prompt = PromptTemplate("{n} items: {listing}", function_mappings={"listing": lambda **kw: ", ".join(kw["items"])})
    assert prompt.format(n=2, items=["x", "y"]) == "2 items: x, y"


def test_format_messages_is_one_user_message() -> None:
    (message,) = PromptTemplate("hi {name}").format_messages(name="ann")
    assert message.role is MessageRole.USER
    assert message.content == "hi ann"


@pytest.mark.parametrize("template", ["{0}", "{}", "{a b}", "unbalanced {", "unbalanced }", '{"a": {"b": 1}}'])
def test_braces_that_are_not_variables_stay_literal(template: str) -> None:
    prompt = PromptTemplate(template)
    assert prompt.template_vars == []
    assert prompt.format(a=1, b=2) == template


def test_non_str_template() -> None:
    with pytest.raises(InvalidInputError, match="str template"):
        PromptTemplate(42)  # type: ignore[arg-type]


def test_chat_prompt_template() -> None:
    chat = ChatPromptTemplate.from_messages([("system", "Answer in {language}."), ChatMessage(content="{question}")])
    assert chat.template_vars == ["language", "question"]
    messages = chat.format_messages(language="French", question="Why?")
    assert [(m.role, m.content) for m in messages] == [
        (MessageRole.SYSTEM, "Answer in French."),
        (MessageRole.USER, "Why?"),
    ]
    assert chat.message_templates[0].content == "Answer in {language}.", "templates are not mutated"
    assert chat.format(language="de", question="q") == "system: Answer in de.\nuser: q\nassistant: "
    assert chat.partial_format(language="en").format_messages(question="x")[0].content == "Answer in en."
    assert chat.format_messages(language="x")[1].content == "{question}"


def test_default_qa_and_refine_prompts() -> None:
    assert DEFAULT_TEXT_QA_PROMPT.template_vars == ["context_str", "query_str"]
    assert set(DEFAULT_REFINE_PROMPT.template_vars) == {"query_str", "existing_answer", "context_msg"}
    qa = DEFAULT_TEXT_QA_PROMPT.format(context_str="Dovetails resist pulling.", query_str="What resists pulling?")
    assert "Dovetails resist pulling." in qa
    assert qa.rstrip().endswith("Answer:")
    refine = DEFAULT_REFINE_PROMPT.format(query_str="q", existing_answer="old", context_msg="new info")
    assert "old" in refine
    assert "new info" in refine


def test_predict_uses_system_prompt_and_chat_for_chat_models() -> None:
    llm = MockLLM(system_prompt="Be terse.")
    assert llm.predict(PromptTemplate("Q: {q}"), q="x") == "Be terse.\n\nQ: x"
    assert llm.predict("plain {q}", q="y") == "Be terse.\n\nplain y"
    assert "".join(llm.stream(PromptTemplate("{q}"), q="streamed")) == "Be terse.\n\nstreamed"


async def test_apredict_and_astream() -> None:
    llm = MockLLM()
    assert await llm.apredict(PromptTemplate("a {b}"), b="c") == "a c"
    assert "".join([d async for d in await llm.astream("x {y}", y="z")]) == "x z"
