"""Templates and values that ``str.format`` cannot handle raise InvalidInputError (found by the fuzz suite)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dovetail.core import PromptTemplate
from dovetail.core.errors import InvalidInputError
from dovetail.core.prompts import ChatPromptTemplate


@pytest.mark.parametrize("template", ["{x:>999999999}", "{x:.999999999f}"])
def test_templates_that_would_allocate_without_bound_are_refused(template: str) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match="width over 10000"):
        PromptTemplate(template).format(x=1.5)
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("template", ["{x:{y}}", "{x!z}"])
def test_a_spec_taken_from_another_value_never_becomes_a_huge_string(template: str) -> None:
    try:
        text = PromptTemplate(template).format(x=1.5, y=">999999999")
    except InvalidInputError:
        return
    assert len(text) < 100


@pytest.mark.parametrize(
    ("template", "value"), [("{x:d}", "text"), ("{x[5]}", [1]), ("{x.missing}", "s"), ("{x[k]}", "str")]
)
def test_values_the_template_cannot_format_raise_invalid_input(template: str, value: Any) -> None:
    with pytest.raises(InvalidInputError, match="cannot be filled in"):
        PromptTemplate(template).format(x=value)


def test_a_reasonable_width_still_works() -> None:
    assert PromptTemplate("[{x:>5}]").format(x="ab") == "[   ab]"


def test_an_unknown_chat_role_raises_invalid_input() -> None:
    with pytest.raises(InvalidInputError, match="unknown chat role 'bogus'"):
        ChatPromptTemplate.from_messages([("bogus", "{x}")])
