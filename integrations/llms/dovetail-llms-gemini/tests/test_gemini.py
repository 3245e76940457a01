"""Gemini features and faults beyond the kit: config, thinking and signatures, JSON schema, media, system
instruction, retries (429 + Retry-After, 5xx, drops, cut streams), timeouts, keys, registry, lazy import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.registry import resolve_llm
from dovetail.core.testing.leaks import assert_error_path_is_clean
from dovetail.core.testing.llm import add_numbers
from dovetail.core.testing.llm import tiny_png
from dovetail.core.testing.llm_faults import check_5xx_retried_then_typed
from dovetail.core.testing.llm_faults import check_retry_after_honoured
from dovetail.core.testing.servers.gemini_loopback import API_KEY
from dovetail.core.testing.servers.gemini_loopback import LoopbackGemini
from dovetail.core.testing.servers.gemini_loopback import camel_keys
from dovetail.core.testing.servers.gemini_loopback import signature_for
from dovetail.core.tools import FunctionTool
from dovetail.llms.gemini import GoogleGenAI
from pydantic import BaseModel

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeLLM = Callable[..., GoogleGenAI]
GEN = ":generateContent"
STREAM = ":streamGenerateContent"
THINK = {"thinking_budget": 512, "include_thoughts": True}


class City(BaseModel):
    name: str
    population: int


def test_generation_config_and_system_instruction(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    llm = make_llm(
        temperature=0.4, max_tokens=100, generation_config={"top_k": 3, "seed": 1}, system_prompt="Be brief."
    )
    assert llm.predict("Say {x}", x="hi") == "echo: Say hi"
    body = camel_keys(server.requests[-1].body)
    assert body["generationConfig"] == {"temperature": 0.4, "maxOutputTokens": 100, "topK": 3, "seed": 1}
    assert body["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    with pytest.raises(InvalidInputError, match="frobnicate"):
        make_llm(generation_config={"frobnicate": True})
    with pytest.raises(InvalidInputError, match="65536-token output limit"):
        make_llm(max_tokens=70_000)


def test_json_schema_output(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    city = make_llm().structured_predict(City, "Extract: {t}", t='{"name": "Lyon", "population": 500000}')
    assert city == City(name="Lyon", population=500000)
    config = camel_keys(server.requests[-1].body)["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseJsonSchema"]["required"] == ["name", "population"]


def test_thoughts_surface_and_signatures_go_back(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    llm = make_llm(thinking_config=THINK)
    tool = FunctionTool.from_defaults(add_numbers)
    user = ChatMessage(content='add {"a": 2, "b": 3}')
    first = llm.chat_with_tools([tool], user_msg=user)
    thoughts = [b for b in first.message.blocks if isinstance(b, ThinkingBlock)]
    assert thoughts[0].content == 'Thinking about: add {"a": 2, "b": 3}'
    (call,) = llm.get_tool_calls_from_response(first)
    assert call.tool_kwargs == {"a": 2, "b": 3}
    assert first.message.additional_kwargs["tool_calls"][0]["thought_signature"] == signature_for("add_numbers")
    result = ChatMessage(role=MessageRole.TOOL, content="5", additional_kwargs={"tool_call_id": call.tool_id})
    assert llm.chat_with_tools([tool], chat_history=[user, first.message, result]).message.content == "tool said: 5"
    sent = camel_keys(server.requests[-1].body)["contents"]
    assert sent[1]["parts"][-1]["thoughtSignature"] == signature_for("add_numbers")
    assert sent[2]["parts"][0]["functionResponse"] == {"name": "add_numbers", "response": {"result": "5"}}
    unsigned = {**first.message.additional_kwargs["tool_calls"][0]}
    unsigned.pop("thought_signature")
    stripped = ChatMessage(role=MessageRole.ASSISTANT, additional_kwargs={"tool_calls": [unsigned]})
    with pytest.raises(InvalidInputError, match="thought_signature"):
        llm.chat_with_tools([tool], chat_history=[user, stripped, result])


def test_streamed_thoughts_text_and_usage(make_llm: MakeLLM) -> None:
    chunks = list(make_llm(thinking_config=THINK).stream_chat([ChatMessage(content="why so")]))
    assert "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == "Thinking about: why so"
    assert "".join(c.delta or "" for c in chunks) == "echo: why so"
    usage = chunks[-1].additional_kwargs
    assert usage["thoughts_token_count"] == 4
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_images_and_documents(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    blocks = [
        TextBlock(text="read"),
        ImageBlock(image=tiny_png()),
        ImageBlock(url="gs://bucket/cat.png"),
        DocumentBlock(data=b"%PDF-1.4 x"),
    ]
    assert make_llm().chat([ChatMessage(blocks=blocks)]).message.content == "echo: read [3 media]"
    parts = camel_keys(server.requests[-1].body)["contents"][0]["parts"]
    assert parts[1]["inlineData"]["mimeType"] == "image/png"
    assert parts[2]["fileData"] == {"fileUri": "gs://bucket/cat.png", "mimeType": "image/png"}
    assert parts[3]["inlineData"]["mimeType"] == "application/pdf"


def test_tool_required_and_unattributed_result(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    llm = make_llm()
    tool = FunctionTool.from_defaults(add_numbers)
    llm.chat_with_tools([tool], user_msg="add", tool_required=True)
    assert camel_keys(server.requests[-1].body)["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    with pytest.raises(InvalidInputError, match="cannot attribute"):
        llm.chat([ChatMessage(content="x"), ChatMessage(role=MessageRole.TOOL, content="5")])


def test_429_retry_after_then_typed(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    check_retry_after_honoured(make_llm, server, GEN)
    server.add_fault(status=429, headers={"Retry-After": "6", "x-request-id": "req_g"}, path=GEN, times=5)
    with pytest.raises(RateLimitError) as info:
        make_llm(max_retries=0).complete("hi")
    assert (info.value.retry_after, info.value.request_id) == (6.0, "req_g")


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_retried_then_typed(make_llm: MakeLLM, server: LoopbackGemini, status: int) -> None:
    check_5xx_retried_then_typed(make_llm, server, GEN, status, provider="gemini")


def test_bad_key_is_authentication_and_not_retried(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    with pytest.raises(AuthenticationError, match="GOOGLE_API_KEY"):
        make_llm(api_key="AIza-wrong").complete("hi")
    assert len(server.requests) == 1
    with pytest.raises(NotFoundError, match="model name"):
        make_llm(model="gemini-9-ultra").complete("hi")


def test_stream_faults(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    server.add_fault(status=503, path=STREAM, times=1)
    assert "".join(c.delta or "" for c in make_llm().stream_complete("a b")) == "echo: a b"
    assert len(server.requests_to(STREAM)) == 2
    server.add_fault(action="cut_stream", after_chunks=2, path=STREAM)
    received: list[CompletionResponse] = []
    with pytest.raises(ProviderConnectionError):
        received.extend(make_llm().stream_complete("one two three"))
    assert "".join(c.delta or "" for c in received) == "echo: one"


async def test_async_retry_and_stream(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    server.add_fault(status=500, path=GEN, times=1)
    assert (await make_llm().acomplete("z")).text == "echo: z"
    server.add_fault(action="drop", path=GEN, times=1)
    with pytest.raises(ProviderConnectionError):  # sent, then cut: generation is not sent again
        await make_llm().acomplete("z")
    server.add_fault(status=503, path=STREAM, times=1)
    stream = await make_llm().astream_complete("x y")
    assert "".join([c.delta or "" async for c in stream]) == "echo: x y"


def test_slow_response_times_out(make_llm: MakeLLM, server: LoopbackGemini) -> None:
    server.add_fault(action="delay_only", delay=1.5, path=GEN, times=5)
    with pytest.raises(ProviderTimeoutError):
        make_llm(timeout=0.3, max_retries=0).complete("hi")


def test_key_order(server: LoopbackGemini, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    assert GoogleGenAI(base_url=server.url).complete("env").text == "echo: env"
    assert GoogleGenAI(base_url=server.url, api_key="").complete("env").text == "echo: env"  # empty: none given
    monkeypatch.setenv("GOOGLE_API_KEY", "AIza-google-first")
    with pytest.raises(AuthenticationError):
        GoogleGenAI(base_url=server.url).complete("GOOGLE_API_KEY wins over GEMINI_API_KEY")
    (tmp_path / "cfg").mkdir()
    config = tmp_path / "cfg" / "dovetail.toml"  # not in the working directory, where it would always be found
    config.write_text(f'[providers.gemini]\napi_key = "{API_KEY}"\n')
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    assert GoogleGenAI(base_url=server.url).complete("config").text == "echo: config"
    monkeypatch.delenv("DOVETAIL_CONFIG")
    monkeypatch.delenv("GOOGLE_API_KEY")
    monkeypatch.delenv("GEMINI_API_KEY")
    with pytest.raises(ConfigurationError, match="GEMINI_API_KEY"):
        GoogleGenAI(base_url=server.url).complete("none")


def test_secret_stays_out(make_llm: MakeLLM, server: LoopbackGemini, caplog: pytest.LogCaptureFixture) -> None:
    server.api_key = "other"  # ours is refused: the error path runs
    scenario = lambda: (make_llm(), lambda llm: llm.complete("hi"))  # noqa: E731
    assert_error_path_is_clean(API_KEY, scenario, caplog, raises=AuthenticationError)


def test_registry_resolves_gemini(server: LoopbackGemini) -> None:
    llm = resolve_llm("gemini:gemini-2.0-flash", api_key=API_KEY, base_url=server.url)
    assert isinstance(llm, GoogleGenAI)
    assert llm.complete("ping").text == "echo: ping"
    with pytest.raises(InvalidInputError, match="does not think"):
        GoogleGenAI(model="gemini-2.0-flash", thinking_config=THINK)
