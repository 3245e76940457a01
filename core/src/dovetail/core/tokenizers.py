"""Tokenizers used to count tokens (chunking, token budgets, token counting).

The default works offline with zero downloads: a fast regex approximation of a BPE tokenizer (words, numbers and
punctuation, long words split into 4-character pieces). :func:`set_global_tokenizer` swaps in any
``Callable[[str], Sequence]`` such as ``tiktoken.get_encoding("cl100k_base").encode``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Tokenizer", "default_tokenizer", "get_tokenizer", "set_global_tokenizer"]

Tokenizer = Callable[[str], Sequence[Any]]
"""Anything that turns text into a sequence of tokens; only the length matters for counting."""

_TOKEN_RE = re.compile(r"[A-Za-z]{1,4}|\d{1,3}|[^\sA-Za-z\d]|[^\W\d_A-Za-z]+", re.UNICODE)


def default_tokenizer(text: str) -> list[str]:
    """Offline approximation of a BPE tokenizer: roughly one token per 4 letters, digit triple or symbol."""
    return _TOKEN_RE.findall(text)


_global_tokenizer: Tokenizer | None = None


def set_global_tokenizer(tokenizer: Tokenizer | None) -> None:
    """Use ``tokenizer`` wherever dovetail counts tokens; ``None`` restores the offline default."""
    global _global_tokenizer
    _global_tokenizer = tokenizer


def get_tokenizer() -> Tokenizer:
    """The tokenizer set with :func:`set_global_tokenizer`, else the offline default."""
    return _global_tokenizer or default_tokenizer
