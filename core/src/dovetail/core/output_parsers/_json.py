"""Find a JSON object in model output: fenced blocks, prose around it, nested braces, braces in strings."""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["find_json_candidates", "load_json_objects"]

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
        except RecursionError:
            first_error = first_error or "nesting too deep"
            continue
        if isinstance(value, dict):
            objects.append(value)
    return objects, first_error
