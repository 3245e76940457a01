"""Describe a settings ``ValidationError`` for people: each key, its bad value (unless secret) and the rule.

A value is left out when its field is secret (a ``SecretStr`` field, a name such as ``api_key``, ``token``,
``password``), and URL credentials are stripped from the values that are shown, so an error never echoes a key
or a password from a connection string.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dovetail.core.redact import is_secret_name
from dovetail.core.redact import strip_url_credentials

__all__ = ["describe_errors"]

_MAX_SHOWN = 80


def _shown(value: Any) -> str:
    text = strip_url_credentials(repr(value))
    return text if len(text) <= _MAX_SHOWN else f"{text[: _MAX_SHOWN - 3]}..."


def _is_secret(loc: tuple[int | str, ...], value: Any, secret_fields: Collection[str]) -> bool:
    if hasattr(value, "get_secret_value"):
        return True
    return any(isinstance(part, str) and (part in secret_fields or is_secret_name(part)) for part in loc)


def describe_errors(error: Any, *, secret_fields: Collection[str] = ()) -> str:
    """``"key = value: rule; ..."`` for a pydantic ``ValidationError``.

    Args:
        error: the ``pydantic.ValidationError``.
        secret_fields: field names whose values are never shown (besides those that look secret).
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        key = ".".join(str(part) for part in loc) or "(settings)"
        rule = str(item["msg"])
        if item["type"] == "extra_forbidden":
            problems.append(f"unknown key {key!r}")
        elif not loc or "input" not in item or _is_secret(loc, item["input"], secret_fields):
            problems.append(f"{key}: {rule}")
        else:
            problems.append(f"{key} = {_shown(item['input'])}: {rule}")
    return "; ".join(problems)
