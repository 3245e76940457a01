"""Fuzz prompt templates: a template is accepted or refused with InvalidInputError, and formatting gives exactly
the template with its variables filled in, or InvalidInputError — never another exception, never a huge string."""

from __future__ import annotations

import string
from typing import Any

import pytest
from dovetail.core import PromptTemplate
from dovetail.core.errors import InvalidInputError
from dovetail.core.prompts import ChatPromptTemplate
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

NAMES = ["query_str", "context_str", "x", "_y", "name2"]
fields = st.one_of(
    st.sampled_from([f"{{{name}}}" for name in NAMES]),
    st.sampled_from(["{", "}", "{{", "}}", "{}", "{0}", "{x!r}", "{x!z}", "{x:>5}", "{x:>999999999}", "{x:{y}}"]),
    st.sampled_from(["{x.upper}", "{x[0]}", "{x.__class__}", "{x:d}", "{x:.3f}", "{query_str!s:^7}", "{ x }"]),
    st.text(alphabet=string.printable + "é字\x00", max_size=8),
)
templates = st.lists(fields, max_size=8).map("".join)
values = st.one_of(st.text(max_size=10), st.integers(), st.floats(allow_nan=True), st.lists(st.integers(), max_size=3))


def _expected(template: str, variables: dict[str, Any]) -> str | None:
    """The filled-in template for plain ``{name}`` fields (``None`` when the template uses anything fancier)."""
    parts = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:  # literal braces (e.g. JSON): kept as written, as in LlamaIndex; checked by the other asserts
        return None
    for literal, field, spec, conversion in parsed:
        parts.append(literal)
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            return None
        parts.append(str(variables[field]))
    return "".join(parts)


@given(template=templates, data=st.data())
def test_prompt_templates_fill_in_or_raise_invalid_input(template: str, data: st.DataObject) -> None:
    try:
        prompt = PromptTemplate(template)
    except InvalidInputError:
        return
    variables = {name: data.draw(values) for name in prompt.template_vars}
    try:
        result = prompt.format(**variables)
    except InvalidInputError:
        return
    assert isinstance(result, str)
    assert len(result) <= len(template) + sum(len(repr(v)) for v in variables.values()) * 4 + 10_000 * len(variables)
    expected = _expected(template, variables)
    if expected is not None:
        assert result == expected
    if prompt.template_vars:
        partial = prompt.partial_format(**{prompt.template_vars[0]: variables[prompt.template_vars[0]]})
        rest = {name: variables[name] for name in prompt.template_vars[1:]}
        assert partial.format(**rest) == result


@given(messages=st.lists(st.tuples(st.sampled_from(["system", "user", "assistant", "bogus"]), templates), max_size=3))
def test_chat_templates_fill_in_or_raise_invalid_input(messages: list[tuple[str, str]]) -> None:
    try:
        chat = ChatPromptTemplate.from_messages(messages)
        filled = chat.format_messages(**{name: "v" for name in chat.template_vars})
    except InvalidInputError:
        return
    assert len(filled) == len(messages)
