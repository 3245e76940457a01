"""Pure translation from MongoDB documents (BSON-decoded dicts) to dovetail ``Document`` s.

Nothing here does I/O, so the sync and async readers are thin shells over the same functions and the rules are
tested with plain dicts.

Rules (also in the package README):

- Paths are dotted (``"author.name"``); a numeric segment indexes a list (``"chapters.0.title"``); a name segment
  applied to a list of sub-documents collects that field from each element (MongoDB's own array semantics).
- A text field is *missing* when its path does not resolve or resolves to ``None``.
- Text conversion: ``str`` as is; ``bool``/``int``/``float`` with ``str()``; ``datetime``/``date`` as ISO 8601;
  ``bytes`` decoded as UTF-8 (invalid bytes replaced); lists: each element converted and joined with ``"\\n"``
  (``None`` elements dropped); dicts: compact JSON; anything else (``ObjectId``, ``Decimal128``, ``UUID``...):
  ``str()``.
- Metadata: a ``metadata_names`` path that does not resolve is left out of ``Document.metadata``. Conversion
  keeps ``None``/``bool``/``int``/``float``/``str``; ``datetime``/``date`` become ISO 8601
  strings; lists and dicts become JSON strings (metadata stays flat, as vector stores expect); anything else
  ``str()``.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import uuid
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import Literal
from urllib.parse import parse_qsl

from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document

__all__ = [
    "MISSING",
    "OnMissing",
    "build_document",
    "build_projection",
    "get_path",
    "mask_uri",
    "to_metadata_value",
    "to_text",
    "uri_options",
]

OnMissing = Literal["skip", "error", "empty"]
ON_MISSING_CHOICES: tuple[str, ...] = ("skip", "error", "empty")


class _Missing:
    """Sentinel for a path that does not resolve."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_URI_CREDENTIALS = re.compile(r"^(?P<scheme>mongodb(?:\+srv)?://)(?P<user>[^:@/]*)(?::(?P<password>[^@/]*))?@")


def mask_uri(uri: str) -> str:
    """Return ``uri`` with its password replaced by ``***`` (``mongodb://user:***@host``)."""
    match = _URI_CREDENTIALS.match(uri)
    if match is None or match.group("password") is None:
        return uri
    return f"{match.group('scheme')}{match.group('user')}:***@{uri[match.end() :]}"


def uri_password(uri: str) -> str | None:
    """The password embedded in ``uri``, if any (used to scrub it out of provider error messages)."""
    match = _URI_CREDENTIALS.match(uri)
    password = match.group("password") if match else None
    return password or None


def uri_options(uri: str) -> dict[str, str]:
    """Options set in the URI's query string, keyed by lower-cased name (MongoDB option names are case-blind)."""
    _, _, query = uri.partition("?")
    return {key.lower(): value for key, value in parse_qsl(query, keep_blank_values=True)}


def get_path(document: Mapping[str, Any], path: str) -> Any:
    """Resolve a dotted ``path`` in ``document``; :data:`MISSING` when it does not resolve."""
    current: Any = document
    for segment in path.split("."):
        current = _step(current, segment)
        if current is MISSING:
            return MISSING
    return current


def _step(current: Any, segment: str) -> Any:
    if isinstance(current, Mapping):
        return current.get(segment, MISSING)
    if isinstance(current, list):
        if segment.isdigit():
            index = int(segment)
            return current[index] if index < len(current) else MISSING
        collected = [_step(item, segment) for item in current if isinstance(item, (Mapping, list))]
        values = [value for value in collected if value is not MISSING]
        return values if values else MISSING
    return MISSING


def _json_default(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _to_json(value: Any) -> str:
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def to_text(value: Any) -> str:
    """Convert one field value to text (rules in the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple)):
        return "\n".join(to_text(item) for item in value if item is not None)
    if isinstance(value, Mapping):
        return _to_json(dict(value))
    return str(value)


def to_metadata_value(value: Any) -> Any:
    """Convert one field value to a flat metadata value (rules in the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple, Mapping)):
        return _to_json(value if not isinstance(value, tuple) else list(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def document_id(raw: Mapping[str, Any]) -> str:
    """``_id`` as a string (``ObjectId`` → its 24-hex form); a new UUID when ``_id`` was projected away."""
    value = raw.get("_id", MISSING)
    if value is MISSING or value is None:
        return str(uuid.uuid4())
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _to_json(dict(value))
    return str(value)


def build_projection(
    field_names: Sequence[str],
    metadata_names: Sequence[str],
    projection: Mapping[str, Any] | Sequence[str] | None,
) -> Mapping[str, Any] | Sequence[str] | None:
    """The projection sent to the server: the caller's, or only the fields the reader needs.

    Overlapping paths (``"a"`` and ``"a.b"``) collide in a MongoDB projection, so a path whose parent is already
    projected is left out.
    """
    if projection is not None:
        return projection
    wanted = sorted(set(field_names) | set(metadata_names), key=len)
    kept: list[str] = []
    for path in wanted:
        if not any(path == parent or path.startswith(parent + ".") for parent in kept):
            kept.append(path)
    return dict.fromkeys(sorted(kept), 1)


def build_document(
    raw: Mapping[str, Any],
    *,
    field_names: Sequence[str],
    separator: str,
    metadata_names: Sequence[str],
    on_missing: OnMissing,
    field_extractors: Mapping[str, Callable[[Any], str]] | None = None,
) -> Document | None:
    """Build the ``Document`` for one MongoDB document, or ``None`` when it is skipped (``on_missing="skip"``).

    Raises:
        InvalidInputError: a text field is missing and ``on_missing="error"``, or a field extractor did not
            return a string.
    """
    parts: list[str] = []
    for name in field_names:
        value = get_path(raw, name)
        if value is MISSING or value is None:
            if on_missing == "skip":
                return None
            if on_missing == "error":
                msg = (
                    f"MongoDB document _id={document_id(raw)!r} has no text field {name!r}; filter such documents "
                    f"out with query_dict (e.g. {{{name!r}: {{'$exists': True}}}}) or pass on_missing='skip' "
                    "or 'empty'"
                )
                raise InvalidInputError(msg)
            continue
        extractor = field_extractors.get(name) if field_extractors else None
        text = extractor(value) if extractor is not None else to_text(value)
        if not isinstance(text, str):
            msg = f"field_extractors[{name!r}] returned {type(text).__name__}; it must return str"
            raise InvalidInputError(msg)
        parts.append(text)
    metadata: dict[str, Any] = {}
    for name in metadata_names:
        value = get_path(raw, name)
        if value is not MISSING:
            metadata[name] = to_metadata_value(value)
    return Document(id_=document_id(raw), text=separator.join(parts), metadata=metadata)
