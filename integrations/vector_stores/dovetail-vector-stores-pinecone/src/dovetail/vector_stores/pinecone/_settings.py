"""Resolve the API key and index location: explicit argument > ``dovetail.toml`` > environment variable.

The config-file lookup goes through :data:`config_lookup`, a replaceable function, so the store works with or
without ``dovetail.core.config`` and tests can plug in their own source.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr

__all__ = ["API_KEY_ENV", "config_lookup", "resolve_api_key", "resolve_location"]

API_KEY_ENV = "PINECONE_API_KEY"
PROVIDER = "pinecone"


def _dovetail_config(key: str) -> Any:
    """``[providers.pinecone] <key>`` from ``dovetail.toml``, or ``None`` (no file, no key, no config module)."""
    try:
        from dovetail.core.config import load_config
    except ImportError:
        return None
    return getattr(load_config().provider(PROVIDER), key, None)


#: ``(key) -> value | None``: where settings come from after explicit arguments and before the environment.
config_lookup: Callable[[str], Any] = _dovetail_config


def resolve_api_key(explicit: SecretStr | None) -> SecretStr:
    """The API key: ``explicit``, else ``[providers.pinecone] api_key``, else ``$PINECONE_API_KEY``.

    Raises:
        ConfigurationError: none of them is set; the message names ``PINECONE_API_KEY``.
    """
    if explicit is not None and explicit.get_secret_value():
        return explicit
    configured = config_lookup("api_key")
    if isinstance(configured, SecretStr) and configured.get_secret_value():
        return configured
    if isinstance(configured, str) and configured:
        return SecretStr(configured)
    env = os.environ.get(API_KEY_ENV, "")
    if env:
        return SecretStr(env)
    msg = (
        f"no Pinecone API key: pass api_key=..., add api_key to [providers.pinecone] in dovetail.toml, "
        f"or set {API_KEY_ENV}"
    )
    raise ConfigurationError(msg)


def resolve_location(host: str | None, index_name: str | None) -> tuple[str | None, str | None]:
    """``(host, index_name)``: explicit values, else those in ``[providers.pinecone]``.

    Raises:
        ConfigurationError: neither an index host nor an index name is known.
    """
    if host or index_name:
        return host or None, index_name or None
    host = config_lookup("host") or None
    index_name = config_lookup("index_name") or None
    if host or index_name:
        return host, index_name
    msg = (
        "PineconeVectorStore needs index_name=... (looked up on the control plane) or host=... (the index "
        "host, e.g. 'https://my-index-abc123.svc.pinecone.io'), or host/index_name in [providers.pinecone]"
    )
    raise ConfigurationError(msg)
