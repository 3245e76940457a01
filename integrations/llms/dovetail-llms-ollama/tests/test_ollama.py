"""Ollama features and faults beyond the kit: options, keep_alive, format, images, thinking, tools, streams,
retries (429 with Retry-After, 5xx, drops, stream errors), timeouts, host resolution, registry, lazy import."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
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
from dovetail.core.testing.llm import add_numbers
from dovetail.core.testing.llm import tiny_png
from dovetail.core.testing.llm_faults import check_5xx_retried_then_typed
from dovetail.core.testing.llm_faults import check_retry_after_honoured
from dovetail.core.testing.servers.ollama_loopback import LoopbackOllama
from dovetail.core.tools import FunctionTool
from dovetail.llms.ollama import Ollama
from pydantic import BaseModel

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeLLM = Callable[..., Ollama]
CHAT = "/api/chat"


class City(BaseModel):
    name: str
    population: int


def test_options_keep_alive_and_context_window_are_sent(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    llm = make_llm(temperature=0.3, context_window=8192, keep_alive="10m", additional_kwargs={"seed": 7})
    assert llm.metadata.context_window == 8192
    assert llm.complete("hi").text == "echo: hi"
    body = server.requests[-1].body
    assert body["options"] == {"seed": 7, "temperature": 0.3, "num_ctx": 8192}
    assert (body["keep_alive"], body["stream"]) == ("10m", False)


def test_defaults_leave_model_options_alone(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    llm = make_llm()
    llm.complete("hi")
    assert "options" not in server.requests[-1].body
    assert llm.metadata.context_window == 131072  # catalog
    assert make_llm(model="llama3.2:1b").metadata.context_window == 131072  # tags resolve
    assert make_llm(model="my-finetune").metadata.context_window == 3900


def test_format_json_schema_structured_output(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    city = make_llm().structured_predict(City, "Extract: {text}", text='{"name": "Oslo", "population": 700000}')
    assert city == City(name="Oslo", population=700000)
    assert server.requests[-1].body["format"]["properties"]["population"]["type"] == "integer"


def test_json_mode(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    assert make_llm(json_mode=True).complete("x").text == '{"echo": "x"}'
    assert server.requests[-1].body["format"] == "json"


def test_images_go_as_base64_and_urls_or_documents_are_rejected(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    llm = make_llm(model="gemma3")
    message = ChatMessage(blocks=[TextBlock(text="look"), ImageBlock(image=tiny_png())])
    assert llm.chat([message]).message.content == "echo: look [1 image(s)]"
    assert server.requests[-1].body["messages"][0]["images"] == [ImageBlock(image=tiny_png()).as_base64()]
    server.reset()
    with pytest.raises(InvalidInputError, match="not URLs"):
        llm.chat([ChatMessage(blocks=[ImageBlock(url="https://example.com/a.png")])])
    with pytest.raises(InvalidInputError, match="cannot read documents"):
        llm.chat([ChatMessage(blocks=[DocumentBlock(data=b"%PDF-1.4")])])
    with pytest.raises(InvalidInputError, match="vision"):
        make_llm(model="llama3.2").chat([message])
    assert server.requests == []


def test_thinking_blocks_and_stream_deltas(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    llm = make_llm(model="qwen3", thinking=True)
    answer = llm.chat([ChatMessage(content="why")])
    assert [b.content for b in answer.message.blocks if isinstance(b, ThinkingBlock)] == ["Thinking about: why"]
    assert answer.message.content == "echo: why"
    assert server.requests[-1].body["think"] is True
    chunks = list(llm.stream_chat([ChatMessage(content="how so")]))
    assert "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == "Thinking about: how so"
    assert "".join(c.delta or "" for c in chunks) == "echo: how so"
    history = [ChatMessage(content="why"), answer.message, ChatMessage(content="and then")]
    llm.chat(history)
    assert server.requests[-1].body["messages"][1]["thinking"] == "Thinking about: why"


def test_tool_round_trip_names_the_tool_in_the_result(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    llm = make_llm()
    tool = FunctionTool.from_defaults(add_numbers)
    user = ChatMessage(content='add {"a": 4, "b": 5}')
    first = llm.chat_with_tools([tool], user_msg=user)
    (call,) = llm.get_tool_calls_from_response(first)
    assert (call.tool_id, call.tool_name, call.tool_kwargs) == ("call_0", "add_numbers", {"a": 4, "b": 5})
    result = ChatMessage(role=MessageRole.TOOL, content="9", additional_kwargs={"tool_call_id": call.tool_id})
    assert llm.chat([user, first.message, result]).message.content == "tool said: 9"
    sent = server.requests[-1].body["messages"]
    assert sent[1]["tool_calls"] == [{"function": {"name": "add_numbers", "arguments": {"a": 4, "b": 5}}}]
    assert sent[2] == {"role": "tool", "content": "9", "tool_name": "add_numbers"}
    with pytest.raises(InvalidInputError, match="cannot attribute"):
        llm.chat([user, result])


def test_streamed_tool_call_and_usage(make_llm: MakeLLM) -> None:
    llm = make_llm()
    chunks = list(llm.stream_chat_with_tools([FunctionTool.from_defaults(add_numbers)], user_msg='{"a": 1, "b": 2}'))
    assert llm.get_tool_calls_from_response(chunks[-1])[0].tool_kwargs == {"a": 1, "b": 2}
    usage = chunks[-1].additional_kwargs
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_unknown_keyword_and_model_errors(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    with pytest.raises(InvalidInputError, match="frobnicate"):
        make_llm().complete("hi", frobnicate=1)
    assert server.requests == []
    with pytest.raises(NotFoundError, match="ollama pull nope"):
        make_llm(model="nope").complete("hi")
    assert len(server.requests) == 1  # 404 is not retried


def test_429_retry_after_is_honoured(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    check_retry_after_honoured(make_llm, server, CHAT)
    server.reset()
    server.add_fault(status=429, headers={"Retry-After": "9"}, path=CHAT, times=5)
    with pytest.raises(RateLimitError) as info:
        make_llm(max_retries=0).complete("hi")
    assert info.value.retry_after == 9.0


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_retried_then_typed(make_llm: MakeLLM, server: LoopbackOllama, status: int) -> None:
    check_5xx_retried_then_typed(make_llm, server, CHAT, status, provider="ollama")


def test_400_is_not_retried(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    server.add_fault(status=400, path=CHAT, times=5)
    with pytest.raises(InvalidInputError):
        make_llm().complete("hi")
    assert len(server.requests_to(CHAT)) == 1


def test_stream_start_is_retried_and_mid_stream_faults_are_typed(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    server.add_fault(status=503, path=CHAT, times=1)
    server.add_fault(status=429, headers={"Retry-After": "0"}, path=CHAT, times=1)
    assert "".join(c.delta or "" for c in make_llm().stream_complete("a b")) == "echo: a b"
    assert len(server.requests_to(CHAT)) == 3
    server.reset()
    server.add_fault(action="drop", path=CHAT, times=1)
    with pytest.raises(ProviderConnectionError):  # sent, then cut: generation is not sent again
        list(make_llm().stream_complete("a b"))
    assert len(server.requests_to(CHAT)) == 1
    server.fail_stream(after_lines=2)
    received: list[CompletionResponse] = []
    with pytest.raises(ProviderError, match="injected"):
        received.extend(make_llm().stream_complete("one two three"))
    assert [c.delta for c in received] == ["echo:", " one"]
    server.add_fault(action="cut_stream", after_chunks=1, path=CHAT)
    with pytest.raises(ProviderConnectionError):
        list(make_llm().stream_complete("one two three"))


async def test_async_stream_and_retry(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    server.add_fault(status=503, path=CHAT, times=1)
    stream = await make_llm().astream_complete("x y")
    assert "".join([c.delta or "" async for c in stream]) == "echo: x y"
    assert len(server.requests_to(CHAT)) == 2
    server.add_fault(status=429, headers={"Retry-After": "0.1"}, path=CHAT, times=1)
    assert (await make_llm().acomplete("z")).text == "echo: z"


def test_slow_response_times_out(make_llm: MakeLLM, server: LoopbackOllama) -> None:
    server.add_fault(action="delay_only", delay=1.0, path=CHAT, times=5)
    with pytest.raises(ProviderTimeoutError, match="request_timeout"):
        make_llm(request_timeout=0.2, max_retries=1).complete("hi")
    assert len(server.requests_to(CHAT)) == 1  # generation is not sent again after a timeout


def test_refused_connection_is_a_connection_error() -> None:
    from dovetail.core.testing.loopback import free_port

    llm = Ollama(base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    with pytest.raises(ProviderConnectionError, match="ollama serve"):
        llm.complete("hi")


def test_host_from_config_then_env(server: LoopbackOllama, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OLLAMA_HOST", server.url.removeprefix("http://"))
    assert Ollama().complete("env").text == "echo: env"
    config = tmp_path / "dovetail.toml"
    config.write_text('[providers.ollama]\nbase_url = "http://127.0.0.1:1"\n')
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    with pytest.raises(ProviderConnectionError, match=r"127\.0\.0\.1:1\b"):
        Ollama(max_retries=0).complete("config wins over env")
    assert Ollama(base_url=server.url).complete("explicit").text == "echo: explicit"


def test_registry_string_resolves(server: LoopbackOllama) -> None:
    llm = resolve_llm("ollama:llama3.2", base_url=server.url)
    assert isinstance(llm, Ollama)
    assert llm.complete("ping").text == "echo: ping"


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"request_timeout": 0}, "request_timeout"), ({"max_retries": 11}, "max_retries")]
)
def test_bad_settings(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        Ollama(**kwargs)


def test_dovetail_query_with_an_ollama_llm(
    server: LoopbackOllama, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dovetail query --llm ollama:llama3.2`` writes the answer with the model (host from OLLAMA_HOST)."""
    from dovetail.core.cli import main

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "joints.txt").write_text("A dovetail joint interlocks pins and tails. Glue holds it.")
    index = str(tmp_path / "index")
    assert main(["ingest", str(docs), "--index", index, "--embed", "mock:32"]) == 0
    monkeypatch.setenv("OLLAMA_HOST", server.url)
    capsys.readouterr()
    assert main(["query", "What holds a dovetail?", "--index", index, "--llm", "ollama:llama3.2"]) == 0
    out = capsys.readouterr().out
    assert "echo:" in out
    (chat,) = server.requests_to("/api/chat")
    assert chat.body["model"] == "llama3.2"
    assert "pins and tails" in json.dumps(chat.body["messages"])
