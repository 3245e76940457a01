"""Find a JSON object in model output: fenced blocks, prose around it, nested braces, braces in strings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["iter_json_objects", "load_json_objects"]

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_-]*)[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
_OPENERS = {"{": "}", "[": "]"}
_STRUCTURAL = re.compile(r'[{}\[\]"\\]')


def _balanced_spans(text: str, openers: str) -> list[str]:
    """Outermost balanced ``{...}`` (or ``[...]``) spans in order, skipping brackets inside JSON strings.

    One linear pass over the structural characters, so pathological input (thousands of unclosed braces) stays
    fast. An opener that never closes contributes the rest of the text as a candidate (so the caller can report
    invalid JSON); balanced spans inside it are still found.
    """
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    in_string = False
    skip = -1
    for match in _STRUCTURAL.finditer(text):
        index = match.start()
        if index == skip:
            continue
        char = match.group()
        if not stack:
            if char in openers:
                stack.append((_OPENERS[char], index))
            continue
        if in_string:
            if char == "\\":
                skip = index + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in _OPENERS:
            stack.append((_OPENERS[char], index))
        elif char in "}]":
            closer, begin = stack.pop()
            if closer != char:
                stack.clear()  # mismatched brackets: not JSON, start over
            else:
                spans.append((begin, index + 1))
    spans.sort()
    outermost: list[tuple[int, int]] = []
    covered = -1
    for begin, end in spans:
        if begin >= covered:
            outermost.append((begin, end))
            covered = end
    if stack:
        outermost.append((stack[0][1], len(text)))
        outermost.sort()
    return [text[begin:end] for begin, end in outermost]


def _blocks(text: str) -> Iterator[str]:
    """Where to look, most likely first: fenced ``json`` blocks, other fenced blocks, then the whole text."""
    if "```" in text:
        fences = sorted(_FENCE.finditer(text), key=lambda m: m.group(1).lower() != "json")
        for fence in fences:
            yield fence.group(2)
    yield text


def _decode(candidate: str) -> dict[str, Any] | str | None:
    try:
        value = json.loads(candidate)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    except RecursionError:
        return "nesting too deep"
    return value if isinstance(value, dict) else None


def iter_json_objects(text: str) -> Iterator[dict[str, Any] | str]:
    """Each JSON object found in ``text`` (most likely first), or a ``str`` describing a decoding error.

    Lazy, so a parser that accepts the first good object never scans the rest of the text. A block that is
    exactly one object is decoded directly (the common case); otherwise its balanced spans are tried in order.
    """
    seen: set[str] = set()
    for block in _blocks(text):
        stripped = block.strip()
        if stripped.startswith("{") and stripped.endswith("}") and stripped not in seen:
            fast = _decode(stripped)
            if isinstance(fast, dict):
                seen.add(stripped)
                yield fast
                continue
        for candidate in _balanced_spans(block, "{"):
            if candidate in seen:
                continue
            seen.add(candidate)
            decoded = _decode(candidate)
            if decoded is not None:
                yield decoded


def load_json_objects(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """Every candidate in ``text`` that decodes to a JSON object, most likely first.

    Returns ``(objects, error)``: ``error`` is the decoding error of the first candidate that failed (``None``
    when every candidate decoded or there was none).
    """
    objects: list[dict[str, Any]] = []
    first_error: str | None = None
    for item in iter_json_objects(text):
        if isinstance(item, dict):
            objects.append(item)
        elif first_error is None:
            first_error = item
    return objects, first_error
