"""Where the server is: connection string or host/port/database/user/password, resolved without I/O.

Every setting is resolved explicit argument > ``[providers.postgres]`` in ``dovetail.toml`` > the libpq
environment variables (``PGHOST``, ``PGPORT``, ``PGDATABASE``, ``PGUSER``, ``PGPASSWORD``). The password (and
any connection string, which may embed one) stays a ``SecretStr``; :func:`masked` renders a connection for logs
and error messages without it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dovetail.core.config import resolve_secret
from dovetail.core.config import resolve_setting
from dovetail.core.errors import ConfigurationError
from pydantic import SecretStr

__all__ = ["PROVIDER", "Connection", "masked", "resolve_connection"]

PROVIDER = "postgres"
# SQLAlchemy-style URLs ("postgresql+psycopg2://", as LlamaIndex takes them) name a driver libpq does not know.
_DRIVER = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)


@dataclass(frozen=True)
class Connection:
    """A resolved connection: libpq conninfo (secret, it may hold the password) and a masked display form."""

    conninfo: SecretStr
    display: str


def _plain_url(url: str) -> str:
    return _DRIVER.sub(lambda m: f"{m.group(1)}://", url.strip(), count=1)


def masked(conninfo: str) -> str:
    """``conninfo`` with any password replaced by ``***`` (URI or ``key=value`` form)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(conninfo)
    except Exception:
        return "<unparsable connection string>"
    user = params.get("user") or ""
    host = params.get("host") or "localhost"
    port = params.get("port") or "5432"
    database = params.get("dbname") or user
    secret = ":***" if params.get("password") else ""
    return f"postgresql://{user}{secret}@{host}:{port}/{database}"


def resolve_connection(
    connection_string: SecretStr | None,
    *,
    host: str | None,
    port: int | None,
    database: str | None,
    user: str | None,
    password: SecretStr | None,
) -> Connection:
    """Build the conninfo from a connection string and/or parameters (parameters win over the string's parts).

    Raises:
        ConfigurationError: the connection string cannot be parsed (the message never quotes it).
    """
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.conninfo import make_conninfo

    url = resolve_setting(connection_string, PROVIDER, "connection_string")
    if isinstance(url, SecretStr):
        url = url.get_secret_value()
    base = _plain_url(str(url)) if url else ""
    try:
        in_url = conninfo_to_dict(base)
    except Exception:
        msg = (
            "the PostgreSQL connection string cannot be parsed; use 'postgresql://user:password@host:5432/db' "
            "or libpq 'host=... dbname=...' form"
        )
        raise ConfigurationError(msg) from None
    params: dict[str, str] = {}
    for key, explicit, config_key, env in (
        ("host", host, "host", "PGHOST"),
        ("port", port, "port", "PGPORT"),
        ("dbname", database, "database", "PGDATABASE"),
        ("user", user, "user", "PGUSER"),
    ):
        # An explicit argument beats the connection string; the config file and environment only fill gaps.
        value = explicit if explicit is not None else None
        if value is None and key not in in_url:
            value = resolve_setting(None, PROVIDER, config_key, env)
        if value is not None:
            params[key] = str(value)
    secret = password
    if secret is None and "password" not in in_url:
        secret = resolve_secret(None, PROVIDER, "password", "PGPASSWORD", required=False)
    if secret is not None:
        params["password"] = secret.get_secret_value()
    conninfo = make_conninfo(base, **params)
    return Connection(conninfo=SecretStr(conninfo), display=masked(conninfo))
