"""The data side of the loopback OpenAI server (``openai_loopback.py``): the deterministic "model" (echo text,
sampled tool arguments, hashed unit vectors), shared with the other loopback servers through
:mod:`dovetail.core.testing.fakes`."""

from __future__ import annotations

from typing import Any

from dovetail.core.testing.fakes import fake_vector
from dovetail.core.testing.fakes import fake_vectors
from dovetail.core.testing.fakes import sample_args
from dovetail.core.testing.fakes import words

__all__ = ["MODELS", "fake_vector", "fake_vectors", "message_text", "sample_args", "words"]

MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-3.5-turbo-instruct", "text-embedding-3-small", "loopback-model")


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if part.get("type") == "text")
    return ""
