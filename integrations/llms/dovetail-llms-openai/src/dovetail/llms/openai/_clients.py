"""SDK clients, API-key resolution, timeouts and the retry/error wrapper (public through ``transport``)."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from dovetail.core.config import resolve_secret, resolve_setting
from dovetail.core.errors import ConfigurationError, InvalidInputError
from dovetail.core.retry import RetryPolicy, aretry_call, retry_call
from dovetail.llms.openai._errors import map_openai_error
from pydantic import SecretStr

if TYPE_CHECKING:
    import openai

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ClientSettings",
    "OpenAIClients",
    "resolve_api_base",
    "resolve_api_key",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

ENV_API_KEY = "OPENAI_API_KEY"
DEFAULT_API_BASE = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 5.0
_ENV_API_BASES = ("OPENAI_BASE_URL", "OPENAI_API_BASE")


def resolve_api_key(
    explicit: str | SecretStr | None, *, env_var: str = ENV_API_KEY, config_name: str = "openai.api_key"
) -> SecretStr | None:
    """The API key: explicit > dovetail config (``config_name``: ``"<provider>.<key>"``) > ``env_var``; ``None``
    when none is set."""
    provider, _, key = config_name.rpartition(".")
    return resolve_secret(explicit, provider, key, env_var, required=False)


def resolve_api_base(explicit: str | None, provider: str = "openai") -> str:
    """``api_base``: explicit > config ``base_url`` > ``OPENAI_BASE_URL`` / ``OPENAI_API_BASE`` > OpenAI's URL."""
    base = resolve_setting(explicit, provider, "base_url", _ENV_API_BASES) or DEFAULT_API_BASE
    if not base.startswith(("http://", "https://")):
        msg = f"api_base must be an http(s) URL such as http://127.0.0.1:8080/v1, got {base!r}"
        raise InvalidInputError(msg)
    return str(base).rstrip("/")


@dataclass
class ClientSettings:
    """How to build the SDK clients.

    Args:
        api_key: the key (already resolved, or ``None`` to resolve at first use).
        api_base: base URL ending in ``/v1``; ``None`` means the OpenAI endpoint.
        timeout: read/write/pool timeout in seconds.
        connect_timeout: TCP connect timeout in seconds (a dead host fails after this, once).
        max_retries: retries of dovetail's retry layer (the SDK's own retries are always off).
        default_headers: extra headers sent with every request.
        http_client: an ``httpx.Client`` (of the SDK's HTTP library) to use for sync calls.
        async_http_client: an ``httpx.AsyncClient`` to use for async calls.
        require_key: raise ``ConfigurationError`` when no key is found (``False`` sends a placeholder).
        provider: name used in errors and logs.
        organization: OpenAI organization id.
    """

    api_key: SecretStr | None = None
    api_base: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_retries: int = 3
    default_headers: dict[str, str] | None = None
    http_client: Any = None
    async_http_client: Any = None
    require_key: bool = True
    provider: str = "openai"
    organization: str | None = None
    env_var: str = ENV_API_KEY
    retry_policy: RetryPolicy = field(init=False)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            msg = f"timeout and connect_timeout must be > 0 seconds, got {self.timeout} and {self.connect_timeout}"
            raise InvalidInputError(msg)
        self.retry_policy = RetryPolicy(max_retries=self.max_retries)


class OpenAIClients:
    """Lazily built, reused ``openai.OpenAI`` / ``openai.AsyncOpenAI`` clients plus the retrying call wrappers.

    The async client is kept per event loop (an HTTP connection pool cannot move between loops), so an object
    used from two ``asyncio.run`` calls keeps working.
    """

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._sync: openai.OpenAI | None = None
        self._async: openai.AsyncOpenAI | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def _key(self) -> str:
        settings = self.settings
        if settings.api_key is None:
            settings.api_key = resolve_api_key(
                None, env_var=settings.env_var, config_name=f"{settings.provider}.api_key"
            )
        if settings.api_key is None:
            if settings.require_key:
                msg = (
                    f"No API key for {settings.provider}: pass api_key=..., set it in the dovetail config, "
                    f"or set the {settings.env_var} environment variable."
                )
                raise ConfigurationError(msg)
            return "not-needed"
        return settings.api_key.get_secret_value()

    def _common(self) -> dict[str, Any]:
        import openai  # the SDK costs ~0.5 s to import: only on first client use

        settings = self.settings
        return {
            "api_key": self._key(),
            "base_url": resolve_api_base(settings.api_base, settings.provider),
            "organization": settings.organization,
            "timeout": openai.Timeout(settings.timeout, connect=settings.connect_timeout),
            "max_retries": 0,  # dovetail's retry layer is the only one
            "default_headers": settings.default_headers,
        }

    def sync_client(self) -> openai.OpenAI:
        """The sync SDK client, built on first use."""
        if self._sync is None:
            import openai

            self._sync = openai.OpenAI(**self._common(), http_client=self.settings.http_client)
            if self.settings.http_client is None:
                # Close the connection pool when this object is collected without close() (no socket leaks).
                weakref.finalize(self, self._sync.close)
        return self._sync

    def async_client(self) -> openai.AsyncOpenAI:
        """The async SDK client of the running event loop, built on first use in that loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            import openai

            self._async = openai.AsyncOpenAI(**self._common(), http_client=self.settings.async_http_client)
            self._async_loop = loop
        return self._async

    def _secret(self) -> str | None:
        key = self.settings.api_key
        return key.get_secret_value() if key is not None else None

    def map_error(self, exc: BaseException, operation: str) -> Exception:
        """The dovetail error for ``exc`` (see :func:`map_openai_error`)."""
        return map_openai_error(exc, provider=self.settings.provider, operation=operation, secret=self._secret())

    def call(self, fn: Callable[[openai.OpenAI], T], *, operation: str) -> T:
        """Run ``fn(sync_client)`` with error mapping and dovetail's retry policy."""
        client = self.sync_client()

        def attempt() -> T:
            try:
                return fn(client)
            except Exception as exc:
                raise self.map_error(exc, operation) from exc

        return retry_call(attempt, self.settings.retry_policy, operation=f"{self.settings.provider}.{operation}")

    async def acall(self, fn: Callable[[openai.AsyncOpenAI], Awaitable[T]], *, operation: str) -> T:
        """Await ``fn(async_client)`` with error mapping and dovetail's retry policy."""
        client = self.async_client()

        async def attempt() -> T:
            try:
                return await fn(client)
            except Exception as exc:
                raise self.map_error(exc, operation) from exc

        return await aretry_call(attempt, self.settings.retry_policy, operation=f"{self.settings.provider}.{operation}")

    def close(self) -> None:
        """Close the sync client (the user's injected ``http_client`` is left open)."""
        if self._sync is not None and self.settings.http_client is None:
            self._sync.close()
        self._sync = None

    async def aclose(self) -> None:
        """Close both clients."""
        self.close()
        if self._async is not None and self.settings.async_http_client is None:
            await self._async.close()
        self._async = None
        self._async_loop = None
