"""SDK clients, host resolution, timeouts and the retry/error wrapper shared by dovetail's Ollama integrations.

Public so that ``dovetail-embeddings-ollama`` reuses it. The ``ollama`` SDK (and ``httpx``) are imported on first
client use. The SDK has no retries of its own; every call goes through dovetail's retry policy. The SDK's errors
carry no headers, so an ``httpx`` response hook records ``Retry-After`` of 429/503 answers for the error mapping.

Host resolution: explicit ``base_url`` > ``[providers.ollama] base_url`` of ``dovetail.toml`` > ``OLLAMA_HOST`` >
``http://localhost:11434``. Ollama needs no key; a key for a hosted endpoint goes in ``headers``
(``{"Authorization": "Bearer ..."}``).
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from dovetail.core.config import resolve_setting
from dovetail.core.errors import DovetailError, InvalidInputError, ProviderError
from dovetail.core.provider_errors import ErrorHints, StatusFailure, class_names, map_provider_error, status_error
from dovetail.core.retry import RetryPolicy, aretry_call, parse_retry_after, retry_call

if TYPE_CHECKING:
    import httpx

    import ollama

__all__ = [
    "DEFAULT_BASE_URL",
    "ClientSettings",
    "OllamaClients",
    "map_ollama_error",
    "resolve_base_url",
]

T = TypeVar("T")
PROVIDER = "ollama"
DEFAULT_BASE_URL = "http://localhost:11434"
_retry_after: contextvars.ContextVar[float | None] = contextvars.ContextVar("dovetail_ollama_retry_after", default=None)


def resolve_base_url(explicit: str | None) -> str:
    """The Ollama server URL: explicit > config ``base_url`` > ``OLLAMA_HOST`` > ``http://localhost:11434``."""
    base = str(resolve_setting(explicit, PROVIDER, "base_url", "OLLAMA_HOST") or DEFAULT_BASE_URL)
    if "://" not in base:
        base = f"http://{base}"
    if not base.startswith(("http://", "https://")):
        msg = f"base_url must be an http(s) URL such as http://localhost:11434, got {base!r}"
        raise InvalidInputError(msg)
    return base.rstrip("/")


def _record_retry_after(response: httpx.Response) -> None:
    if response.status_code in (429, 503):
        _retry_after.set(parse_retry_after(dict(response.headers)))


async def _arecord_retry_after(response: httpx.Response) -> None:
    _record_retry_after(response)


def map_ollama_error(exc: BaseException, *, operation: str, base_url: str, model: str = "") -> DovetailError:
    """The dovetail error for an exception raised by the ``ollama`` SDK or ``httpx``.

    What is Ollama's own: its ``ResponseError`` (a status, or an error line inside a stream), the
    ``Retry-After`` its SDK drops (recorded by the response hook), a missing model (``ollama pull``), and the
    builtin ``ConnectionError`` its SDK raises for a refused connection. The rest is core's one path
    (:func:`dovetail.core.provider_errors.map_provider_error`).

    Returns:
        The error to raise; a ``DovetailError`` is returned unchanged.
    """
    if isinstance(exc, DovetailError):
        return exc
    hints = ErrorHints(
        PROVIDER,
        auth="Check the Authorization header in headers=.",
        not_found=f"Pull the model first: `ollama pull {model}`." if model else "Check the model name.",
        timeout="raise request_timeout=... (a model loading from disk can take a while)",
        connection=f"check that Ollama is serving at {base_url} (`ollama serve`)",
    )
    if "ResponseError" in class_names(exc):
        status = getattr(exc, "status_code", -1)
        detail = str(getattr(exc, "error", exc))
        if not isinstance(status, int) or status < 400:  # an error line inside a stream
            return ProviderError(f"ollama {operation} failed while streaming: {detail}", provider=PROVIDER)
        failure = StatusFailure(status, detail, retry_after=_retry_after.get())
        return status_error(failure, hints, operation=operation)
    # The SDK turns a refused connection into the builtin ConnectionError: nothing was sent.
    refused = True if isinstance(exc, ConnectionError) else None
    return map_provider_error(exc, hints, operation=operation, refused=refused)


@dataclass
class ClientSettings:
    """How to build the SDK clients."""

    base_url: str | None
    request_timeout: float
    connect_timeout: float
    max_retries: int
    headers: dict[str, str] | None = None
    policy: RetryPolicy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = RetryPolicy(max_retries=self.max_retries)

    @classmethod
    def of(cls, owner: object) -> ClientSettings:
        """The settings read from ``owner``'s attributes of the same names (an LLM or embedding model)."""
        return cls(**{f.name: getattr(owner, f.name) for f in fields(cls) if f.init})


class OllamaClients:
    """Lazily built, reused ``ollama.Client`` / ``ollama.AsyncClient`` and retrying calls.

    The async client is kept per event loop (a connection pool cannot move between loops).
    """

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._sync: ollama.Client | None = None
        self._async: ollama.AsyncClient | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None
        self._host: str | None = None

    @property
    def host(self) -> str:
        """The resolved server URL."""
        if self._host is None:
            self._host = resolve_base_url(self.settings.base_url)
        return self._host

    def _options(self) -> dict[str, Any]:
        import httpx

        settings = self.settings
        timeout = httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout)
        return {"host": self.host, "timeout": timeout, "headers": settings.headers}

    def sync_client(self) -> ollama.Client:
        """The sync SDK client, built on first use."""
        if self._sync is None:
            import ollama

            hooks = {"response": [_record_retry_after]}
            self._sync = ollama.Client(**self._options(), event_hooks=hooks)
            weakref.finalize(self, self._sync.close)
        return self._sync

    def async_client(self) -> ollama.AsyncClient:
        """The async SDK client of the running event loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            import ollama

            hooks = {"response": [_arecord_retry_after]}
            self._async = ollama.AsyncClient(**self._options(), event_hooks=hooks)
            self._async_loop = loop
        return self._async

    def map_error(self, exc: BaseException, operation: str, model: str = "") -> DovetailError:
        """The dovetail error for ``exc``."""
        return map_ollama_error(exc, operation=operation, base_url=self.host, model=model)

    def _retry_options(self, operation: str, model: str, idempotent: bool) -> dict[str, Any]:
        return {
            "operation": f"ollama.{operation}",
            "map_error": lambda exc: self.map_error(exc, operation, model),
            "idempotent": idempotent,
        }

    def call(self, fn: Callable[[ollama.Client], T], *, operation: str, model: str = "", idempotent: bool = True) -> T:
        """Run ``fn(sync_client)`` with error mapping and dovetail's retry policy.

        Generation passes ``idempotent=False``: it is retried after answers with a status (429, 5xx) and refused
        connections, not after timeouts or cut connections (see :mod:`dovetail.core.retry`).
        """
        client = self.sync_client()

        def attempt() -> T:
            _retry_after.set(None)
            return fn(client)

        return retry_call(attempt, self.settings.policy, **self._retry_options(operation, model, idempotent))

    async def acall(
        self,
        fn: Callable[[ollama.AsyncClient], Awaitable[T]],
        *,
        operation: str,
        model: str = "",
        idempotent: bool = True,
    ) -> T:
        """Await ``fn(async_client)`` with error mapping and dovetail's retry policy (as :meth:`call`)."""
        client = self.async_client()

        async def attempt() -> T:
            _retry_after.set(None)
            return await fn(client)

        return await aretry_call(attempt, self.settings.policy, **self._retry_options(operation, model, idempotent))

    def open_stream(
        self, fn: Callable[[ollama.Client], Iterator[T]], *, operation: str, model: str = ""
    ) -> Iterator[T]:
        """Start a generation stream with retries: the SDK sends the request on the first ``next``, so that first
        chunk is fetched inside the retry loop; the rest is read as the caller iterates."""

        def attempt() -> tuple[Iterator[T], list[T]]:
            _retry_after.set(None)
            stream = fn(self.sync_client())
            try:
                return stream, [next(stream)]
            except StopIteration:
                return stream, []

        options = self._retry_options(operation, model, idempotent=False)
        stream, head = retry_call(attempt, self.settings.policy, **options)
        return _chain(head, stream)

    async def aopen_stream(
        self, fn: Callable[[ollama.AsyncClient], Awaitable[Any]], *, operation: str, model: str = ""
    ) -> Any:
        """Async :meth:`open_stream`: returns an async iterator whose first chunk was fetched with retries."""

        async def attempt() -> tuple[Any, list[Any]]:
            _retry_after.set(None)
            stream = await fn(self.async_client())
            try:
                return stream, [await stream.__anext__()]
            except StopAsyncIteration:
                return stream, []

        options = self._retry_options(operation, model, idempotent=False)
        stream, head = await aretry_call(attempt, self.settings.policy, **options)
        return _achain(head, stream)

    def close(self) -> None:
        """Close the sync client."""
        if self._sync is not None:
            self._sync.close()  # type: ignore[no-untyped-call]
        self._sync = None

    async def aclose(self) -> None:
        """Close both clients."""
        self.close()
        if self._async is not None:
            await self._async.close()  # type: ignore[no-untyped-call]
        self._async = None
        self._async_loop = None


def _chain(head: list[T], rest: Iterator[T]) -> Iterator[T]:
    yield from head
    yield from rest


async def _achain(head: list[Any], rest: Any) -> Any:
    for item in head:
        yield item
    async for item in rest:
        yield item
