"""Validation of "list of X" arguments: the first item of another type is named by its position."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from dovetail.core._exceptions import InvalidInputError

__all__ = ["items_of"]

_T = TypeVar("_T")


def items_of(items: Iterable[object], item_type: type[_T], name: str, hint: str = "") -> list[_T]:
    """``items`` as a list, each checked to be an ``item_type``.

    Args:
        items: the argument (already known to be a collection, not a single value).
        item_type: what each item must be.
        name: the argument's name, for the message (``"nodes"``).
        hint: appended to the message, e.g. ``" (as retrievers return)"``.

    Raises:
        InvalidInputError: ``"{name}[i] is a X, not a {item_type}{hint}"`` for the first item of another type.
    """
    out = list(items)
    for position, item in enumerate(out):
        if not isinstance(item, item_type):
            msg = f"{name}[{position}] is a {type(item).__name__}, not a {item_type.__name__}{hint}"
            raise InvalidInputError(msg)
    return out  # type: ignore[return-value]  # every item was checked above
