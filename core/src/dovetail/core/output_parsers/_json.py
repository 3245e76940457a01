"""Find a JSON object in model output: fenced blocks, prose around it, nested braces, braces in strings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["find_json_candidates", "load_json_objects"]

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_OPENERS = {"{": "}", "[": "]"}


def _balanced_spans(text: str, openers: str) -> Iterator[str]:
    """Yield each top-level balanced ``{...}`` (or ``[...]``) span, skipping brackets inside JSON strings."""
    start = 0
    length = len(text)
    while start < length:
        begin = min((i for i in (text.find(ch, start) for ch in openers) if i != -1), default=-1)
        if begin == -1:
            return
        stack: list[str] = []
        in_string = escaped = False
        end = -1
        for index in range(begin, length):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
                continue
            if char == '"':
                in_string = True
            elif char in _OPENERS:
                stack.append(_OPENERS[char])
            elif char in "}]":
                if not stack or stack.pop() != char:
                    break
                if not stack:
                    end = index
                    break
        if end == -1:
            # Unbalanced: hand back the rest so the caller can report invalid JSON, then look further on.
            yield text[begin:]
            start = begin + 1
            continue
        yield text[begin : end + 1]
        start = end + 1


def find_json_candidates(text: str, openers: str = "{") -> list[str]:
    """Candidate JSON texts in ``text``, most likely first: fenced ``json`` blocks, other fences, then bare spans."""
    candidates: list[str] = []
    fences = list(_FENCE.finditer(text))
    fences.sort(key=lambda m: m.group(1).lower() != "json")
    for fence in fences:
        candidates.extend(_balanced_spans(fence.group(2), openers))
    candidates.extend(_balanced_spans(text, openers))
    seen: set[str] = set()
    unique = []
    for candidate in candidates:
        if candidate not in seen:
            seen.add(candidate)
            unique.append(candidate)
    return unique


def load_json_objects(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Every candidate in ``text`` that decodes to a JSON object, most likely first.

    Returns ``(objects, error)``: ``error`` is the decoding error of the first candidate that failed (``None``
    when every candidate decoded or there was none).
    """
    objects: list[dict[str, Any]] = []
    first_error: str | None = None
    for candidate in find_json_candidates(text):
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError as exc:
            first_error = first_error or f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            continue
        if isinstance(value, dict):
            objects.append(value)
    return objects, first_error
