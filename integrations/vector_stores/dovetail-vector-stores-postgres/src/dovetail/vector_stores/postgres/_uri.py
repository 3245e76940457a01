"""``postgres://`` URIs for the CLI: store settings travel as query parameters next to libpq's own.

``postgresql://app@db.internal:5432/rag?table=docs&hybrid_search=true&hnsw_m=16`` opens table ``docs`` with
hybrid search and an HNSW index. The password is best left out of the URI (command lines are visible to other
users of the machine): it is resolved like every other setting, from ``[providers.postgres]`` in dovetail.toml
or ``PGPASSWORD``. :func:`public_uri` renders a store's URI without any password, for recording in an index.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from dovetail.core.errors import ConfigurationError

__all__ = ["STORE_PARAMS", "public_uri", "split_uri"]

_BOOL = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
_HNSW = ("hnsw_m", "hnsw_ef_construction", "hnsw_ef_search", "hnsw_dist_method")
STORE_PARAMS = ("table", "schema", "hybrid_search", "text_search_config", "embed_dim", "distance", *_HNSW)


def _value(key: str, raw: str) -> Any:
    if key == "hybrid_search":
        if raw.lower() not in _BOOL:
            msg = f"hybrid_search={raw!r} in the URI must be true or false"
            raise ConfigurationError(msg)
        return _BOOL[raw.lower()]
    if key in ("embed_dim", "hnsw_m", "hnsw_ef_construction", "hnsw_ef_search"):
        if not raw.isdigit():
            msg = f"{key}={raw!r} in the URI must be a positive integer"
            raise ConfigurationError(msg)
        return int(raw)
    return raw


def split_uri(uri: str) -> tuple[str, dict[str, Any]]:
    """``(libpq URI, PGVectorStore keyword arguments)`` from a ``postgres[ql]://`` URI with store parameters."""
    parts = urlsplit(uri)
    if parts.scheme.lower().split("+")[0] not in ("postgres", "postgresql"):
        msg = "a PostgreSQL vector store URI starts with postgresql:// (or postgres://)"
        raise ConfigurationError(msg)
    kwargs: dict[str, Any] = {}
    hnsw: dict[str, Any] = {}
    libpq = []
    for key, raw in parse_qsl(parts.query, keep_blank_values=True):
        if key not in STORE_PARAMS:
            libpq.append((key, raw))
        elif key in _HNSW:
            hnsw[key] = _value(key, raw)
        else:
            name = {"table": "table_name", "schema": "schema_name"}.get(key, key)
            kwargs[name] = _value(key, raw)
    if hnsw:
        kwargs["hnsw_kwargs"] = hnsw
    return urlunsplit(parts._replace(query=urlencode(libpq))), kwargs


def public_uri(uri: str) -> str:
    """``uri`` without its password (everything else, store parameters included, kept)."""
    parts = urlsplit(uri)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{hostport}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"])
    return urlunsplit(parts._replace(netloc=netloc, query=query))
