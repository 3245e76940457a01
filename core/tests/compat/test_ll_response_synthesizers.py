"""LlamaIndex's own ``response_synthesizers/test_generate.py``, written again against dovetail's import path.

LlamaIndex's other synthesizer tests drive its ``MockLLMWithChatMemoryOfLastCall``, structured-refine programs
and prompt helpers through private attributes (``_prompt_helper``, ``_llm``); dovetail's response modes are
covered by ``test_response_modes.py`` instead.
"""

from __future__ import annotations

from dovetail.core.llms import MockLLM
from dovetail.core.response_synthesizers import AsyncStreamingResponse
from dovetail.core.response_synthesizers import Generation
from dovetail.core.response_synthesizers import StreamingResponse


def test_synthesize() -> None:
    response = Generation(llm=MockLLM()).synthesize(query="test", nodes=[])
    assert str(response) == "test"
    assert response.source_nodes == []


def test_synthesize_stream() -> None:
    response = Generation(llm=MockLLM(), streaming=True).synthesize(query="test", nodes=[])
    assert isinstance(response, StreamingResponse)
    assert "".join(response.response_gen) == "test"


async def test_asynthesize() -> None:
    response = await Generation(llm=MockLLM()).asynthesize(query="test", nodes=[])
    assert str(response) == "test"


async def test_asynthesize_stream() -> None:
    response = await Generation(llm=MockLLM(), streaming=True).asynthesize(query="test", nodes=[])
    assert isinstance(response, AsyncStreamingResponse)
    assert "".join([chunk async for chunk in response.async_response_gen()]) == "test"
