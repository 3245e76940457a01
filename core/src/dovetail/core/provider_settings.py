"""Settings validation shared by provider models (LLMs, embeddings): bad settings raise a typed error.

Example:
    ```python
    class MyLLM(TypedSettingsErrors, FunctionCallingLLM):
        timeout: float = Field(default=60.0, gt=0)

    MyLLM(timeout=-1)  # InvalidInputError: invalid MyLLM settings: timeout: Input should be greater than 0
    ```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.errors import InvalidInputError
from pydantic import ValidationError
from pydantic import field_validator

__all__ = [
    "EmptyKeyIsUnset",
    "SettingsOf",
    "TypedSettingsErrors",
    "invalid_settings",
    "reject_unknown_keys",
    "settings_from",
]

D = TypeVar("D")


def invalid_settings(owner: str, exc: ValidationError) -> InvalidInputError:
    """An :class:`InvalidInputError` naming ``owner`` and every failing field with pydantic's reason (the values
    themselves are not repeated, so no secret can leak)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
    return InvalidInputError(f"invalid {owner} settings: {problems}")


class TypedSettingsErrors(KeywordCheckedModel):
    """A pydantic model whose constructor raises :class:`InvalidInputError` (via :func:`invalid_settings`,
    named after the class) instead of pydantic's ``ValidationError``; unknown keywords still raise ``TypeError``
    (:class:`KeywordCheckedModel`). List it first among the bases."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise invalid_settings(type(self).__name__, exc) from None


class EmptyKeyIsUnset(KeywordCheckedModel):
    """Mixin of a provider model with an ``api_key`` field: an empty key (``""``, e.g. an unset variable
    expanded by a shell) counts as no key given, so the config file or the environment supplies it."""

    @field_validator("api_key", mode="before", check_fields=False)
    @classmethod
    def _empty_key_is_none(cls, value: Any) -> Any:
        return value or None


def reject_unknown_keys(given: Iterable[str], known: Collection[str], *, what: str) -> None:
    """Refuse the names in ``given`` that are not in ``known`` before anything is sent.

    Args:
        given: the keys a user passed (keyword arguments, a settings dict).
        known: the keys the provider accepts.
        what: what the keys are, for the message, e.g. ``"Acme request parameter(s) in additional_kwargs"``.

    Raises:
        InvalidInputError: naming the unknown keys and listing the known ones.
    """
    unknown = sorted(set(given) - set(known))
    if unknown:
        msg = f"unknown {what}: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise InvalidInputError(msg)


def settings_from(cls: type[D], owner: object, given: Mapping[str, Any] | None = None) -> D:
    """The dataclass ``cls`` built from ``owner``'s attributes of the same names (its ``init`` fields): the
    client settings of an LLM or embedding model that share their field names with it. Values in ``given``
    stand for fields the owner does not hold (or override its own)."""
    given = dict(given or {})
    names = [f.name for f in dataclasses.fields(cls) if f.init and f.name not in given]  # type: ignore[arg-type]
    return cls(**{name: getattr(owner, name) for name in names}, **given)


_S = TypeVar("_S", bound="SettingsOf")


class SettingsOf:
    """Mixin of a settings dataclass whose fields share their names with the model that owns them."""

    @classmethod
    def of(cls: type[_S], owner: object, **given: Any) -> _S:
        """The settings read from ``owner``'s attributes of the same names (an LLM or embedding model); values
        in ``given`` stand for fields the owner does not hold."""
        return settings_from(cls, owner, given)
