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
from typing import Any
from typing import TypeVar

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.errors import InvalidInputError
from pydantic import ValidationError

__all__ = ["SettingsOf", "TypedSettingsErrors", "invalid_settings", "settings_from"]

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


def settings_from(cls: type[D], owner: object) -> D:
    """The dataclass ``cls`` built from ``owner``'s attributes of the same names (its ``init`` fields): the
    client settings of an LLM or embedding model that share their field names with it."""
    names = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    return cls(**{name: getattr(owner, name) for name in names})


_S = TypeVar("_S", bound="SettingsOf")


class SettingsOf:
    """Mixin of a settings dataclass whose fields share their names with the model that owns them."""

    @classmethod
    def of(cls: type[_S], owner: object) -> _S:
        """The settings read from ``owner``'s attributes of the same names (an LLM or embedding model)."""
        return settings_from(cls, owner)
