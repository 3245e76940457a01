"""Resume a broken read where it stopped: read in ``_id`` order, and after a failure ask for what comes next.

A read is one cursor sorted by ``_id``. When it breaks (a dropped connection, a timeout), the shared retry policy
decides whether and when to try again, and the new cursor asks only for the documents after the last ``_id``
read, so nothing is returned twice or lost. ``$gt`` only compares values of one BSON type bracket (numbers,
strings, ObjectIds...), so "after" also takes every document whose ``_id`` is of a type that sorts later,
which is exact even in a collection with mixed ``_id`` types. Resuming needs the ``_id`` of each document: with
a projection that leaves it out, or an ``_id`` of a type with no known bracket, a read is retried only until it
has returned its first document.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["START", "after", "excludes_id", "resume_args"]


class _Start:
    """The position before the first document (``None`` is a valid ``_id``)."""

    def __repr__(self) -> str:
        return "START"


START: Any = _Start()

# BSON comparison order of type brackets, as ``$type`` aliases.
_BRACKETS: tuple[tuple[str, ...], ...] = (
    ("minKey",),
    ("null",),
    ("double", "int", "long", "decimal"),
    ("symbol", "string"),
    ("object",),
    ("array",),
    ("binData",),
    ("objectId",),
    ("bool",),
    ("date",),
    ("timestamp",),
    ("regex",),
    ("maxKey",),
)


def _bracket(value: Any) -> int | None:
    from bson import Binary
    from bson import Decimal128
    from bson import MaxKey
    from bson import MinKey
    from bson import ObjectId
    from bson import Regex
    from bson import Timestamp

    checks: tuple[tuple[Any, int], ...] = (
        (MinKey, 0),
        (bool, 8),  # before int: bool is an int in Python, not in BSON
        ((int, float, Decimal128), 2),
        (str, 3),
        (Mapping, 4),
        ((bytes, Binary, uuid.UUID), 6),
        (ObjectId, 7),
        (datetime.datetime, 9),
        (Timestamp, 10),
        ((Regex, re.Pattern), 11),
        (MaxKey, 12),
    )
    if value is None:
        return 1
    return next((bracket for kind, bracket in checks if isinstance(value, kind)), None)


def after(query: Mapping[str, Any], last_id: Any) -> dict[str, Any] | None:
    """``query`` restricted to documents whose ``_id`` sorts after ``last_id``; ``None`` when that cannot be
    expressed (an ``_id`` of an unknown type)."""
    bracket = _bracket(last_id)
    if bracket is None:
        return None
    later = [alias for aliases in _BRACKETS[bracket + 1 :] for alias in aliases]
    rest: dict[str, Any] = {"_id": {"$gt": last_id}}
    if later:
        rest = {"$or": [rest, {"_id": {"$type": later}}]}
    return {"$and": [dict(query), rest]} if query else rest


def excludes_id(projection: Any) -> bool:
    """Whether a projection leaves ``_id`` out of the returned documents."""
    if isinstance(projection, Mapping):
        value = projection.get("_id", 1)
        return value in (0, False)
    return False


def resume_args(args: Mapping[str, Any], last_id: Any, remaining: int | None) -> dict[str, Any] | None:
    """``find`` arguments for the documents after ``last_id`` in ``_id`` order (:data:`START`: from the first),
    or ``None`` when that cannot be expressed.

    Args:
        args: the read's own ``find`` arguments (``filter``, ``projection``, ``limit``, ``batch_size``).
        last_id: the last ``_id`` read, or :data:`START`.
        remaining: documents the read may still return when it has a limit (``None``: no limit).
    """
    resumed = dict(args)
    if last_id is not START:
        restricted = after(resumed.get("filter") or {}, last_id)
        if restricted is None:
            return None
        resumed["filter"] = restricted
    resumed["sort"] = [("_id", 1)]
    if remaining is not None:
        resumed["limit"] = remaining
    return resumed
