"""SDK clients, key resolution and the retry/error wrapper of the Anthropic LLM.

The ``anthropic`` SDK is imported on first client use, never at import time. Clients are built with the SDK's own
retries off (``max_retries=0``) and its own OpenTelemetry spans off (dovetail has one event system); every call
goes through :func:`dovetail.core.retry.retry_call` with the instance's policy.

Key resolution order: the explicit ``api_key`` > ``[providers.anthropic] api_key`` of ``dovetail.toml`` >
``ANTHROPIC_API_KEY``. The SDK is always given the resolved key, so it never reads profiles or other variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.config import resolve_secret
from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.provider_clients import KeepsUserHttpClients
from dovetail.core.provider_settings import SettingsOf
from dovetail.core.retry import RetryPolicy
from dovetail.llms.anthropic._errors import map_anthropic_error
from pydantic import SecretStr

if TYPE_CHECKING:
    import anthropic

__all__ = ["DEFAULT_BASE_URL", "ENV_API_KEY", "AnthropicClients", "ClientSettings"]

ENV_API_KEY = "ANTHROPIC_API_KEY"
ENV_BASE_URL = "ANTHROPIC_BASE_URL"
DEFAULT_BASE_URL = "https://api.anthropic.com"
PROVIDER = "anthropic"


@dataclass
class ClientSettings(SettingsOf):
    """How to build the SDK clients (see the ``Anthropic`` fields of the same names)."""

    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    connect_timeout: float
    max_retries: int
    default_headers: dict[str, str] | None = None
    http_client: Any = None
    async_http_client: Any = None


class AnthropicClients(KeepsUserHttpClients["anthropic.Anthropic", "anthropic.AsyncAnthropic"]):
    """Lazily built, reused ``anthropic.Anthropic`` / ``anthropic.AsyncAnthropic`` clients (one per event loop)
    and retrying calls as in :class:`dovetail.core.provider_clients.SdkClients`. A message is generation
    (billed, not idempotent): callers pass ``idempotent=False``, so it is retried after answers with a status
    (429, 5xx, 529) and connections refused before sending, not after timeouts or cut connections.
    """

    provider = PROVIDER
    settings: ClientSettings

    def __init__(self, settings: ClientSettings) -> None:
        super().__init__(RetryPolicy(max_retries=settings.max_retries))
        self.settings = settings

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

    def _new_sync(self) -> anthropic.Anthropic:
        import anthropic

        return anthropic.Anthropic(**self._common(), http_client=self.settings.http_client)

    def _new_async(self) -> anthropic.AsyncAnthropic:
        import anthropic

        return anthropic.AsyncAnthropic(**self._common(), http_client=self.settings.async_http_client)

    def map_error(self, exc: BaseException, operation: str) -> Exception:
        """The dovetail error for ``exc``, with the key scrubbed from its message."""
        key = self.settings.api_key
        return map_anthropic_error(exc, operation=operation, secret=key.get_secret_value() if key else None)
