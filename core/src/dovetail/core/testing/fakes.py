"""The deterministic "model" behind loopback provider servers: word counts, tool arguments, unit vectors.

Loopback servers answer like a model would, but predictably, so tests can assert exact outputs computed
independently of the code under test: chat echoes text, a tool call gets arguments synthesised from the tool's
JSON schema (or quoted in the prompt), an embedding is a hashed unit vector of the text.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["fake_vector", "fake_vectors", "sample_args", "words"]


def words(text: str) -> int:
    """The loopback servers' token count: whitespace-separated words."""
    return len(text.split())


def sample_args(schema: dict[str, Any], hint: str = "") -> dict[str, Any]:
    """Arguments for a JSON ``schema``: a JSON object quoted in ``hint`` when its keys fit, else sample values
    (``1`` for integers, ``1.5`` for numbers, ``True``, ``[]``, ``{}``, ``"sample <name>"`` for strings)."""
    props = schema.get("properties", {})
    start, end = hint.find("{"), hint.rfind("}")
    if 0 <= start < end:
        try:
            quoted = json.loads(hint[start : end + 1])
        except ValueError:
            quoted = None
        if isinstance(quoted, dict) and quoted and set(quoted) <= set(props):
            return quoted
    samples = {"integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}}
    return {name: samples.get(spec.get("type", "string"), f"sample {name}") for name, spec in props.items()}


def fake_vectors(texts: list[str], dims: int) -> np.ndarray:
    """Deterministic unit float32 vectors (one row per text): same text, same vector."""
    import numpy as np

    raw = b"".join(hashlib.shake_256(text.encode()).digest(dims) for text in texts)
    matrix = (np.frombuffer(raw, dtype=np.uint8).reshape(len(texts), dims).astype(np.float32) - 127.5) / 127.5
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-6)
    return matrix.astype("<f4")


def fake_vector(text: str, dims: int) -> list[float]:
    """:func:`fake_vectors` of one text, as the list of floats a client decodes."""
    return [float(x) for x in fake_vectors([text], dims)[0]]
