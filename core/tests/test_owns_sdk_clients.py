"""``OwnsSdkClients``: ``close``/``aclose`` and ``with``/``async with`` close the model's SDK clients."""

from __future__ import annotations

import asyncio

from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_clients import SdkClients
from dovetail.core.retry import RetryPolicy


class _Client:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


class _AsyncClient:
    def __init__(self) -> None:
        self.closed = 0

    async def close(self) -> None:
        self.closed += 1


class _Clients(SdkClients[_Client, _AsyncClient]):
    def _new_sync(self) -> _Client:
        return _Client()

    def _new_async(self) -> _AsyncClient:
        return _AsyncClient()


class _Model(OwnsSdkClients):
    def __init__(self) -> None:
        self._clients = _Clients(RetryPolicy(max_retries=0))


def test_with_closes_the_sync_client_and_a_later_call_builds_a_new_one() -> None:
    with _Model() as model:
        first = model._clients.sync_client()
    assert first.closed == 1
    assert model._clients.sync_client() is not first


def test_async_with_closes_both_clients() -> None:
    async def run() -> tuple[_Client, _AsyncClient]:
        async with _Model() as model:
            return model._clients.sync_client(), model._clients.async_client()

    sync, aio = asyncio.run(run())
    assert (sync.closed, aio.closed) == (1, 1)


def test_close_before_any_call_is_a_no_op() -> None:
    model = _Model()
    model.close()
    asyncio.run(model.aclose())
    assert model._clients.sync_client().closed == 0
