"""Resolve the API key and index location through ``dovetail.core.config``: explicit > ``dovetail.toml`` > env."""

from __future__ import annotations

from dovetail.core.config import resolve_secret
from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr

__all__ = ["API_KEY_ENV", "resolve_api_key", "resolve_location"]

API_KEY_ENV = "PINECONE_API_KEY"
PROVIDER = "pinecone"


def resolve_api_key(explicit: SecretStr | None) -> SecretStr:
    """The API key: ``explicit``, else ``[providers.pinecone] api_key``, else ``$PINECONE_API_KEY``.

    Raises:
        ConfigurationError: none of them is set; the message names ``PINECONE_API_KEY``.
    """
    return resolve_secret(explicit, PROVIDER, "api_key", API_KEY_ENV)


def resolve_location(host: str | None, index_name: str | None) -> tuple[str | None, str | None]:
    """``(host, index_name)``: explicit values, else those in ``[providers.pinecone]``.

    Raises:
        ConfigurationError: neither an index host nor an index name is known.
    """
    if host or index_name:
        return host or None, index_name or None
    host = resolve_setting(None, PROVIDER, "host")
    index_name = resolve_setting(None, PROVIDER, "index_name")
    if host or index_name:
        return host, index_name
    msg = (
        "PineconeVectorStore needs index_name=... (looked up on the control plane) or host=... (the index "
        "host, e.g. 'https://my-index-abc123.svc.pinecone.io'), or host/index_name in [providers.pinecone]"
    )
    raise ConfigurationError(msg)
