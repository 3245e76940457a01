"""Validation of the reader's load arguments: everything is checked before any I/O happens."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import cast

from dovetail.core.errors import InvalidInputError
from dovetail.readers.mongodb._convert import ON_MISSING_CHOICES
from dovetail.readers.mongodb._convert import OnMissing

__all__ = ["LOAD_DEFAULTS", "LoadOptions", "log_summary", "split_positional", "validate_load_options"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOptions:
    """Validated arguments of one ``load_data`` / ``lazy_load_data`` call."""

    db_name: str
    collection_name: str
    field_names: tuple[str, ...]
    separator: str
    query_dict: Mapping[str, Any]
    metadata_names: tuple[str, ...]
    projection: Mapping[str, Any] | Sequence[str] | None
    max_docs: int
    batch_size: int | None
    on_missing: OnMissing
    field_extractors: Mapping[str, Callable[[Any], str]] | None

    @property
    def target(self) -> str:
        """``"db.collection"``, for messages."""
        return f"{self.db_name}.{self.collection_name}"


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        msg = f"{what} must be a non-empty string, got {value!r}"
        raise InvalidInputError(msg)
    return value


def _paths(value: Any, what: str, *, allow_empty: bool) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        msg = f"{what} must be a list of field names such as ['text'], got {type(value).__name__}"
        raise InvalidInputError(msg)
    if not value and not allow_empty:
        msg = f"{what} is empty; name at least one field to read text from, e.g. ['text']"
        raise InvalidInputError(msg)
    for item in value:
        if not isinstance(item, str) or not item or item.startswith(".") or item.endswith(".") or ".." in item:
            msg = f"{what} entries must be field names or dotted paths like 'author.name', got {item!r}"
            raise InvalidInputError(msg)
        if item.startswith("$"):
            msg = f"{what} entry {item!r} starts with '$'; name a stored field, not an operator"
            raise InvalidInputError(msg)
    return tuple(value)


def _optional_int(value: Any, what: str, *, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        msg = f"{what} must be an integer >= {minimum} (or None), got {value!r}"
        raise InvalidInputError(msg)
    return int(value)


def validate_load_options(
    *,
    db_name: Any,
    collection_name: Any,
    field_names: Any,
    separator: Any,
    query_dict: Any,
    metadata_names: Any,
    projection: Any,
    max_docs: Any,
    batch_size: Any,
    on_missing: Any,
    field_extractors: Any,
) -> LoadOptions:
    """Check every load argument and return them normalised.

    Raises:
        InvalidInputError: an argument has the wrong type or value; the message names it and shows a fix.
    """
    if query_dict is not None and not isinstance(query_dict, Mapping):
        msg = f"query_dict must be a dict such as {{'year': {{'$gte': 2020}}}}, got {type(query_dict).__name__}"
        raise InvalidInputError(msg)
    if projection is not None and (
        isinstance(projection, (str, bytes)) or not isinstance(projection, (Mapping, Sequence))
    ):
        msg = f"projection must be a dict ({{'text': 1}}) or a list of field names, got {type(projection).__name__}"
        raise InvalidInputError(msg)
    if not isinstance(separator, str):
        msg = f"separator must be a string, got {type(separator).__name__}"
        raise InvalidInputError(msg)
    if on_missing not in ON_MISSING_CHOICES:
        msg = f"on_missing must be one of {list(ON_MISSING_CHOICES)}, got {on_missing!r}"
        raise InvalidInputError(msg)
    if field_extractors is not None and (
        not isinstance(field_extractors, Mapping) or not all(callable(f) for f in field_extractors.values())
    ):
        msg = "field_extractors must map field names to callables that return str"
        raise InvalidInputError(msg)
    return LoadOptions(
        db_name=_name(db_name, "db_name"),
        collection_name=_name(collection_name, "collection_name"),
        field_names=_paths(field_names, "field_names", allow_empty=False),
        separator=separator,
        query_dict=dict(query_dict or {}),
        metadata_names=_paths(metadata_names if metadata_names is not None else [], "metadata_names", allow_empty=True),
        projection=projection,
        max_docs=_optional_int(max_docs, "max_docs", minimum=0) or 0,
        batch_size=_optional_int(batch_size, "batch_size", minimum=1),
        on_missing=cast(OnMissing, on_missing),
        field_extractors=field_extractors,
    )


POSITIONAL = ("field_names", "separator", "query_dict", "max_docs", "metadata_names", "field_extractors")
LOAD_DEFAULTS: dict[str, Any] = {
    "field_names": ("text",),
    "separator": "\n",
    "query_dict": None,
    "max_docs": None,
    "metadata_names": None,
    "field_extractors": None,
    "projection": None,
    "batch_size": None,
    "on_missing": "skip",
}


def split_positional(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """Map positional load arguments (``db_name, collection_name, field_names, ...``) onto keywords."""
    names = ("db_name", "collection_name", *POSITIONAL)
    if len(args) > len(names):
        msg = f"too many positional arguments ({len(args)}); pass options such as batch_size by keyword"
        raise InvalidInputError(msg)
    merged = dict(kwargs)
    for name, value in zip(names, args, strict=False):
        if name in merged:
            msg = f"argument {name!r} given twice"
            raise InvalidInputError(msg)
        merged[name] = value
    missing = [name for name in ("db_name", "collection_name") if name not in merged]
    if missing:
        msg = f"missing required argument(s) {missing}"
        raise InvalidInputError(msg)
    return merged.pop("db_name"), merged.pop("collection_name"), merged


def log_summary(options: LoadOptions, yielded: int, skipped: int) -> None:
    if skipped:
        logger.warning(
            "mongodb: read %d document(s) from %s, skipped %d without text field(s) %s (on_missing='skip')",
            yielded,
            options.target,
            skipped,
            list(options.field_names),
        )
    else:
        logger.debug("mongodb: read %d document(s) from %s", yielded, options.target)
