"""``FunctionCallingLLM.predict_and_call``: the model picks a tool, the tool runs, its output is the answer."""

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import MockFunctionCallingLLM
from dovetail.core.tools import AgentChatResponse
from dovetail.core.tools import FunctionTool


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def explode(reason: str) -> str:
    """Always fails."""
    raise RuntimeError(reason)


TOOLS = [FunctionTool.from_defaults(add), FunctionTool.from_defaults(explode)]


def test_predict_and_call_runs_the_selected_tool() -> None:
    result = MockFunctionCallingLLM().predict_and_call(TOOLS, user_msg='add {"a": 2, "b": 3}')
    assert isinstance(result, AgentChatResponse)
    assert result.response == "5"
    assert str(result) == "5"
    assert [(s.tool_name, s.raw_input, s.raw_output) for s in result.sources] == [("add", {"a": 2, "b": 3}, 5)]


async def test_apredict_and_call_runs_the_selected_tool() -> None:
    result = await MockFunctionCallingLLM().apredict_and_call(TOOLS, user_msg='add {"a": 4, "b": 5}')
    assert result.response == "9"


def test_a_failing_tool_is_an_error_output_unless_asked_to_raise() -> None:
    llm = MockFunctionCallingLLM()
    result = llm.predict_and_call(TOOLS, user_msg='explode {"reason": "fuse lit"}')
    assert result.sources[0].is_error
    assert "fuse lit" in result.response
    with pytest.raises(InvalidInputError, match="fuse lit"):
        llm.predict_and_call(TOOLS, user_msg='explode {"reason": "fuse lit"}', error_on_tool_error=True)


def test_no_tool_call_raises_or_returns_the_text() -> None:
    llm = MockFunctionCallingLLM()
    with pytest.raises(InvalidInputError, match="no tool call"):
        llm.predict_and_call(TOOLS, user_msg="just chat")
    result = llm.predict_and_call(TOOLS, user_msg="just chat", error_on_no_tool_call=False)
    assert result.sources == []
    assert "just chat" in result.response


def test_unknown_keyword_is_refused_before_any_call() -> None:
    with pytest.raises(TypeError, match="allow_paralel_tool_calls"):
        MockFunctionCallingLLM().predict_and_call(TOOLS, user_msg="add", allow_paralel_tool_calls=True)
