"""Argument schemas of Python functions: types, defaults and descriptions, for ``FunctionTool``.

Descriptions come from, in order: ``Annotated[T, "description"]`` (or ``Annotated[T, Field(description=...)]``),
a ``pydantic.Field(..., description=...)`` default, and the docstring — Google ``Args:``, Sphinx
``:param x: ...`` and Epydoc ``@param x: ...`` styles are all read.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from collections.abc import Collection
from typing import Annotated
from typing import Any
from typing import get_args
from typing import get_origin
from typing import get_type_hints

from pydantic import BaseModel
from pydantic import Field
from pydantic import create_model
from pydantic.fields import FieldInfo

__all__ = ["docstring_summary_and_args", "field_defaults", "schema_from_function", "signature_of"]

_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$")
_ARG_LINE = re.compile(r"^\s+(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_SECTION = re.compile(r"^\s*(Returns|Raises|Yields|Example|Examples):")
# Sphinx ":param x: text" / ":param int x: text"; Epydoc "@param x: text" / "@param x text".
_SPHINX_PARAM = re.compile(r"^\s*:param\s+(?:[^:]*?\s+)?\*{0,2}(\w+)\s*:\s*(.*)$")
_EPYDOC_PARAM = re.compile(r"^\s*@param\s+\*{0,2}(\w+)\s*:?\s*(.*)$")
_FIELD_LIST_OTHER = re.compile(r"^\s*[:@](type|rtype|return|returns|raise|raises|keyword|kwarg|var|ivar)\b")


def _google_line(line: str, state: dict[str, Any], args: dict[str, str]) -> bool:
    """Consume one line of an ``Args:`` section; False when the section has ended."""
    if line.strip() and not line.startswith((" ", "\t")):
        return False
    match = _ARG_LINE.match(line)
    current = state.get("current", "")
    if match and (not current or len(line) - len(line.lstrip()) <= 8):
        state["current"] = match.group(1).lstrip("*")
        args[state["current"]] = match.group(2).strip()
    elif current and line.strip():
        args[current] = f"{args[current]} {line.strip()}"
    return True


def docstring_summary_and_args(doc: str) -> tuple[str, dict[str, str]]:
    """Split a docstring into its description and per-argument descriptions (Google, Sphinx or Epydoc)."""
    summary: list[str] = []
    args: dict[str, str] = {}
    state: dict[str, Any] = {}
    in_args = in_field = False
    for line in doc.splitlines():
        if _ARGS_HEADER.match(line):
            in_args, state = True, {}
            continue
        if in_args and _google_line(line, state, args):
            continue
        in_args = False
        param = _SPHINX_PARAM.match(line) or _EPYDOC_PARAM.match(line)
        if param:
            state["field"] = param.group(1)
            args[param.group(1)] = param.group(2).strip()
            in_field = True
            continue
        if _FIELD_LIST_OTHER.match(line):
            in_field = False
            state.pop("field", None)
            continue
        if in_field and line.startswith((" ", "\t")) and line.strip() and "field" in state:
            args[state["field"]] = f"{args[state['field']]} {line.strip()}"
            continue
        in_field = False
        if _SECTION.match(line):
            break
        summary.append(line)
    return "\n".join(summary).strip(), args


def signature_of(fn: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations resolved when possible (``from __future__ import annotations``)."""
    try:
        return inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        return inspect.signature(fn)


def _annotated_description(annotation: Any) -> tuple[Any, str | None]:
    """``Annotated[T, "text", ...]`` → (``Annotated[T, ...]`` without the text, "text")."""
    if get_origin(annotation) is not Annotated:
        return annotation, None
    base, *extras = get_args(annotation)
    texts = [extra for extra in extras if isinstance(extra, str)]
    if not texts:
        return annotation, None
    rest = [extra for extra in extras if not isinstance(extra, str)]
    return (Annotated[(base, *rest)] if rest else base), texts[0]


def field_defaults(fn: Callable[..., Any]) -> dict[str, FieldInfo]:
    """Parameters of ``fn`` whose default is a ``pydantic.Field(...)`` (Python would pass the FieldInfo itself)."""
    return {
        name: param.default
        for name, param in signature_of(fn).parameters.items()
        if isinstance(param.default, FieldInfo)
    }


def schema_from_function(name: str, fn: Callable[..., Any], exclude: Collection[str] = ()) -> type[BaseModel]:
    """A pydantic model of ``fn``'s arguments (types, defaults, descriptions), without the ``exclude`` ones.

    Example:
        ```python
        def search(query: Annotated[str, "what to look for"], limit: int = Field(5, description="max hits")): ...
        schema_from_function("search", search).model_json_schema()["properties"]["query"]["description"]
        ```
    """
    try:
        hints = get_type_hints(fn, include_extras=True)
    except (NameError, TypeError):
        hints = {}
    _, arg_docs = docstring_summary_and_args(inspect.getdoc(fn) or "")
    fields: dict[str, Any] = {}
    for param in signature_of(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or param.name in ("self", "cls"):
            continue
        if param.name in exclude:
            continue
        annotation, described = _annotated_description(hints.get(param.name, Any))
        description = described or arg_docs.get(param.name)
        if isinstance(param.default, FieldInfo):
            field = param.default
            if description and not field.description:
                field = FieldInfo.merge_field_infos(field, description=description)
        else:
            default = ... if param.default is inspect.Parameter.empty else param.default
            field = Field(default, description=description) if description else Field(default)
        fields[param.name] = (annotation, field)
    model: type[BaseModel] = create_model(name, **fields)
    return model
