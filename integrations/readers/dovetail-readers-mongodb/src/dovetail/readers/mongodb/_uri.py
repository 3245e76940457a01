"""Mask a MongoDB connection string for display and list the secrets it holds, without importing pymongo.

A URI can carry secrets in two places: the password (``mongodb://user:pass@host``) and options such as
``authMechanismProperties=AWS_SESSION_TOKEN:...`` or ``tlsCertificateKeyFilePassword=...``. The user part ends
at the **last** ``@`` before the query string, so a password with an unescaped ``/``, ``:`` or ``@`` (which
pymongo's own parser rejects as a bad database name) is still masked whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote
from urllib.parse import unquote_plus

from dovetail.core.redact import MASK
from dovetail.core.redact import is_secret_name

__all__ = ["MaskedUri", "mask_connection_string"]

_SCHEME = re.compile(r"^(mongodb(?:\+srv)?://)", re.IGNORECASE)
_SECRET_OPTIONS = frozenset({"authmechanismproperties"})


@dataclass(frozen=True)
class MaskedUri:
    """``display``: the URI with its password and secret option values replaced by ``***``; ``secrets``: the
    values to scrub from any message (raw and percent-decoded)."""

    display: str
    secrets: tuple[str, ...]


def _forms(value: str) -> list[str]:
    return [form for form in {value, unquote(value), unquote_plus(value)} if form]


def _is_secret_option(name: str) -> bool:
    return name.lower() in _SECRET_OPTIONS or is_secret_name(name)


def _mask_query(query: str, secrets: list[str]) -> str:
    parts = []
    for pair in query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and _is_secret_option(unquote(name)):
            secrets += _forms(value)
            # authMechanismProperties=AWS_SESSION_TOKEN:abc,SERVICE_NAME:x — each value is secret on its own too
            for item in unquote(value).split(","):
                secrets += _forms(item.partition(":")[2])
            parts.append(f"{name}={MASK}")
        else:
            parts.append(pair)
    return "&".join(parts)


def mask_connection_string(uri: str) -> MaskedUri:
    """The masked form of ``uri`` and the secrets in it (see the module docstring)."""
    match = _SCHEME.match(uri)
    if match is None:
        return MaskedUri(f"{uri.partition('://')[0]}://...", (uri,))
    scheme, rest = match.group(1), uri[match.end() :]
    head, has_query, query = rest.partition("?")
    secrets: list[str] = []
    user_end = head.rfind("@")
    if user_end >= 0:
        userinfo, head = head[:user_end], head[user_end + 1 :]
        user, has_password, password = userinfo.partition(":")
        if has_password and password:
            secrets += _forms(password)
            userinfo = f"{user}:{MASK}"
        head = f"{userinfo}@{head}"
    if has_query:
        head = f"{head}?{_mask_query(query, secrets)}"
    return MaskedUri(f"{scheme}{head}", tuple(sorted(set(secrets), key=len, reverse=True)))
