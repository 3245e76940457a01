"""The token-budget machinery shared by the splitters: sizes, metadata budget, merge, exact re-count."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Sequence

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.callbacks import CallbackManager
from dovetail.core.node_parser._base import IdFunc
from dovetail.core.node_parser._base import MetadataAwareTextSplitter
from dovetail.core.node_parser._spans import Cutter
from dovetail.core.node_parser._spans import SpanEngine
from dovetail.core.node_parser._spans import merge_pieces
from dovetail.core.node_parser._spans import strip_span
from dovetail.core.tokenizers import Tokenizer
from dovetail.core.tokenizers import default_tokenizer
from dovetail.core.tokenizers import fast_batch_counter
from dovetail.core.tokenizers import fast_counter
from dovetail.core.tokenizers import get_tokenizer

__all__ = ["BudgetSplitter", "check_sizes", "token_lower_bound"]

logger = logging.getLogger(__name__)


def check_sizes(chunk_size: int, chunk_overlap: int) -> None:
    """Validate ``chunk_size``/``chunk_overlap`` (integers, ``0 <= overlap < size``)."""
    for name, value in (("chunk_size", chunk_size), ("chunk_overlap", chunk_overlap)):
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"{name} must be an int, got {type(value).__name__}"
            raise InvalidInputError(msg)
    if chunk_size <= 0:
        msg = f"chunk_size must be positive, got {chunk_size}"
        raise InvalidInputError(msg)
    if chunk_overlap < 0 or chunk_overlap >= chunk_size:
        msg = (
            f"chunk_overlap ({chunk_overlap}) must be at least 0 and smaller than chunk_size ({chunk_size}); "
            "a common choice is chunk_size // 8"
        )
        raise InvalidInputError(msg)


def token_lower_bound(text: str, start: int, end: int, budget: int) -> int:
    """A cheap lower bound of the default tokenizer's count of ``text[start:end]``.

    Every non-space character belongs to one of its tokens and no token spans two words, so a span has at least
    as many tokens as whitespace-separated words. Only a window of ``16 * budget`` characters is looked at (a
    window cut inside a word may split one token in two, hence the ``- 1``): enough to prove "over budget".
    """
    stop = min(end, start + 16 * budget + 16)
    words = len(text[start:stop].split())
    return words - 1 if stop < end else words


def _lengths(texts: list[str]) -> list[int]:
    return list(map(len, texts))


class BudgetSplitter(MetadataAwareTextSplitter):
    """Base of the budgeted splitters: cut with ``levels``, merge to ``chunk_size`` with ``chunk_overlap``.

    Sizes are measured with ``tokenizer`` (tokens), or with ``len`` when ``tokenizer is len`` (characters).
    Counts of the default tokenizer and of ``len`` add up over concatenated pieces cut at our boundaries, so
    chunk sizes are exact sums; any other tokenizer gets each chunk re-counted (see :meth:`_enforce`).
    """

    _unit = "tokens"
    _shown: tuple[str, ...] = ()
    """Settings ``repr`` shows after ``chunk_size`` and ``chunk_overlap``."""
    keep_whitespaces = False
    """Keep each chunk's leading and trailing whitespace (``TokenTextSplitter`` takes it as a keyword)."""

    def __init__(
        self,
        chunk_size: int,
        chunk_overlap: int,
        levels: Sequence[tuple[Cutter, bool]],
        tokenizer: Tokenizer | Callable[[str], int] | None = None,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: CallbackManager | None = None,
        id_func: IdFunc | None = None,
    ) -> None:
        super().__init__(
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
            id_func=id_func,
        )
        check_sizes(chunk_size, chunk_overlap)
        if tokenizer is not None and not callable(tokenizer):
            msg = f"tokenizer must be callable (str -> sequence of tokens), got {type(tokenizer).__name__}"
            raise InvalidInputError(msg)
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._count: Callable[[str], int]
        lower_bound: Callable[[str, int, int, int], int] | None = None
        self._count_many: Callable[[list[str]], list[int]]
        if tokenizer is len:
            self._tokenizer: Tokenizer | None = None
            self._count = len
            self._count_many = _lengths
            self._additive = True
        else:
            self._tokenizer = tokenizer or get_tokenizer()  # type: ignore[assignment]
            self._count = fast_counter(self._tokenizer)  # type: ignore[arg-type]
            self._count_many = fast_batch_counter(self._tokenizer)  # type: ignore[arg-type]
            self._additive = self._tokenizer is default_tokenizer
            lower_bound = token_lower_bound if self._additive else None
        self._engine = SpanEngine(levels, self._count, lower_bound, self._count_many)

    def _id_key(self) -> str:
        return f"{self.class_name()}\x1f{self.chunk_size}\x1f{self.chunk_overlap}"

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in ("chunk_size", "chunk_overlap", *self._shown))
        return f"{type(self).__name__}({shown})"

    def _size_of(self, text: str) -> int:
        return self._count(text)

    def _budget(self, metadata_str: str) -> int:
        if not metadata_str:
            return self.chunk_size
        metadata_size = self._count(metadata_str)
        budget = self.chunk_size - metadata_size
        if budget <= 0:
            msg = (
                f"metadata is {metadata_size} {self._unit}, not shorter than chunk_size ({self.chunk_size}); "
                "increase chunk_size, shorten the metadata, exclude keys with excluded_embed_metadata_keys/"
                "excluded_llm_metadata_keys, or pass include_metadata=False"
            )
            raise InvalidInputError(msg)
        if budget < 50 and self._unit == "tokens":
            logger.warning(
                "metadata (%d %s) leaves only %d per chunk of %d; consider a larger chunk_size",
                metadata_size,
                self._unit,
                budget,
                self.chunk_size,
            )
        return budget

    def _split_spans(self, text: str, metadata_str: str) -> list[tuple[int, int]]:
        budget = self._budget(metadata_str)
        return self._spans_within(text, 0, len(text), budget)

    def _spans_within(self, text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
        pieces = self._engine.pieces(text, start, end, budget)
        spans: list[tuple[int, int]] = []
        keep = self.keep_whitespaces
        for chunk_start, chunk_end, _ in merge_pieces(pieces, budget, self.chunk_overlap):
            if keep:
                if not text[chunk_start:chunk_end].isspace():  # a chunk of only whitespace is still dropped
                    spans.append((chunk_start, chunk_end))
                continue
            chunk_start, chunk_end = strip_span(text, chunk_start, chunk_end)
            if chunk_end > chunk_start:
                spans.append((chunk_start, chunk_end))
        if not self._additive:
            spans = self._enforce(text, spans, budget)
        return spans

    def _enforce(self, text: str, spans: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
        """Re-count each chunk with the real tokenizer; re-split, with a smaller budget, the rare chunk whose
        pieces summed to less than the whole (BPE merges across piece boundaries)."""
        checked: list[tuple[int, int]] = []
        sizes = self._count_many([text[start:end] for start, end in spans])
        for (start, end), size in zip(spans, sizes, strict=True):
            if size <= budget:
                checked.append((start, end))
                continue
            smaller = budget - (size - budget)
            if smaller < 1 or smaller >= budget:
                # cannot shrink further: fall back to the pieces themselves, each measured on its own
                pieces = self._engine.pieces(text, start, end, budget)
                kept = [(s, e) for s, e, _, _ in pieces if text[s:e].strip()]
                checked.extend(kept if self.keep_whitespaces else [strip_span(text, s, e) for s, e in kept])
                continue
            checked.extend(self._spans_within(text, start, end, smaller))
        return checked
