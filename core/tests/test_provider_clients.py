"""``SdkClients``: lazily built clients (sync once, async per event loop), retrying calls and streams.

The clients here are small stand-in classes: what is under test is the lifecycle and retry plumbing the
providers share (each provider's suite drives its real SDK through it against a loopback server)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from collections.abc import Iterator

import pytest
from dovetail.core.errors import ProviderError
from dovetail.core.provider_clients import SdkClients
from dovetail.core.retry import RetryPolicy


class Client:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class AsyncClient:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


class Upstream(Exception):
    """What an SDK raises on a 503."""


class Clients(SdkClients[Client, AsyncClient]):
    provider = "acme"

    def __init__(self, max_retries: int = 2) -> None:
        super().__init__(RetryPolicy(max_retries=max_retries, initial_delay=0.0))
        self.built: list[object] = []
        self.attempts = 0
        self.closed_on_collect: list[Client] = []

    def _new_sync(self) -> Client:
        self.built.append(Client())
        return self.built[-1]  # type: ignore[return-value]

    def _new_async(self) -> AsyncClient:
        self.built.append(AsyncClient())
        return self.built[-1]  # type: ignore[return-value]

    def _for_attempt(self, client: object, started: float) -> object:  # type: ignore[override]
        self.attempts += 1
        return client

    def map_error(self, exc: BaseException, operation: str) -> BaseException:
        if isinstance(exc, Upstream):
            return ProviderError(f"acme {operation} failed with HTTP 503", status=503, provider="acme")
        return exc


def test_sync_client_is_built_once_and_again_after_close() -> None:
    clients = Clients()
    first = clients.sync_client()
    assert clients.sync_client() is first
    clients.close()
    assert first.closed
    assert clients.sync_client() is not first


def test_async_client_per_event_loop() -> None:
    clients = Clients()

    async def get() -> AsyncClient:
        client = clients.async_client()
        assert clients.async_client() is client
        return client

    first, second = asyncio.run(get()), asyncio.run(get())
    assert first is not second
    asyncio.run(clients.aclose())
    assert second.closed


def test_finalizer_closes_the_sync_client_when_collected() -> None:
    class Closing(Clients):
        def _sync_finalizer(self, client: Client) -> object:  # type: ignore[override]
            return client.close

    clients = Closing()
    client = clients.sync_client()
    del clients
    gc.collect()
    assert client.closed


def test_call_maps_and_retries_each_attempt() -> None:
    clients = Clients(max_retries=2)
    outcomes: list[Exception | str] = [Upstream(), Upstream(), "ok"]

    def fn(client: Client) -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert clients.call(fn, operation="chat") == "ok"
    assert clients.attempts == 3
    outcomes[:] = [Upstream()] * 3
    with pytest.raises(ProviderError, match="acme chat failed") as info:
        clients.call(fn, operation="chat")
    assert info.value.__cause__ is None


def test_open_stream_reads_the_first_chunk_inside_the_retry_loop() -> None:
    clients = Clients(max_retries=1)
    starts: list[int] = []

    def stream(client: Client) -> Iterator[str]:
        starts.append(1)
        if len(starts) == 1:
            raise Upstream  # the SDK sends the request on the first next()
        yield from ("a", "b")

    def lazy(client: Client) -> Iterator[str]:
        return stream(client)

    assert list(clients.open_stream(lazy, operation="stream_chat")) == ["a", "b"]
    assert len(starts) == 2
    assert list(clients.open_stream(lambda c: iter(()), operation="stream_chat")) == []


async def test_aopen_stream_reads_the_first_chunk_inside_the_retry_loop() -> None:
    clients = Clients(max_retries=1)
    starts: list[int] = []

    async def chunks() -> AsyncIterator[str]:
        starts.append(1)
        if len(starts) == 1:
            raise Upstream
        for chunk in ("a", "b"):
            yield chunk

    async def open_(client: AsyncClient) -> AsyncIterator[str]:
        return chunks()

    assert [c async for c in await clients.aopen_stream(open_, operation="stream_chat")] == ["a", "b"]
    assert len(starts) == 2
