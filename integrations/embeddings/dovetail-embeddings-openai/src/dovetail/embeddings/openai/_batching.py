"""Pure request planning for embeddings: input checks and splitting a batch by a per-request token budget."""

from __future__ import annotations

import sys
from array import array
from binascii import a2b_base64
from collections.abc import Sequence
from typing import Any

from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.tokenizers import Tokenizer
from dovetail.core.tokenizers import default_tokenizer

__all__ = ["MAX_INPUTS_PER_REQUEST", "decode_vectors", "plan_requests", "token_counts"]

MAX_INPUTS_PER_REQUEST = 2048


def token_counts(texts: Sequence[str], tokenizer: Tokenizer, max_per_input: int) -> list[int]:
    """Token count of each text; raises :class:`InvalidInputError` for an empty or over-long text.

    With the default tokenizer every token covers at least one character, so a text of at most
    ``max_per_input`` characters is counted by its length (an upper bound) without tokenizing it.
    """
    if tokenizer is default_tokenizer:
        sizes = [len(text) for text in texts]
        if sizes and min(sizes) > 0 and max(sizes) <= max_per_input:
            return sizes  # every text is non-empty and short enough that its length bounds its token count
    counts: list[int] = []
    fast = tokenizer is default_tokenizer
    for index, text in enumerate(texts):
        size = len(text)
        if size == 0:
            msg = f"texts[{index}] is empty; OpenAI rejects empty inputs (drop it or use empty_text='placeholder')"
            raise InvalidInputError(msg)
        count = size if fast and size <= max_per_input else len(tokenizer(text))
        if count > max_per_input:
            msg = (
                f"texts[{index}] is about {count} tokens, over the model's limit of {max_per_input} tokens per "
                "input; split it first (e.g. SentenceSplitter(chunk_size=1024))"
            )
            raise InvalidInputError(msg)
        counts.append(count)
    return counts


def plan_requests(counts: Sequence[int], max_tokens_per_request: int, max_inputs: int) -> list[range]:
    """Consecutive index ranges whose token sum stays within ``max_tokens_per_request`` (and ``max_inputs``)."""
    if len(counts) <= max_inputs and sum(counts) <= max_tokens_per_request:
        return [range(len(counts))] if counts else []
    plans: list[range] = []
    start, used = 0, 0
    for index, count in enumerate(counts):
        if index > start and (used + count > max_tokens_per_request or index - start >= max_inputs):
            plans.append(range(start, index))
            start, used = index, 0
        used += count
    if start < len(counts):
        plans.append(range(start, len(counts)))
    return plans


_LITTLE_ENDIAN = sys.byteorder == "little"


def _floats(raw: bytes) -> list[float]:
    floats = array("f", raw)  # ValueError when the byte count is not a multiple of 4
    if not _LITTLE_ENDIAN:  # the wire format is little-endian float32
        floats.byteswap()
    return floats.tolist()


def _decode_all(values: list[Any]) -> list[list[float]]:
    """Float lists as they are; base64 float32 decoded, in one pass over one buffer when all rows match."""
    if not all(type(value) is str for value in values):
        return [_floats(a2b_base64(value)) if type(value) is str else list(value) for value in values]
    rows = [a2b_base64(value) for value in values]
    width = len(rows[0]) if rows else 0
    if not _LITTLE_ENDIAN or width == 0 or width % 4 or any(len(row) != width for row in rows):
        return [_floats(row) for row in rows]  # odd shapes: row by row, so the caller can name the problem
    flat = array("f", b"".join(rows)).tolist()
    dim = width // 4
    return [flat[start : start + dim] for start in range(0, len(flat), dim)]


def decode_vectors(payload: Any, expected: int, provider: str) -> list[list[float]]:
    """Vectors of a JSON response body in input order (sorted by ``index``); float lists or base64 float32."""
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, list) or not all(isinstance(item, dict) and "embedding" in item for item in data):
        msg = f"{provider} answered without a list of embeddings; check that api_base is an embeddings server"
        raise ProviderError(msg, provider=provider)
    if len(data) != expected:
        msg = f"{provider} returned {len(data)} embeddings for {expected} inputs; retry, or lower embed_batch_size"
        raise ProviderError(msg, provider=provider)
    if any(item.get("index", position) != position for position, item in enumerate(data)):
        data = sorted(data, key=lambda item: item.get("index", 0))
    try:
        return _decode_all([item["embedding"] for item in data])
    except (ValueError, TypeError):  # binascii.Error is a ValueError; so is a byte count that is not 4 * n
        msg = f"{provider} returned an embedding that is neither a list of floats nor base64 float32; check api_base"
        raise ProviderError(msg, provider=provider) from None
