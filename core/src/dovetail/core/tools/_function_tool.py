"""``FunctionTool``: turn a Python function into a tool, with the argument schema read from its signature."""

from __future__ import annotations

import asyncio
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any, get_type_hints

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.concurrency import run_in_thread
from dovetail.core.tools._types import AsyncBaseTool, ToolMetadata, ToolOutput
from pydantic import BaseModel, Field, create_model

__all__ = ["FunctionTool", "schema_from_function"]

_ARGS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters):\s*$")
_ARG_LINE = re.compile(r"^\s+(\*{0,2}\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def _docstring_summary_and_args(doc: str) -> tuple[str, dict[str, str]]:
    """Split a Google-style docstring into its text before ``Args:`` and per-argument descriptions."""
    summary: list[str] = []
    args: dict[str, str] = {}
    in_args, current = False, ""
    for line in doc.splitlines():
        if _ARGS_HEADER.match(line):
            in_args = True
            continue
        if in_args:
            if line.strip() and not line.startswith((" ", "\t")):
                in_args = False  # next section
            else:
                match = _ARG_LINE.match(line)
                if match and (not current or len(line) - len(line.lstrip()) <= 8):
                    current = match.group(1).lstrip("*")
                    args[current] = match.group(2).strip()
                elif current and line.strip():
                    args[current] = f"{args[current]} {line.strip()}"
                continue
        if not in_args and not re.match(r"^\s*(Returns|Raises|Yields|Example|Examples):", line):
            summary.append(line)
        elif not in_args:
            break
    return "\n".join(summary).strip(), args


def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations resolved when possible (``from __future__ import annotations``)."""
    try:
        return inspect.signature(fn, eval_str=True)
    except (NameError, TypeError, SyntaxError):
        return inspect.signature(fn)


def schema_from_function(name: str, fn: Callable[..., Any]) -> type[BaseModel]:
    """Build a pydantic model of ``fn``'s arguments (types from annotations, defaults, docstring descriptions)."""
    signature = _signature(fn)
    try:
        hints = get_type_hints(fn, include_extras=True)
    except (NameError, TypeError):
        hints = {}
    _, arg_docs = _docstring_summary_and_args(inspect.getdoc(fn) or "")
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or param.name in ("self", "cls"):
            continue
        annotation = hints.get(param.name, Any)
        default = ... if param.default is inspect.Parameter.empty else param.default
        description = arg_docs.get(param.name)
        field = Field(default, description=description) if description else Field(default)
        fields[param.name] = (annotation, field)
    return create_model(name, **fields)


class FunctionTool(AsyncBaseTool):
    """A tool backed by a Python function (sync, async, or both).

    Example:
        ```python
        def add(a: int, b: int) -> int:
            \"\"\"Add two integers.\"\"\"
            return a + b

        tool = FunctionTool.from_defaults(add)
        tool.metadata.to_openai_tool()["function"]["parameters"]["required"]  # ["a", "b"]
        tool(a=2, b=3).content  # "5"
        ```
    """

    def __init__(
        self,
        fn: Callable[..., Any] | None,
        metadata: ToolMetadata,
        async_fn: Callable[..., Awaitable[Any]] | None = None,
    ) -> None:
        if fn is None and async_fn is None:
            msg = "FunctionTool needs fn or async_fn"
            raise InvalidInputError(msg)
        self._fn = fn
        self._async_fn = async_fn
        self._metadata = metadata

    @classmethod
    def from_defaults(
        cls,
        fn: Callable[..., Any] | None = None,
        name: str | None = None,
        description: str | None = None,
        return_direct: bool = False,
        fn_schema: type[BaseModel] | None = None,
        async_fn: Callable[..., Awaitable[Any]] | None = None,
        tool_metadata: ToolMetadata | None = None,
    ) -> FunctionTool:
        """Build a tool from a function; name, description and schema default to the function's own."""
        source = fn or async_fn
        if source is None:
            msg = "FunctionTool.from_defaults needs fn or async_fn"
            raise InvalidInputError(msg)
        if fn is not None and inspect.iscoroutinefunction(fn):
            fn, async_fn = None, async_fn or fn
        if tool_metadata is None:
            name = name or source.__name__
            if description is None:
                summary, _ = _docstring_summary_and_args(inspect.getdoc(source) or "")
                description = f"{name}{_signature(source)}" + (f"\n{summary}" if summary else "")
            if fn_schema is None:
                fn_schema = schema_from_function(name, source)
            tool_metadata = ToolMetadata(
                description=description, name=name, fn_schema=fn_schema, return_direct=return_direct
            )
        return cls(fn, tool_metadata, async_fn=async_fn)

    @property
    def metadata(self) -> ToolMetadata:
        """Name, description and argument schema."""
        return self._metadata

    @property
    def fn(self) -> Callable[..., Any] | None:
        """The sync function, if any."""
        return self._fn

    def _output(self, result: Any, kwargs: dict[str, Any]) -> ToolOutput:
        return ToolOutput(content=str(result), tool_name=self._metadata.name or "", raw_input=kwargs, raw_output=result)

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the function; an async-only tool is run to completion when no event loop is running."""
        if self._fn is not None:
            return self._output(self._fn(*args, **kwargs), kwargs)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            assert self._async_fn is not None
            return self._output(asyncio.run(_awaitable(self._async_fn(*args, **kwargs))), kwargs)
        msg = f"tool {self._metadata.name!r} is async-only and an event loop is running; use await tool.acall()"
        raise InvalidInputError(msg)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the async function, or the sync one in a worker thread."""
        if self._async_fn is not None:
            return self._output(await self._async_fn(*args, **kwargs), kwargs)
        assert self._fn is not None
        return self._output(await run_in_thread(self._fn, *args, **kwargs), kwargs)


async def _awaitable(value: Awaitable[Any]) -> Any:
    return await value
