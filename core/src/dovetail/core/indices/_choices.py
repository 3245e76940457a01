"""LlamaIndex's ``default_parse_choice_select_answer_fn``: read an LLM's numbered picks and their relevance."""

from __future__ import annotations

import re

from dovetail.core._exceptions import OutputParserError

__all__ = ["default_parse_choice_select_answer_fn"]

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _number_after_colon(part: str) -> float | None:
    _, colon, value = part.partition(":")
    found = _NUMBER.search(value) if colon else None
    return float(found.group()) if found else None


def default_parse_choice_select_answer_fn(
    answer: str, num_choices: int, raise_error: bool = False
) -> tuple[list[int], list[float]]:
    """The picked numbers and their relevances from lines such as ``Doc: 2, Relevance: 8`` (any labels before
    the colons; text after the relevance is ignored).

    A line whose number or relevance cannot be read is skipped whole, so the two lists stay aligned; numbers
    above ``num_choices`` are dropped.

    Raises:
        OutputParserError: a non-empty line cannot be read and ``raise_error`` is true (also a ``ValueError``).
    """
    numbers: list[int] = []
    relevances: list[float] = []
    for line in answer.strip().splitlines():
        parts = line.split(",")
        number = _number_after_colon(parts[0]) if parts else None
        relevance = _number_after_colon(parts[1]) if len(parts) > 1 else None
        if number is None or relevance is None or not number.is_integer():
            if raise_error and line.strip():
                msg = f"cannot read a choice from {line!r}; expected a line like 'Doc: 2, Relevance: 8'"
                raise OutputParserError(msg, raw_output=answer)
            continue
        if int(number) > num_choices:
            continue
        numbers.append(int(number))
        relevances.append(relevance)
    return numbers, relevances
