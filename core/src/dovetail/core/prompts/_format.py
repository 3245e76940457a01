"""Template formatting as LlamaIndex users expect it: ``{name}`` is a variable, anything else stays literal.

Two kinds of template are told apart by whether Python's ``str.format`` could read them:

- A *format-style* template (every ``{...}`` field is a name, literal braces escaped as ``{{``/``}}``) is
  rendered like ``str.format``: ``{{`` and ``}}`` become single braces. dovetail's and LlamaIndex's default
  prompts, and JSON escaped the old way, are of this kind.
- Any other template — one with literal JSON such as ``'Reply as {"name": ...}: {q}'`` — keeps every brace that
  is not a ``{name}`` field exactly as written.

In both, a variable without a value is left as ``{name}`` (for a later ``format`` call), as LlamaIndex does, and
values given for names the template does not use are ignored: query engines pass the same variables to every
template.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from dovetail.core._exceptions import InvalidInputError

__all__ = ["format_template", "template_vars_of"]

_MAX_WIDTH = 10_000
"""Largest width/precision a field's format spec may ask for: ``{x:>999999999}`` would allocate a gigabyte."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_BODY = r"([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[[^\[\]{}]*\])*)(![rsa])?(:[^{}]*)?\}"
_FIELD = re.compile(r"\{" + _FIELD_BODY)
_FIELD_OR_ESCAPE = re.compile(r"\{\{|\}\}|\{" + _FIELD_BODY)
_FORMATTER = string.Formatter()


def _is_format_style(template: str) -> bool:
    try:
        fields = [field for _, field, _, _ in _FORMATTER.parse(template) if field is not None]
    except ValueError:
        return False
    return all(_NAME.fullmatch(field.split(".", 1)[0].split("[", 1)[0]) for field in fields)


def _pattern(template: str) -> re.Pattern[str]:
    return _FIELD_OR_ESCAPE if _is_format_style(template) else _FIELD


def template_vars_of(template: str) -> list[str]:
    """Variable names of ``template``, in order of first appearance.

    Example:
        ```python
        template_vars_of('Reply as {"name": ...} about {topic}')  # ["topic"]
        ```
    """
    names: list[str] = []
    for match in _pattern(template).finditer(template):
        name = match.group(1)
        if name is not None and name not in names:
            names.append(name)
    return names


def format_template(template: str, variables: Mapping[str, Any]) -> str:
    """Fill in the ``{name}`` fields of ``template`` that ``variables`` has; leave the others as written.

    A field may carry ``str.format`` conversions, specs and attribute/index access (``{n:>4}``, ``{item.name}``).

    Raises:
        InvalidInputError: a value the field cannot format (``{n:d}`` given text, ``{items[3]}`` a shorter list)
            or a width/precision over 10,000.
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name not in variables:
            return token
        spec = match.group(4) or ""
        if any(int(number) > _MAX_WIDTH for number in re.findall(r"\d+", spec)):
            msg = f"prompt template field {token} asks for a width over {_MAX_WIDTH}; use a smaller one"
            raise InvalidInputError(msg)
        try:
            return ("{0" + token[1 + len(name) :]).format(variables[name])
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # e.g. {n:d} given a string, {items[3]} given a shorter list, {x.missing}
            msg = f"prompt template field {token} cannot be filled in with this value: {type(exc).__name__}: {exc}"
            raise InvalidInputError(msg) from None

    return _pattern(template).sub(replace, template)
