"""The data side of the loopback OpenAI server (``openai_loopback.py``): faults, recorded requests, the
deterministic "model" (echo text, sampled tool arguments, hashed unit vectors)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MODELS", "Fault", "RecordedRequest", "fake_vector", "fake_vectors", "message_text", "sample_args", "words"]

MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo-instruct", "text-embedding-3-small", "loopback-model")


@dataclass
class Fault:
    """One injected failure, consumed by the next ``times`` matching requests.

    Args:
        status: HTTP status to answer with (ignored by ``drop``/``cut_stream``).
        headers: extra response headers, e.g. ``{"Retry-After": "0.3"}``.
        body: JSON error body; a standard OpenAI error body by default; a ``str`` is sent as it is (non-JSON).
        delay: seconds to sleep before acting (a "slow response").
        action: ``"status"`` answers with ``status``; ``"drop"`` closes the connection without an answer;
            ``"cut_stream"`` answers a streaming request normally but closes after ``after_chunks`` chunks;
            ``"delay_only"`` sleeps ``delay`` and then answers normally.
        path: only requests whose path ends with this match (``""`` matches every path).
        times: how many requests this fault applies to.
        after_chunks: chunks sent before the cut (``cut_stream``).
    """

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | str | None = None
    delay: float = 0.0
    action: str = "status"
    path: str = ""
    times: int = 1
    after_chunks: int = 2


@dataclass
class RecordedRequest:
    """A request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float


def fake_vectors(texts: list[str], dims: int) -> np.ndarray:
    """Deterministic unit float32 vectors (one row per text): same text, same vector."""
    raw = b"".join(hashlib.shake_256(text.encode()).digest(dims) for text in texts)
    matrix = (np.frombuffer(raw, dtype=np.uint8).reshape(len(texts), dims).astype(np.float32) - 127.5) / 127.5
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-6)
    return matrix.astype("<f4")


def fake_vector(text: str, dims: int) -> list[float]:
    """:func:`fake_vectors` of one text, as the list of floats a client decodes."""
    return [float(x) for x in fake_vectors([text], dims)[0]]


def words(text: str) -> int:
    return len(text.split())


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if part.get("type") == "text")
    return ""


def sample_args(schema: dict[str, Any], hint: str = "") -> dict[str, Any]:
    """Arguments for ``schema``: a JSON object quoted in ``hint`` when its keys fit, else sample values."""
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
