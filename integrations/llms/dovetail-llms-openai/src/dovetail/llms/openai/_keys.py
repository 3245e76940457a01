"""Which API key may go to which host.

A key is resolved from the explicit argument, the dovetail config (``[providers.<provider>] api_key``) or the
environment (``OPENAI_API_KEY``); the base URL from the explicit argument, the config (``base_url``), the
environment (``OPENAI_BASE_URL`` / ``OPENAI_API_BASE``) or OpenAI's default. The rules:

- an explicit key goes to the host it is given with;
- a key from the config or the environment goes to OpenAI's own hosts (``api.openai.com``, ``*.openai.com``)
  and to a base URL that came from the same place (the config's ``base_url`` beside its ``api_key``, or
  ``OPENAI_BASE_URL`` beside ``OPENAI_API_KEY``) — never to a host named somewhere else, such as
  ``OpenAILike(api_base=...)``;
- no key ever goes over plain ``http://`` to a host that is not loopback (``ConfigurationError``).
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from dovetail.core.config import load_config
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from pydantic import SecretStr

__all__ = ["DEFAULT_API_BASE", "ENV_API_BASES", "Source", "Sourced", "is_loopback", "is_openai_host", "resolve"]

DEFAULT_API_BASE = "https://api.openai.com/v1"
ENV_API_BASES = ("OPENAI_BASE_URL", "OPENAI_API_BASE")
PLACEHOLDER_KEY = "not-needed"

Source = Literal["explicit", "config", "env", "default"]


@dataclass(frozen=True)
class Sourced:
    """A resolved value and where it came from."""

    value: str | None
    source: Source


def _is_set(value: object) -> bool:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    return isinstance(value, str) and bool(value.strip())


def _from(explicit: object, provider: str, key: str, env_vars: tuple[str, ...]) -> Sourced:
    if _is_set(explicit):
        raw = explicit.get_secret_value() if isinstance(explicit, SecretStr) else str(explicit)
        return Sourced(raw, "explicit")
    configured = getattr(load_config().provider(provider), key, None)
    if _is_set(configured):
        raw = configured.get_secret_value() if isinstance(configured, SecretStr) else str(configured)
        return Sourced(raw, "config")
    for name in env_vars:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return Sourced(value, "env")
    return Sourced(None, "default")


def resolve_base(explicit: str | None, provider: str) -> Sourced:
    """The base URL (no trailing ``/``) and its source.

    Raises:
        InvalidInputError: it is not an ``http(s)://`` URL.
    """
    found = _from(explicit, provider, "base_url", ENV_API_BASES)
    base = found.value or DEFAULT_API_BASE
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = f"api_base must be an http(s) URL such as http://127.0.0.1:8080/v1, got {_shown(base)!r}"
        raise InvalidInputError(msg)
    return Sourced(base.rstrip("/"), found.source)


def _shown(url: str) -> str:
    """``url`` without any ``user:password@`` part."""
    head, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, slash, path = rest.partition("/")
    return f"{head}://{netloc.rpartition('@')[2]}{slash}{path}"


def is_openai_host(host: str) -> bool:
    """``api.openai.com`` or another ``*.openai.com`` host."""
    host = host.lower().rstrip(".")
    return host == "openai.com" or host.endswith(".openai.com")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (``127.0.0.0/8``, ``::1``)."""
    host = host.lower().strip("[]").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve(
    explicit_key: SecretStr | None,
    explicit_base: str | None,
    *,
    provider: str,
    env_var: str,
    require_key: bool,
) -> tuple[str, str]:
    """``(api_key, base_url)`` to build the SDK client with, following the rules in the module docstring.

    Raises:
        ConfigurationError: no key may be sent to this host and one is required, or a key would travel over
            plain http to a host that is not loopback.
        InvalidInputError: the base URL is not an http(s) URL.
    """
    base = resolve_base(explicit_base, provider)
    key = _from(explicit_key, provider, "api_key", (env_var,))
    parts = urlsplit(base.value or DEFAULT_API_BASE)
    host = parts.hostname or ""
    allowed = key.source == "explicit" or is_openai_host(host) or key.source == base.source
    if key.value is None or not allowed:
        if require_key:
            msg = _missing_key_message(provider, env_var, host, key.source if key.value is not None else None)
            raise ConfigurationError(msg)
        return PLACEHOLDER_KEY, str(base.value)
    if parts.scheme == "http" and not is_loopback(host):
        msg = (
            f"{provider}: refusing to send the API key over plain http to {host}; use an https:// api_base "
            "(plain http is only allowed to loopback hosts such as 127.0.0.1 or localhost)"
        )
        raise ConfigurationError(msg)
    return key.value, str(base.value)


def _missing_key_message(provider: str, env_var: str, host: str, withheld_from: str | None) -> str:
    if withheld_from is None:
        return (
            f"No API key for {provider}: pass api_key=..., set it in the dovetail config, "
            f"or set the {env_var} environment variable."
        )
    where = f"the {env_var} environment variable" if withheld_from == "env" else f"[providers.{provider}] api_key"
    return (
        f"No API key for {provider} at {host}: the key from {where} is only sent to OpenAI's hosts or to a base URL "
        f"set in the same place; pass api_key=... for {host} (or set base_url beside the key)."
    )
