"""SDK clients, host resolution, timeouts and the retry/error wrapper shared by dovetail's Ollama integrations.

Public so that ``dovetail-embeddings-ollama`` reuses it. The ``ollama`` SDK (and ``httpx``) are imported on first
client use. The SDK has no retries of its own; every call goes through dovetail's retry policy. The SDK's errors
carry no headers, so an ``httpx`` response hook records ``Retry-After`` of 429/503 answers for the error mapping.

Host resolution: explicit ``base_url`` > ``[providers.ollama] base_url`` of ``dovetail.toml`` > ``OLLAMA_HOST`` >
``http://localhost:11434``. Ollama needs no key; a key for a hosted endpoint goes in ``headers``
(``{"Authorization": "Bearer ..."}``).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import TypeVar

from dovetail.core.config import resolve_setting
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.provider_clients import SdkClients
from dovetail.core.provider_errors import ErrorHints
from dovetail.core.provider_errors import StatusFailure
from dovetail.core.provider_errors import class_names
from dovetail.core.provider_errors import map_provider_error
from dovetail.core.provider_errors import status_error
from dovetail.core.provider_settings import SettingsOf
from dovetail.core.retry import RetryPolicy
from dovetail.core.retry import parse_retry_after

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

C = TypeVar("C")
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
class ClientSettings(SettingsOf):
    """How to build the SDK clients."""

    base_url: str | None
    request_timeout: float
    connect_timeout: float
    max_retries: int
    headers: dict[str, str] | None = None


class OllamaClients(SdkClients["ollama.Client", "ollama.AsyncClient"]):
    """Lazily built, reused ``ollama.Client`` / ``ollama.AsyncClient`` (one per event loop) and retrying calls
    and streams as in :class:`dovetail.core.provider_clients.SdkClients`."""

    provider = PROVIDER

    def __init__(self, settings: ClientSettings, model: Callable[[], str] = str) -> None:
        super().__init__(RetryPolicy(max_retries=settings.max_retries))
        self.settings = settings
        self.model = model  # the model name now, for the ``ollama pull`` hint of a 404
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

    def _new_sync(self) -> ollama.Client:
        import ollama

        return ollama.Client(**self._options(), event_hooks={"response": [_record_retry_after]})

    def _new_async(self) -> ollama.AsyncClient:
        import ollama

        return ollama.AsyncClient(**self._options(), event_hooks={"response": [_arecord_retry_after]})

    def _sync_finalizer(self, client: ollama.Client) -> Callable[[], object]:
        return client.close

    def _for_attempt(self, client: C, started: float) -> C:
        _retry_after.set(None)  # the hook records this attempt's Retry-After, not an earlier one's
        return client

    def map_error(self, exc: BaseException, operation: str) -> DovetailError:
        """The dovetail error for ``exc``."""
        return map_ollama_error(exc, operation=operation, base_url=self.host, model=self.model())
