"""Running the tool calls a model selected: ``call_tool_with_selection`` (its outputs feed an
:class:`~dovetail.core.chat_engine.AgentChatResponse`).

A failing tool does not raise: its output is ``is_error=True`` with the error text as content, so the model (or
the caller, with ``error_on_tool_error``) decides what to do — the shape LlamaIndex's agents rely on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from dovetail.core.tools._types import AsyncBaseTool
from dovetail.core.tools._types import BaseTool
from dovetail.core.tools._types import ToolOutput
from dovetail.core.tools._types import ToolSelection

__all__ = ["acall_tool_with_selection", "call_tool_with_selection"]

logger = logging.getLogger(__name__)


def _find(tools: Sequence[BaseTool], selection: ToolSelection, verbose: bool) -> BaseTool | ToolOutput:
    """The tool ``selection`` names (logged with its arguments when ``verbose``), else an error output."""
    for tool in tools:
        if tool.metadata.name == selection.tool_name:
            if verbose:
                logger.info("calling tool %s with %s", selection.tool_name, selection.tool_kwargs)
            return tool
    names = ", ".join(repr(tool.metadata.name) for tool in tools)
    return ToolOutput(
        content=f"Error: there is no tool named {selection.tool_name!r}; the tools are {names}",
        tool_name=selection.tool_name,
        raw_input=selection.tool_kwargs,
        is_error=True,
    )


def _error(selection: ToolSelection, exc: Exception) -> ToolOutput:
    logger.info("tool %s failed: %s", selection.tool_name, exc)
    return ToolOutput(
        content=f"Error: {exc}",
        tool_name=selection.tool_name,
        raw_input=selection.tool_kwargs,
        raw_output=exc,
        is_error=True,
    )


def call_tool_with_selection(selection: ToolSelection, tools: Sequence[BaseTool], verbose: bool = False) -> ToolOutput:
    """Call the tool ``selection`` names with its arguments; errors become an ``is_error`` output."""
    tool = _find(tools, selection, verbose)
    if isinstance(tool, ToolOutput):
        return tool
    try:
        return tool(**selection.tool_kwargs)
    except Exception as exc:  # a tool's failure is reported to the model, as LlamaIndex does
        return _error(selection, exc)


async def acall_tool_with_selection(
    selection: ToolSelection, tools: Sequence[BaseTool], verbose: bool = False
) -> ToolOutput:
    """Async :func:`call_tool_with_selection` (an async tool is awaited; a sync one runs in a worker thread)."""
    from dovetail.core.concurrency import run_in_thread

    tool = _find(tools, selection, verbose)
    if isinstance(tool, ToolOutput):
        return tool
    try:
        if isinstance(tool, AsyncBaseTool):
            return await tool.acall(**selection.tool_kwargs)
        return await run_in_thread(tool, **selection.tool_kwargs)
    except Exception as exc:  # a tool's failure is reported to the model, as LlamaIndex does
        return _error(selection, exc)
