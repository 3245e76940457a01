"""``pydantic_program_mode`` on the wire: a required tool call ("function"), format instructions ("llm")."""

from __future__ import annotations

from typing import Any

import pytest
from dovetail.llms.openai import OpenAI
from pydantic import BaseModel

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"


class Pet(BaseModel):
    """A pet described in the text."""

    name: str
    legs: int


def test_function_mode_asks_for_one_required_tool_call(server: Any) -> None:
    with OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url, pydantic_program_mode="function") as llm:
        pet = llm.structured_predict(Pet, 'Describe {animal}: {{"name": "Rex", "legs": 4}}', animal="a dog")
    assert pet == Pet(name="Rex", legs=4)
    body = server.requests_to(CHAT)[-1].body
    assert [tool["function"]["name"] for tool in body["tools"]] == ["Pet"]
    assert body["tools"][0]["function"]["parameters"]["required"] == ["name", "legs"]
    assert body["tool_choice"] == "required"
    assert "response_format" not in body


async def test_async_function_mode(server: Any) -> None:
    async with OpenAI(
        model="gpt-4o-mini", api_key="k", api_base=server.base_url, pydantic_program_mode="openai"
    ) as llm:
        pet = await llm.astructured_predict(Pet, 'A cat: {{"name": "Tom", "legs": 4}}')
    assert pet == Pet(name="Tom", legs=4)
    assert server.requests_to(CHAT)[-1].body["tool_choice"] == "required"


def test_llm_mode_sends_format_instructions_instead_of_the_json_schema_request(server: Any) -> None:
    server.script_chat(content='{"name": "Rex", "legs": 4}')
    with OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url, pydantic_program_mode="llm") as llm:
        assert llm.structured_predict(Pet, "Describe a dog") == Pet(name="Rex", legs=4)
    body = server.requests_to(CHAT)[-1].body
    assert "response_format" not in body
    assert '"legs"' in body["messages"][-1]["content"]  # the JSON schema is in the instructions


def test_a_structured_llm_sends_the_json_schema_and_returns_the_object(server: Any) -> None:
    server.script_chat(content='{"name": "Rex", "legs": 4}')
    with OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url) as llm:
        response = llm.as_structured_llm(Pet).complete("Describe a dog", seed=3)
    assert response.raw == Pet(name="Rex", legs=4)
    body = server.requests_to(CHAT)[-1].body
    assert body["response_format"]["json_schema"]["name"] == "Pet"
    assert body["seed"] == 3  # call keywords reach the provider
