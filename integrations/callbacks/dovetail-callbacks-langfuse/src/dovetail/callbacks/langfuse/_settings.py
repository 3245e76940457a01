"""Key and host resolution through ``dovetail.core.config``: explicit argument > ``[providers.langfuse]`` of
``dovetail.toml`` > environment variable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from dovetail.core.redact import strip_url_credentials
from pydantic import SecretStr

__all__ = [
    "DEFAULT_HOST",
    "ENV_HOST",
    "ENV_PUBLIC_KEY",
    "ENV_SECRET_KEY",
    "Credentials",
    "resolve_credentials",
]

ENV_PUBLIC_KEY = "LANGFUSE_PUBLIC_KEY"
ENV_SECRET_KEY = "LANGFUSE_SECRET_KEY"
ENV_HOST = "LANGFUSE_HOST"
ENV_BASE_URL = "LANGFUSE_BASE_URL"
DEFAULT_HOST = "https://cloud.langfuse.com"


@dataclass(frozen=True)
class Credentials:
    """Resolved connection settings; keys stay ``SecretStr``."""

    public_key: SecretStr
    secret_key: SecretStr
    host: str

    def __repr__(self) -> str:
        return (
            f"Credentials(public_key=SecretStr('**********'), secret_key=SecretStr('**********'), host={self.host!r})"
        )


def _plain(value: Any) -> str | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None:
        return None
    if not isinstance(value, str):
        msg = f"Langfuse settings must be strings, got {type(value).__name__}"
        raise ConfigurationError(msg)
    return value.strip() or None


def _resolve(explicit: Any, key: str, env_vars: tuple[str, ...]) -> str | None:
    return _plain(resolve_setting(_plain(explicit), "langfuse", key, env_vars))


def resolve_credentials(
    public_key: str | SecretStr | None,
    secret_key: str | SecretStr | None,
    host: str | None,
) -> Credentials:
    """Resolve both keys and the host.

    Raises:
        ConfigurationError: a key is missing (the message names the environment variable to set) or the host is
            not an http(s) URL.
    """
    public = _resolve(public_key, "public_key", (ENV_PUBLIC_KEY,))
    secret = _resolve(secret_key, "secret_key", (ENV_SECRET_KEY,))
    missing = [name for name, value in ((ENV_PUBLIC_KEY, public), (ENV_SECRET_KEY, secret)) if not value]
    if missing:
        msg = (
            f"Langfuse keys missing: set {' and '.join(missing)} (or pass public_key=/secret_key=, or add them to "
            "[providers.langfuse] in dovetail.toml)"
        )
        raise ConfigurationError(msg)
    resolved_host = _resolve(host, "host", (ENV_HOST, ENV_BASE_URL)) or DEFAULT_HOST
    if not resolved_host.startswith(("http://", "https://")):
        shown = strip_url_credentials(resolved_host)
        msg = f"Langfuse host must be an http(s) URL such as https://cloud.langfuse.com, got {shown!r}"
        raise ConfigurationError(msg)
    return Credentials(
        public_key=SecretStr(public or ""), secret_key=SecretStr(secret or ""), host=resolved_host.rstrip("/")
    )
