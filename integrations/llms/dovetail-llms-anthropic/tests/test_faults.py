"""Faults injected by the loopback server: one retry layer (dovetail's), typed errors with status and request id."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import CompletionResponse
from dovetail.core.testing.llm_faults import check_retry_after_honoured
from dovetail.llms.anthropic import Anthropic

from .anthropic_loopback import LoopbackAnthropic

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeLLM = Callable[..., Anthropic]
PATH = "/v1/messages"


def _attempts(server: LoopbackAnthropic) -> int:
    return len(server.requests_to(PATH))


def test_429_retry_after_is_honoured(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    check_retry_after_honoured(make_llm, server, PATH)


def test_529_overloaded_is_retried(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(status=529, path=PATH, times=2)
    assert make_llm().complete("hi").text == "echo: hi"
    assert _attempts(server) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_exhausts_retries_with_status_and_request_id(
    make_llm: MakeLLM, server: LoopbackAnthropic, status: int
) -> None:
    server.add_fault(status=status, path=PATH, times=10, headers={"request-id": "req_fault"})
    with pytest.raises(ProviderError) as info:
        make_llm(max_retries=2).complete("hi")
    assert (info.value.status, info.value.request_id, info.value.provider) == (status, "req_fault", "anthropic")
    assert "req_fault" in str(info.value)
    assert _attempts(server) == 3


def test_sdk_retries_are_off(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(status=503, path=PATH, times=10)
    with pytest.raises(ProviderError):
        make_llm(max_retries=0).complete("hi")
    assert _attempts(server) == 1
    assert server.requests[0].headers["x-stainless-retry-count"] == "0"


def test_rate_limit_error_carries_retry_after(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(status=429, headers={"retry-after": "7", "request-id": "req_rl"}, path=PATH, times=5)
    with pytest.raises(RateLimitError) as info:
        make_llm(max_retries=0).complete("hi")
    assert (info.value.retry_after, info.value.request_id) == (7.0, "req_rl")


@pytest.mark.parametrize(("status", "error"), [(400, InvalidInputError), (401, AuthenticationError)])
def test_4xx_is_not_retried(make_llm: MakeLLM, server: LoopbackAnthropic, status: int, error: type) -> None:
    server.add_fault(status=status, path=PATH, times=5)
    with pytest.raises(error):
        make_llm().complete("hi")
    assert _attempts(server) == 1


def test_dropped_connection_is_not_sent_again(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    """A message is billed generation: after a connection cut once the request was sent, it is not sent again."""
    server.add_fault(action="drop", path=PATH, times=5)
    with pytest.raises(ProviderConnectionError, match="connection") as info:
        make_llm(max_retries=3).complete("hi")
    assert info.value.request_sent is True
    assert info.value.__cause__ is None, "the SDK exception (it holds the request) is not chained"
    assert _attempts(server) == 1


def test_refused_connection_is_retried_as_never_sent() -> None:
    from dovetail.core.testing.loopback import free_port

    llm = Anthropic(api_key="sk-ant-x", base_url=f"http://127.0.0.1:{free_port()}", max_retries=0)
    with pytest.raises(ProviderConnectionError) as info:
        llm.complete("hi")
    assert info.value.request_sent is False


def test_error_event_mid_stream_is_a_typed_error(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.fail_stream(after_events=5, error_type="overloaded_error")
    stream = make_llm().stream_chat([ChatMessage(content="one two three four")])
    received: list[ChatResponse] = []
    with pytest.raises(ProviderError) as info:
        received.extend(stream)
    assert info.value.status == 529
    assert "overloaded_error" in str(info.value)
    assert [c.delta for c in received] == ["echo:", " one"]


async def test_async_error_event_mid_stream(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.fail_stream(after_events=2, error_type="api_error")
    stream = await make_llm().astream_chat([ChatMessage(content="hello")])
    with pytest.raises(ProviderError) as info:
        _ = [chunk async for chunk in stream]
    assert info.value.status == 500


def test_stream_cut_mid_way_is_a_connection_error(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(action="cut_stream", after_chunks=5, path=PATH)
    received: list[CompletionResponse] = []
    with pytest.raises(ProviderConnectionError):
        received.extend(make_llm().stream_complete("alpha beta gamma delta"))
    assert "".join(c.delta or "" for c in received) == "echo: alpha"


def test_slow_response_times_out_and_is_not_sent_again(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(action="delay_only", delay=1.0, path=PATH, times=5)
    with pytest.raises(ProviderTimeoutError, match="timed out"):
        make_llm(timeout=0.3, max_retries=3).complete("hi")
    assert _attempts(server) == 1  # the provider may have done (and billed) the work


async def test_async_retries_429(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    server.add_fault(status=429, headers={"retry-after": "0.1"}, path=PATH, times=1)
    assert (await make_llm().acomplete("hi")).text == "echo: hi"
    assert _attempts(server) == 2


def test_validation_errors_reach_no_server(make_llm: MakeLLM, server: LoopbackAnthropic) -> None:
    llm = make_llm()
    with pytest.raises(InvalidInputError):
        llm.chat([ChatMessage(role="tool", content="5")])  # a tool result without its call id
    with pytest.raises(InvalidInputError):
        llm.chat([ChatMessage(role="system", content="only a system prompt")])
    assert server.requests == []
