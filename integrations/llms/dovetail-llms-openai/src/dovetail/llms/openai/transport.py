"""SDK clients, API-key resolution, timeouts and the retry/error wrapper shared by dovetail's OpenAI integrations.

Public so that ``dovetail-embeddings-openai`` (and other OpenAI-compatible integrations) reuse it instead of
copying it; :class:`OpenAIClientModel` is the pydantic base holding the connection fields and client lifecycle.
The ``openai`` SDK is imported on first client use, never at import time.

Key resolution order (``dovetail.core.config``): the explicit ``api_key`` argument > ``[providers.<provider>]``
of ``dovetail.toml`` > the ``OPENAI_API_KEY`` environment variable.

Example:
    ```python
    clients = OpenAIClients(ClientSettings(api_key=None, api_base=None))
    result = clients.call(lambda c: c.models.list(), operation="models")
    ```
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar
from urllib.parse import urlsplit

from dovetail.core.config import describe_errors
from dovetail.core.config import resolve_secret
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.provider_clients import KeepsUserHttpClients
from dovetail.core.provider_clients import OwnsSdkClients
from dovetail.core.provider_settings import EmptyKeyIsUnset
from dovetail.core.provider_settings import SettingsOf
from dovetail.core.retry import RetryPolicy
from dovetail.llms.openai import _keys
from dovetail.llms.openai._errors import map_openai_error
from pydantic import BaseModel
from pydantic import Field
from pydantic import PrivateAttr
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import field_validator

if TYPE_CHECKING:
    import openai

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ClientSettings",
    "OpenAIClientModel",
    "OpenAIClients",
    "map_openai_error",
    "resolve_api_base",
    "resolve_api_key",
]

logger = logging.getLogger(__name__)

C = TypeVar("C")

ENV_API_KEY = "OPENAI_API_KEY"
DEFAULT_API_BASE = _keys.DEFAULT_API_BASE
DEFAULT_TIMEOUT = 60.0
DEFAULT_CONNECT_TIMEOUT = 5.0


def resolve_api_key(
    explicit: str | SecretStr | None, *, env_var: str = ENV_API_KEY, config_name: str = "openai.api_key"
) -> SecretStr | None:
    """The API key: explicit > dovetail config (``config_name``: ``"<provider>.<key>"``) > ``env_var``; ``None``
    when none is set."""
    provider, _, key = config_name.rpartition(".")
    return resolve_secret(explicit, provider, key, env_var, required=False)


def resolve_api_base(explicit: str | None, provider: str = "openai") -> str:
    """``api_base``: explicit > config ``base_url`` > ``OPENAI_BASE_URL`` / ``OPENAI_API_BASE`` > OpenAI's URL."""
    return str(_keys.resolve_base(explicit, provider).value)


@dataclass
class ClientSettings(SettingsOf):
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
        retry_deadline: seconds after the first attempt by which retrying stops, the last attempt included
            (default ``2 * timeout``).
        retry_ambiguous: retry generation calls also after errors without an HTTP status (a timeout or cut
            connection after the request was sent), which may bill the request twice.
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
    retry_deadline: float | None = None
    retry_ambiguous: bool = False
    retry_policy: RetryPolicy = field(init=False)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            msg = f"timeout and connect_timeout must be > 0 seconds, got {self.timeout} and {self.connect_timeout}"
            raise InvalidInputError(msg)
        deadline = self.retry_deadline if self.retry_deadline is not None else 2 * self.timeout
        self.retry_policy = RetryPolicy(
            max_retries=self.max_retries, deadline=deadline, retry_ambiguous=self.retry_ambiguous
        )


class OpenAIClients(KeepsUserHttpClients["openai.OpenAI", "openai.AsyncOpenAI"]):
    """Lazily built, reused ``openai.OpenAI`` / ``openai.AsyncOpenAI`` clients (one per event loop) and the
    retrying calls of :class:`dovetail.core.provider_clients.SdkClients`; each attempt's timeout ends at the
    policy's deadline when that comes sooner."""

    settings: ClientSettings

    def __init__(self, settings: ClientSettings) -> None:
        super().__init__(settings.retry_policy)
        self.settings = settings
        self.provider = settings.provider
        self._sent_key: str | None = None

    def _common(self) -> dict[str, Any]:
        import openai  # the SDK costs ~0.5 s to import: only on first client use

        settings = self.settings
        key, base = _keys.resolve(
            settings.api_key,
            settings.api_base,
            provider=settings.provider,
            env_var=settings.env_var,
            require_key=settings.require_key,
        )
        self._sent_key = key if key != _keys.PLACEHOLDER_KEY else None
        return {
            "api_key": key,
            "base_url": base,
            "organization": settings.organization,
            "timeout": openai.Timeout(settings.timeout, connect=settings.connect_timeout),
            "max_retries": 0,  # dovetail's retry layer is the only one
            "default_headers": settings.default_headers,
        }

    def _new_sync(self) -> openai.OpenAI:
        import openai

        return openai.OpenAI(**self._common(), http_client=self.settings.http_client)

    def _new_async(self) -> openai.AsyncOpenAI:
        import openai

        return openai.AsyncOpenAI(**self._common(), http_client=self.settings.async_http_client)

    def _secret(self) -> str | None:
        key = self.settings.api_key
        return key.get_secret_value() if key is not None else self._sent_key

    def map_error(self, exc: BaseException, operation: str) -> Exception:
        """The dovetail error for ``exc`` (see :func:`map_openai_error`)."""
        return map_openai_error(exc, provider=self.settings.provider, operation=operation, secret=self._secret())

    def _for_attempt(self, client: C, started: float) -> C:
        """``client``, or a copy whose timeout ends at the retry deadline when that comes sooner."""
        deadline = self.settings.retry_policy.deadline
        if deadline is None:
            return client
        remaining = deadline - (time.monotonic() - started)
        if remaining >= self.settings.timeout:
            return client
        import openai

        seconds = max(remaining, 0.001)
        timeout = openai.Timeout(seconds, connect=min(self.settings.connect_timeout, seconds))
        return client.with_options(timeout=timeout)  # type: ignore[attr-defined, no-any-return]


class OpenAIClientModel(EmptyKeyIsUnset, OwnsSdkClients, BaseModel):
    """Connection settings (key, base URL, timeouts, retries, headers, injected HTTP clients), the lazily built
    SDK clients, and ``close``/``aclose``/``with``/``async with``.

    A subclass builds its clients in ``model_post_init`` with :meth:`open_clients` and calls the API through
    :attr:`clients`. Invalid settings raise
    ``InvalidInputError`` naming each bad field.
    """

    api_key: SecretStr | None = Field(default=None, repr=False)
    api_base: str | None = None
    organization: str | None = None
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    connect_timeout: float = Field(default=DEFAULT_CONNECT_TIMEOUT, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_deadline: float | None = Field(default=None, gt=0, le=3600)
    retry_ambiguous: bool = False
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    http_client: Any = Field(default=None, exclude=True, repr=False)
    async_http_client: Any = Field(default=None, exclude=True, repr=False)

    _clients: OpenAIClients = PrivateAttr()

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
            return
        except ValidationError as exc:
            problems = describe_errors(exc, secret_fields={"api_key", "default_headers"})
        # Raised outside the except block: the ValidationError holds the raw input, the key among it.
        msg = f"invalid {type(self).__name__} settings: {problems}"
        raise InvalidInputError(msg)

    @field_validator("api_base")
    @classmethod
    def _check_api_base(cls, value: str | None) -> str | None:
        # Checked when the object is built: a bad URL would otherwise surface at the first request.
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                msg = "api_base must be an http(s) URL such as http://127.0.0.1:8080/v1"
                raise ValueError(msg)
        return value

    @property
    def clients(self) -> OpenAIClients:
        """The SDK clients with key resolution, timeouts, retries and error mapping (set by :meth:`open_clients`)."""
        return self._clients

    def open_clients(self, *, require_key: bool, provider: str) -> None:
        """Set up the SDK clients (built at the first call; the key is resolved then).

        An explicit key with an explicit plain-http ``api_base`` on a remote host is refused here, when the
        object is built; keys from the config or the environment are checked at the first call.
        """
        if self.api_key is not None and self.api_base is not None:
            parts = urlsplit(self.api_base)
            if parts.scheme == "http" and not _keys.is_loopback(parts.hostname or ""):
                msg = (
                    f"{provider}: refusing to send api_key over plain http to {parts.hostname}; use an https:// "
                    "api_base (plain http is only allowed to loopback hosts such as 127.0.0.1 or localhost)"
                )
                raise ConfigurationError(msg)
        settings = ClientSettings.of(self, require_key=require_key, provider=provider, env_var=ENV_API_KEY)
        self._clients = OpenAIClients(settings)
