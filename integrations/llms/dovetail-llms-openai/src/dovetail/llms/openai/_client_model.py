"""The connection fields and client lifecycle shared by dovetail's OpenAI LLM and embedding classes."""

from __future__ import annotations

from typing import Any, TypeVar

from dovetail.core.errors import InvalidInputError
from dovetail.llms.openai._clients import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_TIMEOUT,
    ClientSettings,
    OpenAIClients,
)
from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, field_validator

__all__ = ["OpenAIClientModel"]

_M = TypeVar("_M", bound="OpenAIClientModel")


class OpenAIClientModel(BaseModel):
    """Connection settings (key, base URL, timeouts, retries, headers, injected HTTP clients), the lazily built
    SDK clients, and ``close``/``aclose``/``with``/``async with``.

    A subclass builds its clients in ``model_post_init`` with :meth:`_open_clients`. Invalid settings raise
    ``InvalidInputError`` naming each bad field.
    """

    api_key: SecretStr | None = Field(default=None, repr=False)
    api_base: str | None = None
    organization: str | None = None
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0)
    connect_timeout: float = Field(default=DEFAULT_CONNECT_TIMEOUT, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    http_client: Any = Field(default=None, exclude=True, repr=False)
    async_http_client: Any = Field(default=None, exclude=True, repr=False)

    _clients: OpenAIClients = PrivateAttr()

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
            msg = f"invalid {type(self).__name__} settings: {problems}"
            raise InvalidInputError(msg) from None

    @field_validator("api_key", mode="before")
    @classmethod
    def _empty_key_is_none(cls, value: Any) -> Any:
        return value or None

    def _open_clients(self, *, require_key: bool, provider: str) -> None:
        """Set up the SDK clients (built at the first call; the key is resolved then)."""
        settings = ClientSettings(
            api_key=self.api_key,
            api_base=self.api_base,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            max_retries=self.max_retries,
            default_headers=self.default_headers,
            http_client=self.http_client,
            async_http_client=self.async_http_client,
            require_key=require_key,
            provider=provider,
            organization=self.organization,
        )
        self._clients = OpenAIClients(settings)

    def close(self) -> None:
        """Close the SDK's sync HTTP client (injected clients stay open)."""
        self._clients.close()

    async def aclose(self) -> None:
        """Close both SDK clients."""
        await self._clients.aclose()

    def __enter__(self: _M) -> _M:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self: _M) -> _M:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
