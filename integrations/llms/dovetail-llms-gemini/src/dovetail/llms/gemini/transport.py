"""SDK clients, key resolution and the retry/error wrapper shared by dovetail's Gemini integrations.

Public so that ``dovetail-embeddings-gemini`` reuses it. The ``google-genai`` SDK is imported on first client use.
Its own retries are off (``HttpRetryOptions(attempts=1)``, which also stops its implicit connection retries);
every call goes through dovetail's retry policy.

Key resolution: explicit ``api_key`` > ``[providers.gemini] api_key`` of ``dovetail.toml`` > ``GOOGLE_API_KEY`` >
``GEMINI_API_KEY``. The SDK is always given the resolved key, so it reads no variable itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from dovetail.core.config import resolve_secret, resolve_setting
from dovetail.core.errors import ConfigurationError, DovetailError
from dovetail.core.provider_errors import ErrorHints, StatusFailure, class_names, map_provider_error, status_error
from dovetail.core.retry import RetryPolicy, aretry_call, retry_call
from pydantic import SecretStr

if TYPE_CHECKING:
    from google import genai

__all__ = ["ENV_API_KEYS", "ClientSettings", "GeminiClients", "map_gemini_error"]

T = TypeVar("T")
PROVIDER = "gemini"
ENV_API_KEYS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")


HINTS = ErrorHints(
    PROVIDER,
    auth="Check the API key (argument api_key, [providers.gemini] in dovetail.toml, GOOGLE_API_KEY or GEMINI_API_KEY).",
    not_found="Check the model name (e.g. gemini-2.5-flash) and base_url.",
)


def map_gemini_error(exc: BaseException, *, operation: str, secret: str | None = None) -> DovetailError:
    """The dovetail error for an exception raised by the SDK or ``httpx``.

    What is Gemini's own: its ``APIError`` (``code``, ``status``, ``message``, the ``x-request-id`` header), and
    a bad key answered with 400 ``API_KEY_INVALID``, which becomes an :class:`AuthenticationError`. The rest is
    core's one path (:func:`dovetail.core.provider_errors.map_provider_error`).
    """
    if isinstance(exc, DovetailError):
        return exc
    code = getattr(exc, "code", None)
    if "APIError" in class_names(exc) and isinstance(code, int):
        headers = getattr(getattr(exc, "response", None), "headers", None)
        request_id = headers.get("x-request-id") if headers is not None else None
        detail = f"{getattr(exc, 'status', '') or ''}: {getattr(exc, 'message', '') or exc}".strip(": ")
        refused = "API_KEY_INVALID" in str(getattr(exc, "details", ""))
        failure = StatusFailure(code, detail, request_id, headers)
        return status_error(failure, HINTS, operation=operation, secret=secret, credentials_refused=refused)
    return map_provider_error(exc, HINTS, operation=operation, secret=secret)


@dataclass
class ClientSettings:
    """How to build the SDK client."""

    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    max_retries: int
    headers: dict[str, str] | None = None
    policy: RetryPolicy = field(init=False)

    def __post_init__(self) -> None:
        self.policy = RetryPolicy(max_retries=self.max_retries)

    @classmethod
    def of(cls, owner: object) -> ClientSettings:
        """The settings read from ``owner``'s attributes of the same names (an LLM or embedding model)."""
        return cls(**{f.name: getattr(owner, f.name) for f in fields(cls) if f.init})


class GeminiClients:
    """A lazily built ``genai.Client`` for sync calls and one per event loop for async calls."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._sync: genai.Client | None = None
        self._async: genai.Client | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def key(self) -> SecretStr:
        """The API key (explicit > config > ``GOOGLE_API_KEY`` > ``GEMINI_API_KEY``), resolved once."""
        if self.settings.api_key is None:
            key = resolve_secret(None, PROVIDER, "api_key", ENV_API_KEYS[0], required=False)
            key = key or resolve_secret(None, PROVIDER, "api_key", ENV_API_KEYS[1], required=False)
            if key is None:
                msg = (
                    "No API key for gemini: pass api_key=..., add api_key to [providers.gemini] in dovetail.toml, "
                    "or set the GOOGLE_API_KEY (or GEMINI_API_KEY) environment variable."
                )
                raise ConfigurationError(msg)
            self.settings.api_key = key
        return self.settings.api_key

    def _build(self) -> genai.Client:
        from google import genai
        from google.genai import types

        settings = self.settings
        base_url = resolve_setting(settings.base_url, PROVIDER, "base_url", None)
        options = types.HttpOptions(
            base_url=base_url,
            timeout=int(settings.timeout * 1000),
            headers=settings.headers,
            retry_options=types.HttpRetryOptions(attempts=1),  # dovetail's retry layer is the only one
        )
        return genai.Client(api_key=self.key().get_secret_value(), http_options=options)

    def sync_client(self) -> genai.Client:
        """The sync client, built on first use."""
        if self._sync is None:
            self._sync = self._build()
        return self._sync

    def async_client(self) -> genai.Client:
        """The client whose ``aio`` side serves the running event loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            self._async = self._build()
            self._async_loop = loop
        return self._async

    def map_error(self, exc: BaseException, operation: str) -> DovetailError:
        """The dovetail error for ``exc`` (key scrubbed)."""
        key = self.settings.api_key
        return map_gemini_error(exc, operation=operation, secret=key.get_secret_value() if key else None)

    def _retry_options(self, operation: str, idempotent: bool) -> dict[str, Any]:
        return {
            "operation": f"gemini.{operation}",
            "map_error": lambda exc: self.map_error(exc, operation),
            "idempotent": idempotent,
        }

    def call(self, fn: Callable[[genai.Client], T], *, operation: str, idempotent: bool = True) -> T:
        """Run ``fn(client)`` with error mapping and dovetail's retry policy.

        Generation passes ``idempotent=False``: it is retried after answers with a status (429, 5xx) and refused
        connections, not after timeouts or cut connections (see :mod:`dovetail.core.retry`).
        """
        client = self.sync_client()
        return retry_call(lambda: fn(client), self.settings.policy, **self._retry_options(operation, idempotent))

    async def acall(self, fn: Callable[[genai.Client], Awaitable[T]], *, operation: str, idempotent: bool = True) -> T:
        """Await ``fn(client)`` (use ``client.aio``) with error mapping and dovetail's retry policy."""
        client = self.async_client()
        options = self._retry_options(operation, idempotent)
        return await aretry_call(lambda: fn(client), self.settings.policy, **options)

    def open_stream(self, fn: Callable[[genai.Client], Any], *, operation: str) -> Any:
        """Start a generation stream with retries: the first chunk is fetched inside the retry loop."""

        def attempt() -> tuple[Any, list[Any]]:
            stream = iter(fn(self.sync_client()))
            try:
                return stream, [next(stream)]
            except StopIteration:
                return stream, []

        stream, head = retry_call(attempt, self.settings.policy, **self._retry_options(operation, False))
        return _chain(head, stream)

    async def aopen_stream(self, fn: Callable[[genai.Client], Awaitable[Any]], *, operation: str) -> Any:
        """Async :meth:`open_stream`."""

        async def attempt() -> tuple[Any, list[Any]]:
            stream = await fn(self.async_client())
            try:
                return stream, [await stream.__anext__()]
            except StopAsyncIteration:
                return stream, []

        stream, head = await aretry_call(attempt, self.settings.policy, **self._retry_options(operation, False))
        return _achain(head, stream)

    def close(self) -> None:
        """Close the sync client."""
        if self._sync is not None:
            self._sync.close()
        self._sync = None

    async def aclose(self) -> None:
        """Close both clients."""
        self.close()
        if self._async is not None:
            await self._async.aio.aclose()
            self._async.close()
        self._async = None
        self._async_loop = None


def _chain(head: list[Any], rest: Any) -> Any:
    yield from head
    yield from rest


async def _achain(head: list[Any], rest: Any) -> Any:
    for item in head:
        yield item
    async for item in rest:
        yield item
