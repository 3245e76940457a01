"""Span arithmetic behind every splitter: cut a text into pieces that fit a budget, then merge them into chunks.

Everything works on ``(start, end)`` offsets into one source string, so chunk offsets are exact by construction
(``text[start:end] == chunk``) and no piece of text is copied more than needed. A *cutter* returns the interior
cut positions of a span; a list of cutters, from coarse (paragraphs) to fine (words), is applied recursively only
to the pieces that are still over budget, and a piece that no cutter can cut is cut by characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Sequence
from itertools import accumulate
from itertools import pairwise
from itertools import repeat
from operator import lt
from operator import sub

from dovetail.core._exceptions import InvalidInputError

__all__ = [
    "Cutter",
    "Piece",
    "SpanEngine",
    "character_spans",
    "function_cutter",
    "merge_pieces",
    "paragraph_cutter",
    "regex_cutter",
    "separator_cutter",
    "strip_span",
]

Piece = tuple[int, int, int, bool]
"""``(start, end, size, is_sentence)``: one piece of the source text and its size (tokens or characters)."""

Cutter = Callable[[str, int, int], list[int]]
"""``cutter(text, start, end)`` -> sorted cut positions strictly inside ``(start, end)``."""


def paragraph_cutter(separator: str) -> Cutter:
    """Cut before each occurrence of ``separator`` (the separator starts the next piece, like LlamaIndex)."""
    width = len(separator)

    def cut(text: str, start: int, end: int) -> list[int]:
        cuts: list[int] = []
        if not separator:
            return cuts
        find = text.find
        index = find(separator, start, end)
        while index != -1:
            if index > start:
                cuts.append(index)
            index = find(separator, index + width, end)
        return cuts

    return cut


def regex_cutter(pattern: re.Pattern[str]) -> Cutter:
    """Cut after each match of ``pattern`` (the match, e.g. punctuation and spaces, ends the previous piece)."""
    finditer = pattern.finditer

    def cut(text: str, start: int, end: int) -> list[int]:
        cuts = [match.end() for match in finditer(text, start, end)]
        # matches are non-empty, so only the last cut can reach ``end`` (and none can be ``start``)
        if cuts and cuts[-1] >= end:
            cuts.pop()
        return cuts

    return cut


def function_cutter(split: Callable[[str], Sequence[str]], name: str = "chunking_tokenizer_fn") -> Cutter:
    """Cut where ``split(text)`` (e.g. ``nltk.sent_tokenize``) starts each of its pieces after the first.

    The pieces are found in the text in order, so whitespace or separators a function drops between two pieces
    stay with the earlier one and offsets stay exact. A piece that is not in the text raises
    :class:`InvalidInputError`.
    """

    def cut(text: str, start: int, end: int) -> list[int]:
        pieces = split(text[start:end])
        if isinstance(pieces, str) or not isinstance(pieces, Sequence):
            msg = f"{name} must return a list of str (the sentences of the text), got {type(pieces).__name__}"
            raise InvalidInputError(msg)
        cuts: list[int] = []
        position = start
        for number, piece in enumerate(pieces):
            if not isinstance(piece, str):
                msg = f"{name} must return a list of str, got a {type(piece).__name__} at position {number}"
                raise InvalidInputError(msg)
            needle = piece.strip()
            if not needle:
                continue
            found = text.find(needle, position, end)
            if found == -1:
                msg = (
                    f"{name} returned {needle[:40]!r} (piece {number}), which is not in the text after the earlier "
                    "pieces; it must return pieces of the text, unchanged and in order"
                )
                raise InvalidInputError(msg)
            if found > start and (not cuts or found > cuts[-1]):
                cuts.append(found)
            position = found + len(needle)
        return cuts

    return cut


def separator_cutter(separator: str) -> Cutter:
    """Cut after each run of ``separator`` and the whitespace that follows it: a cut never falls inside a
    whitespace run, so a newline and its indentation (one token for BPE tokenizers) stay together."""
    if not separator:
        return lambda text, start, end: []
    escaped = re.escape(separator)
    return regex_cutter(re.compile(f"{escaped}(?:{escaped})*\\s*"))  # starts with a literal: fast prefix scan


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of ``text[start:end].strip()`` (``start == end`` when it is blank)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class SpanEngine:
    """Cuts ``text[start:end]`` into pieces of at most ``budget``, trying ``levels`` from coarse to fine.

    Args:
        levels: ``(cutter, is_sentence)`` pairs; pieces cut at a sentence level may be merged even when the
            merge would otherwise stop (LlamaIndex semantics).
        size: size of a string (token count, or ``len`` for characters).
        lower_bound: optional cheap ``(text, start, end, budget) -> int`` lower bound of the size of a span, used
            to skip measuring spans that are certainly over budget (a book is not tokenized just to learn that it
            must be cut).
        size_many: optional batch form of ``size`` (one call for all the pieces of a span).
    """

    def __init__(
        self,
        levels: Sequence[tuple[Cutter, bool]],
        size: Callable[[str], int],
        lower_bound: Callable[[str, int, int, int], int] | None = None,
        size_many: Callable[[list[str]], list[int]] | None = None,
    ) -> None:
        self.levels = list(levels)
        self.size = size
        self.lower_bound = lower_bound
        self.size_many: Callable[[list[str]], list[int]] = size_many or (lambda texts: [size(t) for t in texts])

    def pieces(self, text: str, start: int, end: int, budget: int) -> list[Piece]:
        """Pieces covering ``[start, end)`` in order, each of size at most ``budget``."""
        out: list[Piece] = []
        if start >= end:
            return out
        size = self._measure(text, start, end, budget)
        if size is not None and size <= budget:
            out.append((start, end, size, True))
        else:
            self._cut(text, start, end, budget, 0, out)
        return out

    def _measure(self, text: str, start: int, end: int, budget: int) -> int | None:
        """Size of the span, or ``None`` when the lower bound already proves it is over budget."""
        bound = self.lower_bound
        if bound is not None and end - start > 9 * budget and bound(text, start, end, budget) > budget:
            return None
        return self.size(text[start:end])

    def _cut(self, text: str, start: int, end: int, budget: int, level: int, out: list[Piece]) -> None:
        cuts: list[int] = []
        while level < len(self.levels):
            cuts = self.levels[level][0](text, start, end)
            if cuts:
                break
            level += 1
        if not cuts:
            self._cut_characters(text, start, end, budget, out)
            return
        is_sentence = self.levels[level][1]
        lefts = [start, *cuts]
        cuts.append(end)
        if not all(map(lt, lefts, cuts)):  # only a custom regex with empty matches can produce these
            kept = [(left, right) for left, right in zip(lefts, cuts, strict=True) if right > left]
            lefts, cuts = [left for left, _ in kept], [right for _, right in kept]
        bound, threshold = self.lower_bound, 9 * budget
        if bound is None or max(map(sub, cuts, lefts)) <= threshold:
            sizes = self.size_many(list(map(text.__getitem__, map(slice, lefts, cuts))))
            if max(sizes) <= budget:  # the common case: every piece fits, no per-piece Python
                out.extend(zip(lefts, cuts, sizes, repeat(is_sentence)))
                return
            over = [False] * len(lefts)
        else:  # pieces that are certainly over budget are cut further without being measured
            over = [
                right - left > threshold and bound(text, left, right, budget) > budget
                for left, right in zip(lefts, cuts, strict=True)
            ]
            measured = [text[left:right] for left, right, skip in zip(lefts, cuts, over, strict=True) if not skip]
            sizes = self.size_many(measured)
        measured_sizes = iter(sizes)
        for left, right, skip in zip(lefts, cuts, over, strict=True):
            size = budget + 1 if skip else next(measured_sizes)
            if size <= budget:
                out.append((left, right, size, is_sentence))
            else:
                self._cut(text, left, right, budget, level + 1, out)

    def _cut_characters(self, text: str, start: int, end: int, budget: int, out: list[Piece]) -> None:
        """Greedy longest prefixes that fit, found by doubling then bisection (O(log n) measures per piece)."""
        size = self.size
        position = start
        while position < end:
            first = size(text[position : position + 1])
            if first > budget:
                msg = (
                    f"the character {text[position]!r} alone is {first} tokens, more than the chunk budget of "
                    f"{budget}; increase chunk_size or shorten the metadata"
                )
                raise InvalidInputError(msg)
            good, good_size = position + 1, first
            step = max(1, budget)
            bad = end + 1
            while good < end:
                probe = min(end, position + step)
                probe_size = size(text[position:probe])
                if probe_size <= budget:
                    good, good_size = probe, probe_size
                    step *= 2
                else:
                    bad = probe
                    break
            while bad - good > 1 and good < end:
                middle = (good + bad) // 2
                middle_size = size(text[position:middle])
                if middle_size <= budget:
                    good, good_size = middle, middle_size
                else:
                    bad = middle
            if good < end and text[good].isspace() and text[good - 1].isspace():
                # never cut inside a whitespace run: move the cut back to where the run starts
                back = good - 1
                while back > position + 1 and text[back - 1].isspace():
                    back -= 1
                if back > position:
                    good, good_size = back, size(text[position:back])
            out.append((position, good, good_size, False))
            position = good


def merge_pieces(pieces: Sequence[Piece], budget: int, overlap: int) -> list[tuple[int, int, int]]:
    """Merge consecutive pieces into chunks of at most ``budget``; each chunk repeats up to ``overlap`` of the
    previous chunk's trailing pieces. Returns ``(start, end, size)`` per chunk (size = sum of piece sizes).

    Same greedy rule as LlamaIndex, minus its overflow: when the carried-over overlap plus the next piece would
    exceed the budget, overlap pieces are dropped from the front until the piece fits. Computed by bisection over
    the prefix sums of the sizes, so the cost grows with the number of chunks, not of pieces.
    """
    if not pieces:
        return []
    totals = list(accumulate((piece[2] for piece in pieces), initial=0))
    last = len(pieces)
    chunks: list[tuple[int, int, int]] = []
    first = 0
    while first < last:
        stop = max(first + 1, bisect_right(totals, totals[first] + budget, first, last + 1) - 1)
        chunks.append((pieces[first][0], pieces[stop - 1][1], totals[stop] - totals[first]))
        if stop >= last:
            break
        carried = bisect_left(totals, totals[stop] - overlap, first + 1, stop + 1)
        fits = bisect_left(totals, totals[stop + 1] - budget, first + 1, stop + 1)
        first = min(max(carried, fits), stop)  # never skip the next piece, even one over budget
    return chunks


def _separator_cuts(text: str, start: int, end: int, separator: str) -> list[int]:
    """Positions right after each occurrence of ``separator`` in ``text[start:end]`` (``end`` excluded).

    ``str.split`` plus ``itertools.accumulate`` over C-level maps: no Python code runs per piece.
    """
    parts = text[start:end].split(separator)
    if len(parts) == 1:
        return []
    width = len(separator)
    cuts = list(accumulate(map(width.__add__, map(len, parts[:-1])), initial=start))[1:]
    if cuts and cuts[-1] >= end:
        cuts.pop()
    return cuts


def _character_cuts(text: str, start: int, end: int, budget: int, separators: Sequence[str], level: int) -> list[int]:
    """Interior cut positions of ``[start, end)`` leaving no gap longer than ``budget`` characters."""
    if end - start <= budget:
        return []
    cuts: list[int] = []
    while level < len(separators):
        cuts = _separator_cuts(text, start, end, separators[level]) if separators[level] else []
        if cuts:
            break
        level += 1
    if not cuts:
        return list(range(start + budget, end, budget))
    bounds = [start, *cuts, end]
    if max(map(sub, bounds[1:], bounds[:-1])) <= budget:
        return cuts
    refined: list[int] = []
    for left, right in pairwise(bounds):
        if right - left > budget:
            refined.extend(_character_cuts(text, left, right, budget, separators, level + 1))
        refined.append(right)
    refined.pop()
    return refined


def character_spans(
    text: str, start: int, end: int, budget: int, overlap: int, separators: Sequence[str]
) -> list[tuple[int, int]]:
    """Chunks of at most ``budget`` characters: the same cut and merge rules as :class:`SpanEngine` plus
    :func:`merge_pieces`, computed with bisection over cut positions because sizes are lengths."""
    bounds = [start, *_character_cuts(text, start, end, budget, separators, 0), end]
    last = len(bounds) - 1
    spans: list[tuple[int, int]] = []
    first = 0
    while first < last:
        chunk_start = bounds[first]
        stop = max(first + 1, bisect_right(bounds, chunk_start + budget, first, last + 1) - 1)
        chunk_end = bounds[stop]
        left, right = strip_span(text, chunk_start, chunk_end)
        if right > left:
            spans.append((left, right))
        if stop >= last:
            break
        # carry trailing pieces totalling <= overlap, but never so many that the next piece no longer fits
        carried = bisect_left(bounds, chunk_end - overlap, first + 1, stop + 1)
        fits = bisect_left(bounds, bounds[stop + 1] - budget, first + 1, stop + 1)
        first = min(max(carried, fits), stop)
    return spans
