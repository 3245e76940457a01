"""Validation of "list of ids" arguments: a bare string is not a list of one-character ids.

``store.delete_nodes(node_ids="n1")`` would otherwise be iterated character by character (``"n"``, ``"1"``)
and act on the wrong nodes or silently on none. Every store, docstore, index and retriever argument that takes
ids runs through :func:`id_list` before it changes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping

from dovetail.core._exceptions import InvalidInputError

__all__ = ["id_list", "one_id"]


def id_list(value: object, name: str) -> list[str] | None:
    """``value`` as a list of string ids (``None`` stays ``None``).

    Args:
        value: a list, tuple, set or other iterable of strings, or ``None``.
        name: the argument's name, for the error message.

    Raises:
        InvalidInputError: ``value`` is a string, bytes, a mapping or not iterable, or holds a non-string.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        msg = (
            f"{name} must be a list of ids, got {type(value).__name__} {shown}; "
            f"wrap a single id in a list: {name}=[...]"
        )
        raise InvalidInputError(msg)
    ids = list(value)
    for item in ids:
        if not isinstance(item, str):
            msg = f"{name} must hold string ids, got {type(item).__name__} {item!r:.60}"
            raise InvalidInputError(msg)
    return ids


def one_id(value: object, name: str) -> str:
    """``value`` if it is a string id.

    Raises:
        InvalidInputError: anything else (a list of ids goes to the plural method, e.g. ``delete_nodes``).
    """
    if not isinstance(value, str):
        msg = f"{name} must be one string id, got {type(value).__name__} {value!r:.60}"
        raise InvalidInputError(msg)
    return value
