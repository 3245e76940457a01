"""Tools: schemas from signatures, calls sync/async, function-calling round trips with the mock LLM."""

from __future__ import annotations

import asyncio
from typing import Annotated
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MessageRole
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.tools import FunctionTool
from dovetail.core.tools import ToolMetadata
from dovetail.core.tools import ToolOutput
from dovetail.core.tools import ToolSelection
from pydantic import BaseModel
from pydantic import Field


def search(query: str, top_k: int = 3, tags: list[str] | None = None) -> str:
    """Search the knowledge base.

    Args:
        query: what to look for.
        top_k: how many hits
            to return.
        tags: only hits with these tags.

    Returns:
        The hits, one per line.
    """
    return f"{query}:{top_k}:{tags}"


def test_schema_from_signature_and_google_docstring() -> None:
    tool = FunctionTool.from_defaults(search)
    meta = tool.metadata
    assert meta.name == "search"
    assert meta.description.startswith("search(query: str, top_k: int = 3, tags: list[str] | None = None) -> str")
    assert "Search the knowledge base." in meta.description
    assert "Returns" not in meta.description
    params = meta.get_parameters_dict()
    assert params["required"] == ["query"]
    assert params["properties"]["query"] == {"description": "what to look for.", "title": "Query", "type": "string"}
    assert params["properties"]["top_k"]["default"] == 3
    assert params["properties"]["top_k"]["description"] == "how many hits to return."
    assert "title" not in params
    assert meta.to_openai_tool() == {
        "type": "function",
        "function": {"name": "search", "description": meta.description, "parameters": params},
    }


def test_explicit_name_description_and_schema() -> None:
    class Args(BaseModel):
        city: str = Field(description="city name")

    tool = FunctionTool.from_defaults(
        lambda city: f"sunny in {city}", name="weather", description="Weather.", fn_schema=Args
    )
    assert tool.metadata.get_parameters_dict()["properties"]["city"]["description"] == "city name"
    assert tool(city="Oslo").content == "sunny in Oslo"


def test_annotated_description_is_kept() -> None:
    def scale(x: Annotated[float, Field(description="value to scale")], factor: float = 2.0) -> float:
        return x * factor

    params = FunctionTool.from_defaults(scale).metadata.get_parameters_dict()
    assert params["properties"]["x"]["description"] == "value to scale"


def test_default_parameters_without_schema() -> None:
    meta = ToolMetadata(description="echo", name="echo")
    assert meta.get_parameters_dict()["required"] == ["input"]
    assert '"input"' in meta.fn_schema_str
    with pytest.raises(InvalidInputError, match="no name"):
        ToolMetadata(description="nameless").to_openai_tool()


def test_call_returns_tool_output() -> None:
    output = FunctionTool.from_defaults(search)(query="dovetail", top_k=1)
    assert isinstance(output, ToolOutput)
    assert output.content == "dovetail:1:None"
    assert output.raw_input == {"query": "dovetail", "top_k": 1}
    assert output.tool_name == "search"
    assert not output.is_error


async def test_sync_tool_acall_runs_in_a_thread() -> None:
    import threading

    seen: list[str] = []

    def where() -> str:
        seen.append(threading.current_thread().name)
        return "ok"

    assert (await FunctionTool.from_defaults(where).acall()).content == "ok"
    assert seen != [threading.current_thread().name]


async def test_async_tool() -> None:
    async def fetch(url: str) -> str:
        """Fetch a page."""
        await asyncio.sleep(0)
        return f"<html>{url}</html>"

    tool = FunctionTool.from_defaults(fetch)
    assert tool.fn is None
    assert tool.metadata.get_parameters_dict()["required"] == ["url"]
    assert (await tool.acall(url="a")).raw_output == "<html>a</html>"
    with pytest.raises(InvalidInputError, match="acall"):
        tool.call(url="a")


def test_async_tool_called_sync_outside_a_loop() -> None:
    async def double(x: int) -> int:
        return 2 * x

    assert FunctionTool.from_defaults(double).call(x=4).raw_output == 8


def test_from_defaults_needs_a_function() -> None:
    with pytest.raises(InvalidInputError, match="fn or async_fn"):
        FunctionTool.from_defaults()


def test_mock_function_calling_round_trip_and_streaming() -> None:
    llm = MockFunctionCallingLLM()
    tool = FunctionTool.from_defaults(search)
    response = llm.chat_with_tools([tool], user_msg='please search {"query": "joints", "top_k": 2}')
    (call,) = llm.get_tool_calls_from_response(response)
    assert call == ToolSelection(tool_id=call.tool_id, tool_name="search", tool_kwargs={"query": "joints", "top_k": 2})
    assert tool(**call.tool_kwargs).content == "joints:2:None"
    chunks = list(llm.stream_chat_with_tools([tool], user_msg="search {}"))
    assert llm.get_tool_calls_from_response(chunks[-1])[0].tool_kwargs == {}
    plain = llm.chat_with_tools([tool], user_msg="no tool mentioned here")
    assert llm.get_tool_calls_from_response(plain, error_on_no_tool_call=False) == []
    with pytest.raises(InvalidInputError, match="no tool calls"):
        llm.get_tool_calls_from_response(plain)


async def test_mock_function_calling_async_with_history() -> None:
    llm = MockFunctionCallingLLM()
    tool = FunctionTool.from_defaults(search)
    history = [ChatMessage(role=MessageRole.SYSTEM, content="You can search.")]
    response = await llm.achat_with_tools([tool], user_msg="search please", chat_history=history)
    assert llm.get_tool_calls_from_response(response)[0].tool_name == "search"
    stream = await llm.astream_chat_with_tools([tool], user_msg="search please")
    chunks: list[Any] = [c async for c in stream]
    assert chunks[-1].message.additional_kwargs["tool_calls"][0]["function"]["name"] == "search"
