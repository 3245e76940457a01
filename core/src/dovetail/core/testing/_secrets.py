"""Secret hygiene shared by the kits: find SecretStr values on an object and check they never leak."""

from __future__ import annotations

from typing import Any

__all__ = ["assert_no_secret_leak", "secret_values"]


def secret_values(obj: Any) -> list[str]:
    """Plain values of every ``pydantic.SecretStr`` attribute of ``obj`` (pydantic fields and ``__dict__``)."""
    from pydantic import SecretStr

    values: list[str] = []
    candidates: dict[str, Any] = {}
    candidates.update(getattr(obj, "__dict__", {}) or {})
    for name in getattr(type(obj), "model_fields", {}) or {}:
        candidates[name] = getattr(obj, name, None)
    for value in candidates.values():
        if isinstance(value, SecretStr):
            secret = value.get_secret_value()
            if secret:
                values.append(secret)
    return values


def assert_no_secret_leak(obj: Any, *texts: str) -> None:
    """Fail when a secret of ``obj`` appears in ``repr(obj)``, ``str(obj)`` or any of ``texts``."""
    rendered = [repr(obj), str(obj), *texts]
    for secret in secret_values(obj):
        for text in rendered:
            assert secret not in text, "a SecretStr value leaked into repr/str/log text; mask it"
