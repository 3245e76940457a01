"""Key and host resolution: explicit argument > dovetail config file > environment variable.

The config lookup is pluggable (``config_lookup=`` on the handler, or :func:`set_config_lookup`); by default it
reads ``[providers.langfuse]`` of ``dovetail.toml`` through ``dovetail.core.config`` when that module exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr

__all__ = [
    "DEFAULT_HOST",
    "ENV_HOST",
    "ENV_PUBLIC_KEY",
    "ENV_SECRET_KEY",
    "ConfigLookup",
    "Credentials",
    "resolve_credentials",
    "set_config_lookup",
]

ENV_PUBLIC_KEY = "LANGFUSE_PUBLIC_KEY"
ENV_SECRET_KEY = "LANGFUSE_SECRET_KEY"
ENV_HOST = "LANGFUSE_HOST"
ENV_BASE_URL = "LANGFUSE_BASE_URL"
DEFAULT_HOST = "https://cloud.langfuse.com"

ConfigLookup = Callable[[str], Any]
"""Returns the configured value of a ``[providers.langfuse]`` key (``"public_key"``, ``"host"``...) or ``None``."""


def _core_config_lookup(key: str) -> Any:
    try:
        from dovetail.core.config import load_config
    except ImportError:  # a dovetail-core without the config module
        return None
    return getattr(load_config().provider("langfuse"), key, None)


_default_lookup: ConfigLookup = _core_config_lookup


def set_config_lookup(lookup: ConfigLookup | None) -> None:
    """Replace the process-wide default config lookup (``None`` restores the ``dovetail.core.config`` one)."""
    global _default_lookup
    _default_lookup = lookup or _core_config_lookup


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


def _resolve(explicit: Any, key: str, env_vars: tuple[str, ...], lookup: ConfigLookup) -> str | None:
    value = _plain(explicit)
    if value:
        return value
    value = _plain(lookup(key))
    if value:
        return value
    for env_var in env_vars:
        value = _plain(os.environ.get(env_var))
        if value:
            return value
    return None


def resolve_credentials(
    public_key: str | SecretStr | None,
    secret_key: str | SecretStr | None,
    host: str | None,
    lookup: ConfigLookup | None = None,
) -> Credentials:
    """Resolve both keys and the host.

    Raises:
        ConfigurationError: a key is missing (the message names the environment variable to set) or the host is
            not an http(s) URL.
    """
    lookup = lookup or _default_lookup
    public = _resolve(public_key, "public_key", (ENV_PUBLIC_KEY,), lookup)
    secret = _resolve(secret_key, "secret_key", (ENV_SECRET_KEY,), lookup)
    missing = [name for name, value in ((ENV_PUBLIC_KEY, public), (ENV_SECRET_KEY, secret)) if not value]
    if missing:
        msg = (
            f"Langfuse keys missing: set {' and '.join(missing)} (or pass public_key=/secret_key=, or add them to "
            "[providers.langfuse] in dovetail.toml)"
        )
        raise ConfigurationError(msg)
    resolved_host = _resolve(host, "host", (ENV_HOST, ENV_BASE_URL), lookup) or DEFAULT_HOST
    if not resolved_host.startswith(("http://", "https://")):
        msg = f"Langfuse host must be an http(s) URL such as https://cloud.langfuse.com, got {resolved_host!r}"
        raise ConfigurationError(msg)
    return Credentials(
        public_key=SecretStr(public or ""), secret_key=SecretStr(secret or ""), host=resolved_host.rstrip("/")
    )
