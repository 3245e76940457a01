"""Prompt templates as LlamaIndex documents them: literal JSON, partial formats, output parsers, var mappings."""
# These tests call the API the way LlamaIndex users do (positional model fields, keyword dicts, wrong
# types on purpose) and check the runtime answer, which the type checker cannot see.
# mypy: disable-error-code="arg-type,misc,call-arg,assignment,comparison-overlap,attr-defined"

from __future__ import annotations

from dovetail.core import ChatPromptTemplate
from dovetail.core import PromptTemplate
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MessageRole
from dovetail.core.output_parsers import PydanticOutputParser
from dovetail.core.prompts.base import PromptTemplate as PathPromptTemplate
from pydantic import BaseModel


class Person(BaseModel):
    name: str
    age: int


def test_literal_json_braces_do_not_raise_and_stay() -> None:
    prompt = PromptTemplate('Reply as {"name": "...", "age": 0}: {q}')
    assert prompt.template_vars == ["q"]
    assert prompt.format(q="who?") == 'Reply as {"name": "...", "age": 0}: who?'


def test_escaped_braces_still_unescape() -> None:
    assert PromptTemplate('as {{"a": 1}} for {q}').format(q="x") == 'as {"a": 1} for x'


def test_partial_format_leaves_unfilled_variables() -> None:
    prompt = PromptTemplate("{context_str} then {query_str}")
    assert prompt.format(context_str="ctx") == "ctx then {query_str}"
    assert prompt.partial_format(query_str="q").format() == "{context_str} then q"


def test_output_parser_appends_format_instructions_and_is_not_a_variable() -> None:
    parser = PydanticOutputParser(Person)
    prompt = PromptTemplate("Describe {who}.", output_parser=parser)
    assert prompt.output_parser is parser
    assert "output_parser" not in prompt.kwargs
    text = prompt.format(who="Ada")
    assert text.startswith("Describe Ada.")
    assert parser.get_format_string(escape_json=False) in text
    (message,) = prompt.format_messages(who="Ada")
    assert message.content == text


def test_template_var_mappings_rename_the_callers_variables() -> None:
    prompt = PromptTemplate(
        "Context: {my_context}\nQ: {my_query}",
        template_var_mappings={"context_str": "my_context", "query_str": "my_query"},
    )
    assert "template_var_mappings" not in prompt.kwargs
    assert prompt.format(context_str="c", query_str="q") == "Context: c\nQ: q"
    assert prompt.partial_format(context_str="c2").format(query_str="q2") == "Context: c2\nQ: q2"


def test_function_mappings_compute_a_variable() -> None:
    prompt = PromptTemplate("{shout}", function_mappings={"shout": lambda **kw: kw["word"].upper()})
    assert prompt.format(word="hey") == "HEY"


def test_metadata_is_kept() -> None:
    assert PromptTemplate("x", metadata={"lang": "en"}).metadata == {"lang": "en"}


def test_chat_template_with_output_parser_and_llamaindex_path() -> None:
    parser = PydanticOutputParser(Person)
    chat = ChatPromptTemplate.from_messages([("system", "Be brief."), ("user", "Tell me about {who}")])
    chat = ChatPromptTemplate(chat.message_templates, output_parser=parser)
    system, user = chat.format_messages(who="Ada")
    assert parser.get_format_string(escape_json=False) in (system.content or "")
    assert user.content == "Tell me about Ada"
    assert PathPromptTemplate is PromptTemplate


def test_output_parser_format_messages_targets_system_or_last() -> None:
    parser = PydanticOutputParser(Person)
    instructions = parser.get_format_string(escape_json=False)
    with_system = [ChatMessage(role=MessageRole.SYSTEM, content="sys"), ChatMessage("hi")]
    out = parser.format_messages(with_system)
    assert instructions in (out[0].content or "")
    assert out[1].content == "hi"
    assert with_system[0].content == "sys", "the given messages are not changed"
    out = parser.format_messages([ChatMessage("a"), ChatMessage("b")])
    assert out[0].content == "a"
    assert instructions in (out[1].content or "")


def test_function_mappings_see_the_callers_names_before_template_mappings() -> None:
    prompt = PromptTemplate(
        "{joined} / {right}",
        template_var_mappings={"left_in": "joined", "right_in": "right"},
        function_mappings={"left_in": lambda **kw: f"{kw['left_in']}+{kw['right_in']}"},
    )
    assert prompt.format(left_in="a", right_in="b") == "a+b / b"


def test_prompt_type_values_are_strings() -> None:
    from dovetail.core.prompts import PromptType

    assert PromptType.QUESTION_ANSWER == "text_qa"
    assert PromptTemplate("x", prompt_type=PromptType.CONVERSATION).prompt_type == "conversation"
