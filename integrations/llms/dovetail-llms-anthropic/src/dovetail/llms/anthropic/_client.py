"""SDK clients, key resolution and the retry/error wrapper of the Anthropic LLM.

The ``anthropic`` SDK is imported on first client use, never at import time. Clients are built with the SDK's own
retries off (``max_retries=0``) and its own OpenTelemetry spans off (dovetail has one event system); every call
goes through :func:`dovetail.core.retry.retry_call` with the instance's policy.

Key resolution order: the explicit ``api_key`` > ``[providers.anthropic] api_key`` of ``dovetail.toml`` >
``ANTHROPIC_API_KEY``. The SDK is always given the resolved key, so it never reads profiles or other variables.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from dovetail.core.config import resolve_secret, resolve_setting
from dovetail.core.errors import ConfigurationError, InvalidInputError
from dovetail.core.retry import RetryPolicy, aretry_call, retry_call
from dovetail.llms.anthropic._errors import map_anthropic_error
from pydantic import SecretStr

if TYPE_CHECKING:
    import anthropic

__all__ = ["DEFAULT_BASE_URL", "ENV_API_KEY", "AnthropicClients", "ClientSettings"]

T = TypeVar("T")

ENV_API_KEY = "ANTHROPIC_API_KEY"
ENV_BASE_URL = "ANTHROPIC_BASE_URL"
DEFAULT_BASE_URL = "https://api.anthropic.com"
PROVIDER = "anthropic"


@dataclass
class ClientSettings:
    """How to build the SDK clients (see the ``Anthropic`` fields of the same names)."""

    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    connect_timeout: float
    max_retries: int
    default_headers: dict[str, str] | None = None
    http_client: Any = None
    async_http_client: Any = None


class AnthropicClients:
    """Lazily built, reused ``anthropic.Anthropic`` / ``anthropic.AsyncAnthropic`` clients and retrying calls.

    The async client is kept per event loop (a connection pool cannot move between loops).
    """

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.policy = RetryPolicy(max_retries=settings.max_retries)
        self._sync: anthropic.Anthropic | None = None
        self._async: anthropic.AsyncAnthropic | None = None
        self._async_loop: asyncio.AbstractEventLoop | None = None

    def key(self) -> SecretStr:
        """The API key (explicit > config > ``ANTHROPIC_API_KEY``), resolved once.

        Raises:
            ConfigurationError: no key anywhere.
        """
        if self.settings.api_key is None:
            key = resolve_secret(None, PROVIDER, "api_key", ENV_API_KEY, required=False)
            if key is None:
                msg = (
                    "No API key for anthropic: pass api_key=..., add api_key to [providers.anthropic] in "
                    f"dovetail.toml, or set the {ENV_API_KEY} environment variable."
                )
                raise ConfigurationError(msg)
            self.settings.api_key = key
        return self.settings.api_key

    def base_url(self) -> str:
        """``base_url``: explicit > config > ``ANTHROPIC_BASE_URL`` > Anthropic's API."""
        base = resolve_setting(self.settings.base_url, PROVIDER, "base_url", ENV_BASE_URL) or DEFAULT_BASE_URL
        if not str(base).startswith(("http://", "https://")):
            msg = f"base_url must be an http(s) URL such as https://api.anthropic.com, got {base!r}"
            raise InvalidInputError(msg)
        return str(base).rstrip("/")

    def _common(self) -> dict[str, Any]:
        import anthropic  # imported on first use: the SDK costs a few hundred ms to import

        settings = self.settings
        return {
            "api_key": self.key().get_secret_value(),
            "base_url": self.base_url(),
            "timeout": anthropic.Timeout(settings.timeout, connect=settings.connect_timeout),
            "max_retries": 0,  # dovetail's retry layer is the only one
            "default_headers": settings.default_headers,
            "open_telemetry": False,  # dovetail's callbacks are the only instrumentation
        }

    def sync_client(self) -> anthropic.Anthropic:
        """The sync SDK client, built on first use."""
        if self._sync is None:
            import anthropic

            self._sync = anthropic.Anthropic(**self._common(), http_client=self.settings.http_client)
            if self.settings.http_client is None:
                weakref.finalize(self, self._sync.close)
        return self._sync

    def async_client(self) -> anthropic.AsyncAnthropic:
        """The async SDK client of the running event loop, built on first use in that loop."""
        loop = asyncio.get_running_loop()
        if self._async is None or self._async_loop is not loop:
            import anthropic

            self._async = anthropic.AsyncAnthropic(**self._common(), http_client=self.settings.async_http_client)
            self._async_loop = loop
        return self._async

    def map_error(self, exc: BaseException, operation: str) -> Exception:
        """The dovetail error for ``exc``, with the key scrubbed from its message."""
        key = self.settings.api_key
        return map_anthropic_error(exc, operation=operation, secret=key.get_secret_value() if key else None)

    def call(self, fn: Callable[[anthropic.Anthropic], T], *, operation: str) -> T:
        """Run ``fn(sync_client)`` with error mapping and dovetail's retry policy.

        A message is generation (billed, not idempotent): it is retried after answers with a status (429, 5xx,
        529) and connections refused before sending, not after timeouts or cut connections (see
        :mod:`dovetail.core.retry`). Mapped errors are raised without the SDK exception chained.
        """
        client = self.sync_client()
        return retry_call(
            lambda: fn(client),
            self.policy,
            operation=f"{PROVIDER}.{operation}",
            map_error=lambda exc: self.map_error(exc, operation),
            idempotent=False,
        )

    async def acall(self, fn: Callable[[anthropic.AsyncAnthropic], Awaitable[T]], *, operation: str) -> T:
        """Await ``fn(async_client)`` with error mapping and dovetail's retry policy (as :meth:`call`)."""
        client = self.async_client()
        return await aretry_call(
            lambda: fn(client),
            self.policy,
            operation=f"{PROVIDER}.{operation}",
            map_error=lambda exc: self.map_error(exc, operation),
            idempotent=False,
        )

    def close(self) -> None:
        """Close the sync client (an injected ``http_client`` stays open)."""
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
