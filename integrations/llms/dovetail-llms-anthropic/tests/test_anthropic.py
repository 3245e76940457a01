"""Anthropic features beyond the kit: streamed tool deltas, thinking, caching, vision/PDF, system prompts,
validation before the network, keys, the registry, lazy import."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import CacheControl
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.registry import resolve_llm
from dovetail.core.testing.http_clients import check_user_http_clients_stay_open
from dovetail.core.testing.leaks import assert_error_path_is_clean
from dovetail.core.testing.llm import add_numbers
from dovetail.core.testing.llm import tiny_png
from dovetail.core.tools import FunctionTool
from dovetail.llms.anthropic import Anthropic

from .anthropic_loopback import API_KEY
from .anthropic_loopback import LoopbackAnthropic
from .anthropic_loopback import signature_of

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeLLM = Callable[..., Anthropic]
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
THINKING = {"type": "enabled", "budget_tokens": 1024}


def _user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def test_streamed_tool_call_arrives_as_input_json_deltas(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm()
    tool = FunctionTool.from_defaults(add_numbers)
    chunks = list(llm.stream_chat_with_tools([tool], user_msg='add {"a": 20, "b": 22}'))
    pieces = [
        c.additional_kwargs["tool_call_delta"]["partial_json"]
        for c in chunks
        if "tool_call_delta" in c.additional_kwargs
    ]
    assert len(pieces) > 1, "the server split the arguments over several input_json_delta events"
    assert json.loads("".join(pieces)) == {"a": 20, "b": 22}
    (call,) = llm.get_tool_calls_from_response(chunks[-1])
    assert (call.tool_name, call.tool_kwargs, call.tool_id) == ("add_numbers", {"a": 20, "b": 22}, "toolu_loopback_0")
    body = server.requests[-1].body
    assert body["tools"][0]["input_schema"]["required"] == ["a", "b"]
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert chunks[-1].additional_kwargs["stop_reason"] == "tool_use"


async def test_async_stream_tool_deltas(make_llm: MakeLLM) -> None:
    llm = make_llm()
    tool = FunctionTool.from_defaults(add_numbers)
    stream = await llm.astream_chat_with_tools([tool], user_msg='add {"a": 1, "b": 2}')
    chunks = [chunk async for chunk in stream]
    assert llm.get_tool_calls_from_response(chunks[-1])[0].tool_kwargs == {"a": 1, "b": 2}


def test_thinking_blocks_surface_and_go_back_with_tool_results(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm(max_tokens=4096, thinking_dict=THINKING)
    tool = FunctionTool.from_defaults(add_numbers)
    user = _user('add {"a": 2, "b": 3}')
    first = llm.chat_with_tools([tool], user_msg=user)
    thinking = [b for b in first.message.blocks if isinstance(b, ThinkingBlock)]
    assert [t.content for t in thinking] == ['Thinking about: add {"a": 2, "b": 3}']
    assert thinking[0].additional_information["signature"] == signature_of(thinking[0].content or "")
    assert server.requests[-1].body["thinking"] == THINKING
    call = llm.get_tool_calls_from_response(first)[0]
    result = ChatMessage(role=MessageRole.TOOL, content="5", additional_kwargs={"tool_call_id": call.tool_id})
    final = llm.chat_with_tools([tool], chat_history=[user, first.message, result])
    assert final.message.content == "tool said: 5"
    sent = server.requests[-1].body["messages"][1]["content"]
    assert [b["type"] for b in sent] == ["thinking", "tool_use"]
    # Without the thinking block the API (and the loopback server) rejects the turn: the round trip above matters.
    stripped = ChatMessage(role=MessageRole.ASSISTANT, additional_kwargs=first.message.additional_kwargs)
    with pytest.raises(InvalidInputError, match="Expected `thinking`"):
        llm.chat_with_tools([tool], chat_history=[user, stripped, result])


def test_streamed_thinking_deltas_and_signature(make_llm: MakeLLM) -> None:
    llm = make_llm(max_tokens=4096, thinking_dict=THINKING)
    chunks = list(llm.stream_chat([_user("why is the sky blue")]))
    thought = "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks)
    assert thought == "Thinking about: why is the sky blue"
    assert "".join(c.delta or "" for c in chunks) == "echo: why is the sky blue"
    (block,) = [b for b in chunks[-1].message.blocks if isinstance(b, ThinkingBlock)]
    assert block.content == thought
    assert block.additional_information["signature"] == signature_of(thought)


def test_prompt_cache_write_then_read_in_usage(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm()
    system = ChatMessage(
        role=MessageRole.SYSTEM,
        blocks=[
            TextBlock(text="You answer questions about a long manual " * 5),
            CachePoint(cache_control=CacheControl()),
        ],
    )
    first = llm.chat([system, _user("first question")])
    second = llm.chat([system, _user("second question")])
    assert server.requests[-1].body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert first.additional_kwargs["cache_creation_input_tokens"] == 35
    assert first.additional_kwargs["cache_read_input_tokens"] == 0
    assert second.additional_kwargs["cache_read_input_tokens"] == 35
    assert second.additional_kwargs["prompt_tokens"] == 35 + 2
    usage = second.additional_kwargs
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_cache_point_ttl_and_stream_usage(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm()
    message = ChatMessage(blocks=[TextBlock(text="cache me please"), CachePoint(cache_control=CacheControl(ttl="1h"))])
    chunks = list(llm.stream_chat([message]))
    assert server.requests[-1].body["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert chunks[-1].additional_kwargs["cache_creation_input_tokens"] == 3
    assert chunks[-1].additional_kwargs["prompt_tokens"] == 3


def test_cache_point_first_in_a_message_is_rejected_before_sending(
    make_llm: MakeLLM, server: LoopbackAnthropic
) -> None:
    llm = make_llm()
    with pytest.raises(InvalidInputError, match="CachePoint must follow"):
        llm.chat([ChatMessage(blocks=[CachePoint(), TextBlock(text="x")])])
    assert server.requests == []


def test_images_and_pdf_documents(make_llm: MakeLLM, server: LoopbackAnthropic, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    blocks = [
        TextBlock(text="what is in these"),
        ImageBlock(image=tiny_png()),
        ImageBlock(url="https://example.com/cat.png"),
        DocumentBlock(path=path, title="report"),
        DocumentBlock(data=b"plain notes", title="notes"),
    ]
    answer = llm_text = make_llm().chat([ChatMessage(blocks=blocks)]).message.content
    assert llm_text == "echo: what is in these [2 image(s)] [2 document(s): report, notes]", answer
    sent = server.requests[-1].body["messages"][0]["content"]
    assert sent[1]["source"]["media_type"] == "image/png"
    assert sent[2]["source"] == {"type": "url", "url": "https://example.com/cat.png"}
    assert sent[3]["source"]["media_type"] == "application/pdf"
    assert sent[4]["source"] == {"type": "text", "media_type": "text/plain", "data": "plain notes"}


def test_unsupported_document_type_is_rejected(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    block = DocumentBlock(data=b"PK\x03\x04", document_mimetype="application/zip")
    with pytest.raises(InvalidInputError, match="PDF and text"):
        make_llm().chat([ChatMessage(blocks=[block])])
    assert server.requests == []


def test_system_prompt_goes_to_the_system_parameter(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm(system_prompt="Be brief.")
    assert llm.predict("Say {x}", x="hi") == "echo: Say hi"
    body = server.requests[-1].body
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert [m["role"] for m in body["messages"]] == ["user"]


def test_max_tokens_defaults_and_catalog_limits(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm(model="claude-3-5-haiku-20241022")
    assert llm.metadata.context_window == 200_000
    llm.complete("hi")
    assert server.requests[-1].body["max_tokens"] == 4096
    with pytest.raises(InvalidInputError, match="8192-token output limit"):
        make_llm(model="claude-3-5-haiku-latest", max_tokens=10_000)
    with pytest.raises(InvalidInputError, match=r"max_tokens must be an int in 1\.\.8192"):
        llm.complete("hi", max_tokens=9000)
    with pytest.raises(InvalidInputError, match="no extended thinking"):
        make_llm(model="claude-3-5-haiku-latest", thinking_dict=THINKING)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"temperature": 0.2}, "no sampling parameters"),
        ({"thinking_dict": {"type": "enabled", "budget_tokens": 100}}, "budget_tokens"),
        ({"thinking_dict": {"type": "enabled", "budget_tokens": 8000}, "max_tokens": 4096}, "below max_tokens"),
        ({"thinking_dict": {"type": "sometimes"}}, "thinking must look like"),
        ({"additional_kwargs": {"top_k": 5}}, "no sampling parameters"),
        ({"additional_kwargs": {"frobnicate": 1}}, "unknown Anthropic request parameter"),
        ({"additional_kwargs": {"messages": []}}, "unknown Anthropic request parameter.*messages"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_settings_raise_typed_errors(make_llm: MakeLLM, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        make_llm(**kwargs)


def test_unknown_call_keyword_is_rejected_before_sending(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    with pytest.raises(InvalidInputError, match="frobnicate"):
        make_llm().complete("hi", frobnicate=True)
    assert server.requests == []


def test_adaptive_thinking_is_sent_without_budget(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm(thinking_dict={"type": "adaptive"})
    response = llm.chat([_user("ponder")])
    assert server.requests[-1].body["thinking"] == {"type": "adaptive"}
    assert any(isinstance(b, ThinkingBlock) for b in response.message.blocks)


def test_key_order_explicit_then_config_then_env(
    server: LoopbackAnthropic, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
    config = tmp_path / "dovetail.toml"
    config.write_text(f'[providers.anthropic]\napi_key = "{API_KEY}"\n')
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    assert Anthropic(base_url=server.url).complete("hi").text == "echo: hi"  # config beats env
    config.write_text("")
    server.api_key = "sk-ant-from-env"
    assert Anthropic(base_url=server.url).complete("hi").text == "echo: hi"  # env last
    assert Anthropic(base_url=server.url, api_key="").complete("hi").text == "echo: hi"  # empty: none given
    with pytest.raises(Exception, match="401"):
        Anthropic(base_url=server.url, api_key="sk-ant-explicit-wrong").complete("hi")  # explicit first
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY"):
        Anthropic(base_url=server.url).complete("hi")


def test_secret_stays_out_of_repr_dump_and_errors(
    make_llm: MakeLLM, server: LoopbackAnthropic, caplog: pytest.LogCaptureFixture
) -> None:
    server.api_key = "another-key"  # ours is refused: the 401 error path runs
    scenario = lambda: (make_llm(), lambda llm: llm.complete("hi"))  # noqa: E731
    assert_error_path_is_clean(API_KEY, scenario, caplog, raises=AuthenticationError)


async def test_user_http_clients_stay_open(make_llm: MakeLLM) -> None:
    await check_user_http_clients_stay_open(make_llm, httpx2)


@pytest.mark.parametrize(
    ("field", "client", "needed"),
    [
        ("http_client", lambda: httpx.Client(), "httpx2.Client"),
        ("async_http_client", lambda: httpx.AsyncClient(), "httpx2.AsyncClient"),
        ("http_client", lambda: httpx2.AsyncClient(), "httpx2.Client"),
    ],
)
def test_http_client_of_another_library_is_refused_at_construction(
    make_llm: MakeLLM, field: str, client: Callable[[], object], needed: str
) -> None:
    given = client()
    try:
        with pytest.raises(InvalidInputError, match=rf"Anthropic\({field}=\.\.\.\).*needs a {re.escape(needed)}"):
            make_llm(**{field: given})
    finally:
        close = getattr(given, "close", None)
        if close is not None:
            close()


def test_registry_string_resolves(server: LoopbackAnthropic) -> None:
    llm = resolve_llm("anthropic:claude-haiku-4-5", api_key=API_KEY, base_url=server.url)
    assert isinstance(llm, Anthropic)
    assert llm.metadata.model_name == "claude-haiku-4-5"
    assert llm.complete("ping").text == "echo: ping"
    assert server.requests[-1].body["model"] == "claude-haiku-4-5"


def test_unknown_model_warns_and_uses_defaults(make_llm: MakeLLM, caplog: pytest.LogCaptureFixture) -> None:
    llm = make_llm(model="claude-private-9")
    assert "not in the Anthropic catalog" in caplog.text
    assert (llm.metadata.context_window, llm.metadata.num_output) == (200_000, 4096)


def test_stream_chunks_equal_validated_models(make_llm: MakeLLM) -> None:
    """Stream chunks are built without validation for speed; they must equal validated models."""
    from dovetail.core.llms import ChatResponse

    llm = make_llm(max_tokens=4096, thinking_dict=THINKING)
    chunks = list(llm.stream_chat([_user("a b c")]))
    for chunk in chunks:
        dumped = chunk.model_dump(exclude={"raw"})
        assert ChatResponse.model_validate(dumped).model_dump(exclude={"raw"}) == dumped
        assert chunk.message.content == (chunk.text or None)
    assert isinstance(chunks[-1].message.blocks[0], ThinkingBlock)
