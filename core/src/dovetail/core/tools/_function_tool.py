"""``FunctionTool``: turn a Python function into a tool, with the argument schema read from its signature."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.concurrency import run_in_thread
from dovetail.core.tools._schema import docstring_summary_and_args
from dovetail.core.tools._schema import field_defaults
from dovetail.core.tools._schema import schema_from_function
from dovetail.core.tools._schema import signature_of
from dovetail.core.tools._types import AsyncBaseTool
from dovetail.core.tools._types import ToolMetadata
from dovetail.core.tools._types import ToolOutput
from dovetail.core.tools._types import blocks_of
from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["FunctionTool", "schema_from_function"]


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
        partial_params: dict[str, Any] | None = None,
    ) -> None:
        if fn is None and async_fn is None:
            msg = "FunctionTool needs fn or async_fn"
            raise InvalidInputError(msg)
        self._fn = fn
        self._async_fn = async_fn
        self._metadata = metadata
        self.partial_params: dict[str, Any] = dict(partial_params or {})
        source = fn if fn is not None else async_fn
        assert source is not None
        self._signature = signature_of(source)
        self._field_defaults = field_defaults(source)

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
        partial_params: dict[str, Any] | None = None,
    ) -> FunctionTool:
        """Build a tool from a function; name, description and schema default to the function's own.

        Args:
            fn: the function (sync or async).
            name: tool name; default the function's name.
            description: what the tool does; default the signature and the docstring's description.
            return_direct: agents return the output as the answer.
            fn_schema: argument model; default read from the signature, ``Annotated`` descriptions,
                ``Field(...)`` defaults and the docstring (Google, Sphinx ``:param:`` or Epydoc ``@param``).
            async_fn: the async twin of ``fn``.
            tool_metadata: the whole metadata at once (then name/description/fn_schema are not used).
            partial_params: arguments fixed in advance (e.g. a user id); they leave the schema the model sees
                and are passed on every call, below the model's own arguments.
        """
        source = fn or async_fn
        if source is None:
            msg = "FunctionTool.from_defaults needs fn or async_fn"
            raise InvalidInputError(msg)
        if tool_metadata is not None and (name, description, fn_schema) != (None, None, None):
            msg = "pass either tool_metadata or name/description/fn_schema to FunctionTool.from_defaults, not both"
            raise InvalidInputError(msg)
        if fn is not None and (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)):
            fn, async_fn = None, async_fn or fn
        partial = dict(partial_params or {})
        unknown = sorted(set(partial) - set(signature_of(source).parameters))
        if unknown and not any(p.kind is p.VAR_KEYWORD for p in signature_of(source).parameters.values()):
            msg = f"partial_params {unknown} are not parameters of {source.__name__}{signature_of(source)}"
            raise InvalidInputError(msg)
        if tool_metadata is None:
            name = name or source.__name__
            if description is None:
                summary, _ = docstring_summary_and_args(inspect.getdoc(source) or "")
                shown = _visible_signature(signature_of(source), partial)
                description = f"{name}{shown}" + (f"\n{summary}" if summary else "")
            if fn_schema is None:
                fn_schema = schema_from_function(name, source, exclude=partial)
            tool_metadata = ToolMetadata(
                description=description, name=name, fn_schema=fn_schema, return_direct=return_direct
            )
        return cls(fn, tool_metadata, async_fn=async_fn, partial_params=partial)

    @property
    def metadata(self) -> ToolMetadata:
        """Name, description and argument schema."""
        return self._metadata

    @property
    def fn(self) -> Callable[..., Any] | None:
        """The sync function, if any."""
        return self._fn

    @property
    def async_fn(self) -> Callable[..., Awaitable[Any]] | None:
        """The async function, if any."""
        return self._async_fn

    def _output(self, result: Any, kwargs: dict[str, Any]) -> ToolOutput:
        return ToolOutput(
            blocks=blocks_of(result), tool_name=self._metadata.name or "", raw_input=kwargs, raw_output=result
        )

    def _arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The call's keyword arguments: partial params, the caller's, and ``Field(...)`` defaults resolved."""
        merged = {**self.partial_params, **kwargs}
        if self._field_defaults:
            try:
                bound = self._signature.bind_partial(*args, **merged).arguments
            except TypeError as exc:
                msg = f"tool {self._metadata.name!r} got arguments that do not fit {self._signature}: {exc}"
                raise InvalidInputError(msg) from exc
            for name, info in self._field_defaults.items():
                if name not in bound:
                    merged[name] = _field_default(self._metadata.name, name, info)
        return merged

    def call(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the function; an async-only tool is run to completion when no event loop is running."""
        arguments = self._arguments(args, kwargs)
        if self._fn is not None:
            return self._output(_run_sync(self._fn, *args, **arguments), kwargs)
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            assert self._async_fn is not None
            return self._output(asyncio.run(_run_async(self._async_fn, *args, **arguments)), kwargs)
        msg = f"tool {self._metadata.name!r} is async-only and an event loop is running; use await tool.acall()"
        raise InvalidInputError(msg)

    async def acall(self, *args: Any, **kwargs: Any) -> ToolOutput:
        """Call the async function, or the sync one in a worker thread."""
        arguments = self._arguments(args, kwargs)
        if self._async_fn is not None:
            return self._output(await _run_async(self._async_fn, *args, **arguments), kwargs)
        assert self._fn is not None
        return self._output(await run_in_thread(_run_sync, self._fn, *args, **arguments), kwargs)


def _run_sync(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; a generator is run to its end and its last item is the result (as LlamaIndex)."""
    result = fn(*args, **kwargs)
    if inspect.isgenerator(result):
        last = None
        for last in result:  # noqa: B007 - only the last item is the result
            pass
        return last
    return result


async def _run_async(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Await ``fn``; an async generator is run to its end and its last item is the result."""
    result = fn(*args, **kwargs)
    if inspect.isasyncgen(result):
        last = None
        async for last in result:  # noqa: B007 - only the last item is the result
            pass
        return last
    if inspect.isawaitable(result):
        return await result
    return result


def _field_default(tool: str | None, name: str, info: FieldInfo) -> Any:
    if info.is_required():
        msg = f"tool {tool!r} needs argument {name!r}"
        raise InvalidInputError(msg)
    return info.get_default(call_default_factory=True)


def _visible_signature(signature: inspect.Signature, hidden: dict[str, Any]) -> inspect.Signature:
    """The signature without the parameters fixed by ``partial_params`` and with ``Field`` defaults shown plainly."""
    params = []
    for param in signature.parameters.values():
        if param.name in hidden:
            continue
        if isinstance(param.default, FieldInfo):
            default = param.default.get_default(call_default_factory=False)
            param = param.replace(default=inspect.Parameter.empty if param.default.is_required() else default)
        params.append(param)
    try:
        return signature.replace(parameters=params)
    except ValueError:  # a required parameter now follows a defaulted one: show them all as given
        return signature
