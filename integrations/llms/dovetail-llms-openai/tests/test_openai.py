"""Behaviour of OpenAI/OpenAILike beyond the kit: requests on the wire, tools, vision, keys, secrets, laziness."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import TokenCountingHandler
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import OutputParserError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.testing.http_clients import check_user_http_clients_stay_open
from dovetail.core.tools import FunctionTool
from dovetail.llms.openai import OpenAI
from dovetail.llms.openai import OpenAILike
from dovetail.llms.openai.catalog import find_model
from dovetail.llms.openai.catalog import load_catalog
from pydantic import BaseModel

# The tests here talk to the loopback OpenAI-compatible server over real HTTP.
pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_registry_style_construction_and_catalog(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-2024-08-06", api_key="k", api_base=server.base_url)
    meta = llm.metadata
    assert (meta.context_window, meta.is_chat_model, meta.supports_vision) == (128000, True, True)
    assert find_model("ft:gpt-4o-mini:acme::abc123") is not None
    assert all(m.modes for m in load_catalog().models)


async def test_user_http_clients_stay_open(server: Any) -> None:
    await check_user_http_clients_stay_open(lambda **kw: OpenAI(api_key="k", api_base=server.base_url, **kw), httpx)


def test_unknown_model_warns_and_takes_overrides(caplog: pytest.LogCaptureFixture, server: Any) -> None:
    with caplog.at_level(logging.WARNING):
        llm = OpenAI(model="my-finetune", api_key="k", api_base=server.base_url, context_window=4000)
    assert "not in the OpenAI catalog" in caplog.text
    assert llm.metadata.context_window == 4000
    assert llm.complete("z").text == "echo: z"


def test_max_tokens_over_model_limit_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="output limit"):
        OpenAI(model="gpt-4", api_key="k", max_tokens=100_000)


def test_request_parameters_on_the_wire(server: Any) -> None:
    llm = OpenAI(
        model="gpt-4o-mini",
        api_key="k",
        api_base=server.base_url,
        temperature=0.3,
        max_tokens=50,
        additional_kwargs={"seed": 7},
    )
    llm.complete("hi", top_p=0.5)
    body = server.requests_to(CHAT)[-1].body
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 50
    assert (body["seed"], body["top_p"]) == (7, 0.5)
    headers = server.requests_to(CHAT)[-1].headers
    assert headers["authorization"] == "Bearer k"


def test_reasoning_models_get_max_completion_tokens_and_no_temperature(server: Any) -> None:
    OpenAI(model="o3-mini", api_key="k", api_base=server.base_url, max_tokens=64).complete("hi")
    body = server.requests_to(CHAT)[-1].body
    assert "temperature" not in body
    assert body["max_completion_tokens"] == 64
    assert "max_tokens" not in body


def test_stream_requests_usage_and_reports_it(server: Any) -> None:
    counter = TokenCountingHandler()
    llm = OpenAI(
        model="gpt-4o-mini", api_key="k", api_base=server.base_url, callback_manager=CallbackManager([counter])
    )
    chunks = list(llm.stream_chat([ChatMessage(content="count my words")]))
    assert server.requests_to(CHAT)[-1].body["stream_options"] == {"include_usage": True}
    usage = chunks[-1].additional_kwargs
    assert usage == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert chunks[-1].message.content == "echo: count my words"
    assert (counter.prompt_llm_token_count, counter.completion_llm_token_count) == (3, 4), (
        "provider usage reached the handler"
    )


async def test_async_stream_usage_reaches_the_callback_manager(server: Any) -> None:
    counter = TokenCountingHandler()
    async with OpenAI(
        model="gpt-4o-mini", api_key="k", api_base=server.base_url, callback_manager=CallbackManager([counter])
    ) as llm:
        stream = await llm.astream_complete("one two")
        chunks = [chunk async for chunk in stream]
    assert chunks[-1].additional_kwargs["total_tokens"] == 2 + 3
    assert counter.total_llm_token_count == 5


async def test_async_client_is_built_once_and_reused(server: Any) -> None:
    async with OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url) as llm:
        await llm.acomplete("a")
        first = llm._clients.async_client()
        await llm.achat([ChatMessage(content="b")])
        assert llm._clients.async_client() is first


def test_streamed_tool_call_deltas_are_assembled(server: Any) -> None:
    server.script_chat(
        tool_calls=[{"name": "add", "arguments": {"a": 20, "b": 22}}, {"name": "add", "arguments": {"a": 1, "b": 2}}]
    )
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    tool = FunctionTool.from_defaults(add)
    chunks = list(llm.stream_chat_with_tools([tool], user_msg="add", allow_parallel_tool_calls=True))
    calls = llm.get_tool_calls_from_response(chunks[-1])
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_0", "add", {"a": 20, "b": 22}),
        ("call_1", "add", {"a": 1, "b": 2}),
    ]
    body = server.requests_to(CHAT)[-1].body
    assert body["tools"][0]["function"]["name"] == "add"
    assert body["tool_choice"] == "auto"


def test_tool_required_and_single_call(server: Any) -> None:
    server.script_chat(
        tool_calls=[{"name": "add", "arguments": {"a": 1, "b": 1}}, {"name": "add", "arguments": {"a": 2, "b": 2}}]
    )
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    response = llm.chat_with_tools([FunctionTool.from_defaults(add)], user_msg="x", tool_required=True)
    assert len(llm.get_tool_calls_from_response(response)) == 1
    body = server.requests_to(CHAT)[-1].body
    assert body["tool_choice"] == "required"
    assert body["parallel_tool_calls"] is False


def test_bad_tool_arguments_raise_output_parser_error(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    response = llm.chat([ChatMessage(content="x")])
    response.message.additional_kwargs["tool_calls"] = [
        {"id": "c", "type": "function", "function": {"name": "add", "arguments": "{not json"}}
    ]
    with pytest.raises(OutputParserError) as info:
        llm.get_tool_calls_from_response(response)
    assert info.value.raw_output == "{not json"
    with pytest.raises(InvalidInputError):
        llm.get_tool_calls_from_response(llm.chat([ChatMessage(content="x")]))


def test_image_blocks_become_image_url_parts(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8
    message = ChatMessage(
        blocks=[
            TextBlock(text="what is it"),
            ImageBlock(image=png, detail="low"),
            ImageBlock(url="https://example.invalid/cat.jpg"),
        ]
    )
    assert llm.chat([message]).text == "echo: what is it [2 image(s)]"
    parts = server.requests_to(CHAT)[-1].body["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "what is it"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[1]["image_url"]["detail"] == "low"
    assert parts[2]["image_url"]["url"] == "https://example.invalid/cat.jpg"


def test_images_refused_for_text_only_model(server: Any) -> None:
    llm = OpenAI(model="gpt-3.5-turbo", api_key="k", api_base=server.base_url)
    with pytest.raises(InvalidInputError, match="vision"):
        llm.chat([ChatMessage(blocks=[ImageBlock(url="https://example.invalid/x.png")])])
    assert server.requests_to(CHAT) == []


class Pet(BaseModel):
    name: str
    legs: int
    nickname: str | None = None


def test_structured_predict_uses_json_schema(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    pet = llm.structured_predict(Pet, 'Describe {animal} as {{"name": "Rex", "legs": 4}}', animal="a dog")
    assert pet == Pet(name="Rex", legs=4)
    fmt = server.requests_to(CHAT)[-1].body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is False, "a schema with optional fields cannot be strict"
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False


def test_structured_predict_falls_back_to_parser(server: Any) -> None:
    llm = OpenAI(model="gpt-3.5-turbo", api_key="k", api_base=server.base_url)
    server.script_chat(content='Sure! ```json\n{"name": "Tom", "legs": 4}\n```')
    assert llm.structured_predict(Pet, "Describe a cat") == Pet(name="Tom", legs=4)
    body = server.requests_to(CHAT)[-1].body
    assert "response_format" not in body
    assert "legs" in body["messages"][-1]["content"], "the parser's format instructions carry the schema"


def test_structured_predict_bad_json_is_output_parser_error(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    server.script_chat(content="not json at all")
    with pytest.raises(OutputParserError) as info:
        llm.structured_predict(Pet, "Describe a cat")
    assert info.value.raw_output == "not json at all"


def test_tool_message_needs_call_id(server: Any) -> None:
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    with pytest.raises(InvalidInputError, match="tool_call_id"):
        llm.chat([ChatMessage(role=MessageRole.TOOL, content="5")])


# ---- keys ---------------------------------------------------------------------------------------------


def test_missing_key_names_the_env_var() -> None:
    llm = OpenAI(model="gpt-4o-mini", api_base="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        llm.complete("x")


def test_key_resolution_order(server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keys from the config or the environment go with a base URL set in the same place.
    server.api_key = "sk-from-config"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    config = tmp_path / "elsewhere.toml"
    config.write_text(f'[providers.openai]\napi_key = "sk-from-config"\nbase_url = "{server.base_url}"\n')
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    assert OpenAI(api_key=None).complete("a").text == "echo: a"
    server.api_key = "sk-explicit"
    assert OpenAI(api_key="sk-explicit", api_base=server.base_url).complete("a").text == "echo: a"
    monkeypatch.delenv("DOVETAIL_CONFIG")
    server.api_key = "sk-from-env"
    assert OpenAI().complete("a").text == "echo: a"


def test_key_from_dovetail_toml(server: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = f'[providers.openai]\napi_key = "sk-toml"\nbase_url = "{server.base_url}"\n'
    (tmp_path / "dovetail.toml").write_text(toml)
    server.api_key = "sk-toml"
    assert OpenAI().complete("a").text == "echo: a"


def test_openai_like_runs_without_a_key(server: Any) -> None:
    llm = OpenAILike(model="llama-3", api_base=server.base_url)
    assert llm.metadata.context_window == 3900
    assert llm.metadata.is_function_calling_model is False
    assert llm.complete("p").text == "echo: p"
    assert server.requests_to(CHAT)[-1].headers["authorization"] == "Bearer not-needed"


# ---- secrets never leak ----------------------------------------------------------------------------------

SECRET = "sk-very-secret-0123456789abcdef"


def _fail(server: Any, kind: str) -> Exception:
    if kind == "drop":
        server.add_fault(action="drop", times=5)
    else:
        server.add_fault(status=int(kind), times=5, body={"error": {"message": f"bad key {SECRET}"}})
    llm = OpenAI(model="gpt-4o-mini", api_key=SECRET, api_base=server.base_url, max_retries=1)
    with pytest.raises(Exception) as info:
        llm.complete("x")
    return info.value


@pytest.mark.parametrize("kind", ["401", "429", "500", "400", "drop"])
def test_key_never_in_errors_or_logs(server: Any, caplog: pytest.LogCaptureFixture, kind: str) -> None:
    with caplog.at_level(logging.DEBUG):
        error = _fail(server, kind)
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("cls", [OpenAI, OpenAILike])
def test_key_never_in_repr_or_dump(cls: type[OpenAI]) -> None:
    llm = cls(model="gpt-4o-mini", api_key=SECRET, api_base="http://127.0.0.1:9/v1")
    assert SECRET not in repr(llm)
    assert SECRET not in str(llm)
    assert SECRET not in llm.model_dump_json()
    assert SECRET not in json.dumps(llm._serialized())


def test_stream_chunks_equal_validated_models(server: Any) -> None:
    """Stream responses are built without validation; they must equal what pydantic validation gives."""
    from dovetail.core.llms import ChatResponse
    from dovetail.core.llms import CompletionResponse

    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)
    for chunk in llm.stream_chat([ChatMessage(content="a b")]):
        dumped = chunk.model_dump(exclude={"raw"})
        assert ChatResponse.model_validate(dumped).model_dump(exclude={"raw"}) == dumped
        assert chunk.model_fields_set >= {"message", "delta"}
        assert chunk.message.content == chunk.text
    for item in OpenAI(model="gpt-3.5-turbo-instruct", api_key="k", api_base=server.base_url).stream_complete("x"):
        dumped = item.model_dump(exclude={"raw"})
        assert CompletionResponse.model_validate(dumped).model_dump(exclude={"raw"}) == dumped


def test_registry_resolves_openai(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from dovetail.core.registry import resolve_llm

    monkeypatch.setenv("OPENAI_API_KEY", "sk-registry")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    llm = resolve_llm("openai:gpt-4o-mini", temperature=0)
    assert isinstance(llm, OpenAI)
    assert llm.complete("r").text == "echo: r"


def test_transport_lists_models_through_the_sdk(server: Any) -> None:
    from dovetail.llms.openai.transport import ClientSettings
    from dovetail.llms.openai.transport import OpenAIClients

    clients = OpenAIClients(ClientSettings(api_key=None, api_base=server.base_url, require_key=False))
    try:
        ids = [model.id for model in clients.call(lambda c: c.models.list(), operation="models")]
    finally:
        clients.close()
    assert "gpt-4o-mini" in ids
    assert server.requests_to("/v1/models")[-1].method == "GET"
