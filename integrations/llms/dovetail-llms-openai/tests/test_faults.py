"""Faults injected by the loopback server: retries, Retry-After, typed errors, timeouts, cut streams."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.llms import ChatMessage
from dovetail.core.testing.loopback import free_port
from dovetail.llms.openai import OpenAI

# The tests here talk to the loopback OpenAI-compatible server over real HTTP.
pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"


def make(server: Any, **kwargs: Any) -> OpenAI:
    kwargs.setdefault("api_key", "sk-fault-test")
    return OpenAI(model="gpt-4o-mini", api_base=server.base_url, **kwargs)


def test_429_retry_after_is_honoured(server: Any) -> None:
    server.add_fault(status=429, headers={"Retry-After": "0.4"}, path=CHAT, times=2)
    llm = make(server, max_retries=3)
    started = time.monotonic()
    assert llm.complete("hi").text == "echo: hi"
    elapsed = time.monotonic() - started
    attempts = server.requests_to(CHAT)
    assert len(attempts) == 3
    gaps = [b.at - a.at for a, b in itertools.pairwise(attempts)]
    assert all(gap >= 0.38 for gap in gaps), gaps
    assert elapsed >= 0.8


def test_429_retry_after_ms_and_exhaustion(server: Any) -> None:
    server.add_fault(status=429, headers={"retry-after-ms": "50", "x-request-id": "req_rl"}, path=CHAT, times=5)
    llm = make(server, max_retries=2)
    with pytest.raises(RateLimitError) as info:
        llm.complete("hi")
    assert info.value.retry_after == pytest.approx(0.05)
    assert info.value.status == 429
    assert "retry" in str(info.value).lower()
    assert info.value.__cause__ is None, "SDK exceptions carry the key"
    assert info.value.__context__ is None
    assert len(server.requests_to(CHAT)) == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_then_succeeds(server: Any, status: int) -> None:
    server.add_fault(status=status, path=CHAT, times=2)
    assert make(server, max_retries=2).complete("x").text == "echo: x"
    assert len(server.requests_to(CHAT)) == 3


def test_5xx_exhausted_carries_status_and_request_id(server: Any) -> None:
    server.add_fault(status=503, path=CHAT, times=3, headers={"x-request-id": "req_abc"})
    with pytest.raises(ProviderError) as info:
        make(server, max_retries=1).complete("x")
    assert info.value.status == 503
    assert info.value.request_id == "req_abc"
    assert info.value.provider == "openai"
    assert "req_abc" in str(info.value)
    assert len(server.requests_to(CHAT)) == 2


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AuthenticationError),
        (403, AuthenticationError),
        (400, InvalidInputError),
        (422, InvalidInputError),
        (404, NotFoundError),
    ],
)
def test_client_errors_are_typed_and_never_retried(server: Any, status: int, error: type[Exception]) -> None:
    server.add_fault(status=status, path=CHAT, times=5)
    with pytest.raises(error) as info:
        make(server, max_retries=3).complete("x")
    assert len(server.requests_to(CHAT)) == 1
    assert info.value.__cause__ is None
    assert info.value.__context__ is None
    assert f"HTTP {status}" in str(info.value), "the summary replaces the dropped cause"
    if status in (401, 403):
        assert "OPENAI_API_KEY" in str(info.value)


def test_wrong_key_gets_401_from_the_server(server: Any) -> None:
    server.api_key = "sk-right"
    with pytest.raises(AuthenticationError):
        make(server, api_key="sk-wrong").complete("x")
    assert len(server.requests_to(CHAT)) == 1
    assert make(server, api_key="sk-right").complete("x").text == "echo: x"


def test_dropped_connection_of_a_generation_is_not_retried_by_default(server: Any) -> None:
    server.add_fault(action="drop", path=CHAT, times=1)
    with pytest.raises(ProviderConnectionError):
        make(server, max_retries=3).complete("y")
    assert len(server.requests_to(CHAT)) == 1, "the provider may have generated (and billed) the answer"


def test_dropped_connection_is_retried_when_opted_in(server: Any) -> None:
    server.add_fault(action="drop", path=CHAT, times=1)
    assert make(server, max_retries=1, retry_ambiguous=True).complete("y").text == "echo: y"
    assert len(server.requests_to(CHAT)) == 2


def test_dropped_connection_exhausted_is_connection_error(server: Any) -> None:
    server.add_fault(action="drop", path=CHAT, times=5)
    with pytest.raises(ProviderConnectionError):
        make(server, max_retries=1, retry_ambiguous=True).complete("y")
    assert len(server.requests_to(CHAT)) == 2


def test_slow_response_times_out(server: Any) -> None:
    server.add_fault(action="delay_only", delay=1.0, path=CHAT, times=1)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError):
        make(server, timeout=0.2, max_retries=0).complete("y")
    assert time.monotonic() - started < 0.9


def test_stream_cut_mid_way_is_a_typed_error(server: Any) -> None:
    server.add_fault(action="cut_stream", after_chunks=2, path=CHAT)
    stream = make(server).stream_chat([ChatMessage(content="one two three four")])
    received = []

    def drain() -> None:
        for chunk in stream:
            received.append(chunk.delta)

    with pytest.raises(ProviderConnectionError):
        drain()
    assert received == ["echo:"]
    assert len(server.requests_to(CHAT)) == 1, "a stream that already yielded is not retried"


async def test_async_stream_cut_mid_way_is_a_typed_error(server: Any) -> None:
    server.add_fault(action="cut_stream", after_chunks=3, path=CHAT)
    async with make(server) as llm:
        stream = await llm.astream_chat([ChatMessage(content="one two three four")])
        with pytest.raises(ProviderConnectionError):
            async for _ in stream:
                pass


async def test_async_retry_after_and_401(server: Any) -> None:
    server.add_fault(status=429, headers={"Retry-After": "0.3"}, path=CHAT, times=1)
    async with make(server) as llm:
        started = time.monotonic()
        assert (await llm.acomplete("a")).text == "echo: a"
        assert time.monotonic() - started >= 0.29
        server.add_fault(status=401, path=CHAT, times=3)
        with pytest.raises(AuthenticationError):
            await llm.acomplete("a")
    assert len(server.requests_to(CHAT)) == 3


async def test_async_calls_run_concurrently(server: Any) -> None:
    async with make(server) as llm:
        await llm.acomplete("warm-up")  # builds the client (and imports the SDK) once
        server.latency = 0.3
        answers = await asyncio.gather(*(llm.acomplete(f"q{i}") for i in range(5)))
    assert [a.text for a in answers] == [f"echo: q{i}" for i in range(5)]
    arrivals = [r.at for r in server.requests_to(CHAT)[1:]]
    spread = max(arrivals) - min(arrivals)
    assert spread < 0.3, f"all 5 requests must be in flight before the first answer (spread {spread:.2f}s)"


@pytest.fixture
def unreachable_port() -> Iterator[int]:
    """A port whose listen backlog is full: SYNs are dropped, so connecting hangs like a dead host."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        sock = socket.socket()
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.connect(("127.0.0.1", port))
        fillers.append(sock)
    time.sleep(0.05)
    yield port
    for sock in fillers:
        sock.close()
    listener.close()


def test_dead_host_fails_within_connect_timeout(unreachable_port: int) -> None:
    llm = OpenAI(
        model="gpt-4o-mini",
        api_key="sk-x",
        api_base=f"http://127.0.0.1:{unreachable_port}/v1",
        connect_timeout=0.3,
        max_retries=3,
    )
    started = time.monotonic()
    with pytest.raises((ProviderConnectionError, ProviderTimeoutError)):
        llm.complete("x")
    assert time.monotonic() - started < 1.5, "a dead host must fail after connect_timeout, not after retries"


def test_refused_connection_is_a_connection_error() -> None:
    port = free_port()  # nothing listens there: the connection is refused
    llm = OpenAI(model="gpt-4o-mini", api_key="sk-x", api_base=f"http://127.0.0.1:{port}/v1", max_retries=0)
    with pytest.raises(ProviderConnectionError, match="api_base"):
        llm.complete("x")
