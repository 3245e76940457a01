"""``structured_predict``/``astructured_predict`` on the wire: the JSON-schema request of both twins, chat
templates, the system prompt, and a refusal answered over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MessageRole
from dovetail.core.prompts import ChatPromptTemplate
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.llms.openai import OpenAI
from pydantic import BaseModel

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"


class Pet(BaseModel):
    name: str
    legs: int


async def test_astructured_predict_sends_the_json_schema(server: Any) -> None:
    async with OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url, system_prompt="Be brief.") as llm:
        pet = await llm.astructured_predict(Pet, "Describe {animal}", llm_kwargs={"seed": 7}, animal="a dog")
    assert isinstance(pet, Pet)
    body = server.requests_to(CHAT)[-1].body
    assert body["response_format"]["json_schema"]["name"] == "Pet"
    assert body["seed"] == 7, "llm_kwargs reach the request"
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Describe a dog"},
    ]


def test_structured_predict_keeps_the_roles_of_a_chat_template(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    template = ChatPromptTemplate(
        message_templates=[
            ChatMessage(role=MessageRole.SYSTEM, content="You extract pets."),
            ChatMessage(role=MessageRole.USER, content="Text: {text}"),
        ]
    )
    server.script_chat(content='{"name": "Rex", "legs": 4}')
    assert llm.structured_predict(Pet, template, text="Rex is a dog") == Pet(name="Rex", legs=4)
    body = server.requests_to(CHAT)[-1].body
    assert body["messages"] == [
        {"role": "system", "content": "You extract pets."},
        {"role": "user", "content": "Text: Rex is a dog"},
    ]
    assert body["response_format"]["type"] == "json_schema"


class RefusingServer(LoopbackHTTPServer):
    """Answers every chat request with a refusal, as OpenAI does when it declines a structured answer."""

    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", CHAT, self._refuse)

    def _refuse(self, exchange: Exchange) -> None:
        message = {"role": "assistant", "content": None, "refusal": "I can't help with that."}
        exchange.send_json(
            200,
            {
                "id": "chatcmpl-refusal",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": exchange.request.json["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8},
            },
        )


@pytest.fixture
def refusing() -> Any:
    with RefusingServer() as server:
        yield server


def test_a_refusal_is_an_output_parser_error(refusing: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=f"{refusing.url}/v1")
    with pytest.raises(OutputParserError, match="refused to answer in the Pet format") as info:
        llm.structured_predict(Pet, "Describe a cat")
    assert info.value.raw_output == "I can't help with that."


async def test_a_refusal_is_an_output_parser_error_async(refusing: Any) -> None:
    async with OpenAI(model="gpt-4o-mini", api_key="k", api_base=f"{refusing.url}/v1") as llm:
        with pytest.raises(OutputParserError, match="refused to answer in the Pet format") as info:
            await llm.astructured_predict(Pet, "Describe a cat")
    assert info.value.raw_output == "I can't help with that."
