"""SDK clients, key resolution and the retry/error wrapper shared by dovetail's Gemini integrations.

Public so that ``dovetail-embeddings-gemini`` reuses it. The ``google-genai`` SDK is imported on first client use.
Its own retries are off (``HttpRetryOptions(attempts=1)``, which also stops its implicit connection retries);
every call goes through dovetail's retry policy.

Key resolution: explicit ``api_key`` > ``[providers.gemini] api_key`` of ``dovetail.toml`` > ``GOOGLE_API_KEY`` >
``GEMINI_API_KEY``. The SDK is always given the resolved key, so it reads no variable itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dovetail.core.config import resolve_secret
from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import DovetailError
from dovetail.core.provider_clients import SdkClients
from dovetail.core.provider_errors import ErrorHints
from dovetail.core.provider_errors import StatusFailure
from dovetail.core.provider_errors import class_names
from dovetail.core.provider_errors import map_provider_error
from dovetail.core.provider_errors import status_error
from dovetail.core.provider_settings import SettingsOf
from dovetail.core.retry import RetryPolicy
from pydantic import SecretStr

if TYPE_CHECKING:
    from google import genai

__all__ = ["ENV_API_KEYS", "ClientSettings", "GeminiClients", "map_gemini_error"]

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
class ClientSettings(SettingsOf):
    """How to build the SDK client."""

    api_key: SecretStr | None
    base_url: str | None
    timeout: float
    max_retries: int
    headers: dict[str, str] | None = None


class GeminiClients(SdkClients["genai.Client", "genai.Client"]):
    """A lazily built ``genai.Client`` for sync calls and one per event loop for async calls (``client.aio``);
    calls, streams and closing as in :class:`dovetail.core.provider_clients.SdkClients`."""

    provider = PROVIDER

    def __init__(self, settings: ClientSettings) -> None:
        super().__init__(RetryPolicy(max_retries=settings.max_retries))
        self.settings = settings

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

    _new_sync = _build
    _new_async = _build

    async def _close_async(self, client: genai.Client) -> None:
        await client.aio.aclose()
        client.close()

    def map_error(self, exc: BaseException, operation: str) -> DovetailError:
        """The dovetail error for ``exc`` (key scrubbed)."""
        key = self.settings.api_key
        return map_gemini_error(exc, operation=operation, secret=key.get_secret_value() if key else None)
