"""The SDK clients of a provider integration and its calls through dovetail's one retry layer.

Every provider integration holds the same two things: an SDK client for sync calls, built on first use, and one
for async calls per event loop (a connection pool cannot move between loops); and calls wrapped in
:func:`dovetail.core.retry.retry_call` with the instance's policy and the provider's error mapping. A stream is
opened the same way everywhere too: SDKs send the request when the first chunk is read, so that first chunk is
fetched inside the retry loop and the rest is read as the caller iterates (a stream that broke off midway is
not replayed: part of the answer was already handed out).

:class:`SdkClients` is that shared part; a provider subclasses it with what is its own: how to build its
clients (:meth:`~SdkClients._new_sync`, :meth:`~SdkClients._new_async`), how to map its errors
(:meth:`~SdkClients.map_error`), and, where needed, what to do before each attempt or how to close its clients.
A model that holds one as ``_clients`` gets ``close``/``aclose`` and ``with``/``async with`` from
:class:`OwnsSdkClients`. An SDK that takes the user's own HTTP clients subclasses :class:`KeepsUserHttpClients`
instead, which leaves those open.

Example:
    ```python
    class AcmeClients(SdkClients["acme.Client", "acme.AsyncClient"]):
        provider = "acme"

        def _new_sync(self) -> acme.Client:
            return acme.Client(api_key=..., max_retries=0)

        def _new_async(self) -> acme.AsyncClient:
            return acme.AsyncClient(api_key=..., max_retries=0)

        def map_error(self, exc: BaseException, operation: str) -> BaseException:
            return map_acme_error(exc, operation=operation)

    clients = AcmeClients(RetryPolicy(max_retries=3))
    answer = clients.call(lambda c: c.complete(prompt), operation="complete", idempotent=False)
    ```
"""

from __future__ import annotations

import asyncio
import importlib
import time
import weakref
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import aretry_call
from dovetail.core.retry import retry_call

__all__ = ["KeepsUserHttpClients", "OwnsSdkClients", "SdkClients"]

S = TypeVar("S")
A = TypeVar("A")
T = TypeVar("T")
C = TypeVar("C")
Owner = TypeVar("Owner", bound="OwnsSdkClients")


class SdkClients(Generic[S, A]):
    """Lazily built SDK clients (``S`` sync, ``A`` async) and their retrying calls.

    Args:
        policy: the retry policy of every call.
    """

    provider: str = "provider"  # the name in log lines (``"<provider>.<operation>"``); may be set per instance

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self._sync: S | None = None
        self._async: A | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    # ---- what a provider implements ---------------------------------------------------------------------

    def _new_sync(self) -> S:
        """A new sync SDK client (its own retries off)."""
        raise NotImplementedError

    def _new_async(self) -> A:
        """A new async SDK client for the running event loop (its own retries off)."""
        raise NotImplementedError

    def map_error(self, exc: BaseException, operation: str) -> BaseException:
        """The dovetail error for ``exc`` raised during ``operation`` (secrets scrubbed)."""
        raise NotImplementedError

    def _for_attempt(self, client: C, started: float) -> C:
        """The client one attempt uses (``started``: ``time.monotonic()`` of the first); ``client`` by default."""
        return client

    def _sync_finalizer(self, client: S) -> Callable[[], object] | None:
        """What closes ``client`` when this object is collected without :meth:`close` (``None``: nothing). It
        must not refer to ``self``, or ``self`` would never be collected."""
        return None

    def _close_sync(self, client: S) -> None:
        client.close()  # type: ignore[attr-defined]

    async def _close_async(self, client: A) -> None:
        await client.close()  # type: ignore[attr-defined]

    # ---- clients ------------------------------------------------------------------------------------------

    def sync_client(self) -> S:
        """The sync SDK client, built on first use."""
        if self._sync is None:
            self._sync = self._new_sync()
            finalizer = self._sync_finalizer(self._sync)
            if finalizer is not None:
                weakref.finalize(self, finalizer)
        return self._sync

    def async_client(self) -> A:
        """The async SDK client of the running event loop, built on first use in that loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._async = self._new_async()
            self._async_loop = loop
        return self._async

    def close(self) -> None:
        """Close the sync client (built again if used later)."""
        if self._sync is not None:
            self._close_sync(self._sync)
        self._sync = None

    async def aclose(self) -> None:
        """Close both clients."""
        self.close()
        if self._async is not None:
            await self._close_async(self._async)
        self._async = None
        self._async_loop = None

    # ---- calls --------------------------------------------------------------------------------------------

    def _retry_options(self, operation: str, idempotent: bool) -> dict[str, Any]:
        return {
            "operation": f"{self.provider}.{operation}",
            "map_error": lambda exc: self.map_error(exc, operation),
            "idempotent": idempotent,
        }

    def call(self, fn: Callable[[S], T], *, operation: str, idempotent: bool = True) -> T:
        """Run ``fn(sync_client)`` with error mapping and the retry policy.

        Generation passes ``idempotent=False``: it is retried after answers with a status (429, 5xx) and refused
        connections, not after timeouts or cut connections (see :mod:`dovetail.core.retry`).
        """
        client, started = self.sync_client(), time.monotonic()
        options = self._retry_options(operation, idempotent)
        return retry_call(lambda: fn(self._for_attempt(client, started)), self.policy, **options)

    async def acall(self, fn: Callable[[A], Awaitable[T]], *, operation: str, idempotent: bool = True) -> T:
        """Await ``fn(async_client)`` with error mapping and the retry policy (as :meth:`call`)."""
        client, started = self.async_client(), time.monotonic()
        options = self._retry_options(operation, idempotent)
        return await aretry_call(lambda: fn(self._for_attempt(client, started)), self.policy, **options)

    def open_stream(self, fn: Callable[[S], Any], *, operation: str) -> Iterator[Any]:
        """Start a generation stream with retries: its first chunk is read inside the retry loop."""

        def attempt(client: S) -> tuple[Iterator[Any], list[Any]]:
            stream = iter(fn(client))
            try:
                return stream, [next(stream)]
            except StopIteration:
                return stream, []

        stream, head = self.call(attempt, operation=operation, idempotent=False)
        return _chain(head, stream)

    async def aopen_stream(self, fn: Callable[[A], Awaitable[Any]], *, operation: str) -> AsyncIterator[Any]:
        """Async :meth:`open_stream` (``fn`` returns an awaitable of an async iterator)."""

        async def attempt(client: A) -> tuple[Any, list[Any]]:
            stream = await fn(client)
            try:
                return stream, [await stream.__anext__()]
            except StopAsyncIteration:
                return stream, []

        stream, head = await self.acall(attempt, operation=operation, idempotent=False)
        return _achain(head, stream)


class _HttpClientSettings(Protocol):
    http_client: Any
    async_http_client: Any


class KeepsUserHttpClients(SdkClients[S, A]):
    """:class:`SdkClients` of an SDK built on the user's HTTP clients when given (``settings.http_client`` /
    ``settings.async_http_client``; ``None``: the SDK makes its own pool). Closing, or collecting without
    closing, shuts only a pool the SDK made: the user's clients stay open for them to close."""

    settings: _HttpClientSettings

    def _sync_finalizer(self, client: S) -> Callable[[], object] | None:
        return client.close if self.settings.http_client is None else None  # type: ignore[attr-defined]

    def _close_sync(self, client: S) -> None:
        if self.settings.http_client is None:
            super()._close_sync(client)

    async def _close_async(self, client: A) -> None:
        if self.settings.async_http_client is None:
            await super()._close_async(client)


def check_user_http_clients(owner: str, library: str, http_client: object, async_http_client: object) -> None:
    """Refuse, at construction, HTTP clients the SDK cannot use (it would fail only at the first request).

    ``library`` is the SDK's HTTP library (``"httpx"``, ``"httpx2"``); it is imported only when a client is given.
    ``http_client`` must be its ``Client`` and ``async_http_client`` its ``AsyncClient`` (``None``: the SDK makes
    its own).

    Raises:
        InvalidInputError: naming the class to pass instead.
    """
    given = (("http_client", http_client, "Client"), ("async_http_client", async_http_client, "AsyncClient"))
    for field, client, class_name in given:
        if client is None:
            continue
        expected = getattr(importlib.import_module(library), class_name)
        if not isinstance(client, expected):
            kind = type(client)
            msg = (
                f"{owner}({field}=...) got a {kind.__module__.partition('.')[0]}.{kind.__qualname__}; the SDK needs a "
                f"{library}.{class_name} (pass {library}.{class_name}(...), or leave {field} unset)"
            )
            raise InvalidInputError(msg)


def _chain(head: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from head
    yield from rest


async def _achain(head: list[Any], rest: Any) -> AsyncIterator[Any]:
    for item in head:
        yield item
    async for item in rest:
        yield item


class OwnsSdkClients:
    """``close``/``aclose`` and ``with``/``async with`` for a model whose SDK clients are its ``_clients``
    (:class:`SdkClients`). HTTP clients the user passed in stay open. List it before the model's base class."""

    if TYPE_CHECKING:
        _clients: SdkClients[Any, Any]

    def close(self) -> None:
        """Close the SDK's sync client (HTTP clients passed in stay open; a later call builds it again)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close both SDK clients."""
        await self._clients.aclose()

    def _map(self, operation: str) -> Callable[[BaseException], BaseException]:
        """The error mapping of ``operation`` (for stream drivers, which map errors raised while iterating)."""
        return lambda exc: self._clients.map_error(exc, operation)

    def __enter__(self: Owner) -> Owner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self: Owner) -> Owner:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
