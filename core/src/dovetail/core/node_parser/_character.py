"""``RecursiveCharacterSplitter``: chunks measured in characters, cut at the coarsest separator that works."""

from __future__ import annotations

from collections.abc import Sequence

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.callbacks import CallbackManager
from dovetail.core.node_parser._base import IdFunc
from dovetail.core.node_parser._budget import BudgetSplitter
from dovetail.core.node_parser._spans import Cutter
from dovetail.core.node_parser._spans import character_spans
from dovetail.core.node_parser._spans import separator_cutter

__all__ = ["RecursiveCharacterSplitter"]


class RecursiveCharacterSplitter(BudgetSplitter):
    """Split text into chunks of at most ``chunk_size`` characters, LangChain ``RecursiveCharacterTextSplitter``
    style: cut at ``"\\n\\n"``, then ``"\\n"``, then ``" "``, then anywhere, only where a piece is still too long;
    merge pieces greedily with ``chunk_overlap`` characters of trailing pieces repeated.

    No tokenizer runs, so this is the fastest splitter; sizes are ``len`` of the text. Offsets, stable ids and
    relationships work as for the other node parsers; with ``include_metadata`` the rendered metadata's
    characters are budgeted too.

    Args:
        chunk_size: maximum characters per chunk (> 0).
        chunk_overlap: characters repeated between chunks (``< chunk_size``).
        separators: cuts tried in order (an empty string means "anywhere", and is implied last).
        include_metadata, include_prev_next_rel, callback_manager, id_func: as for every node parser.

    Example:
        ```python
        chunks = RecursiveCharacterSplitter(chunk_size=1000, chunk_overlap=100).split_text(text)
        ```
    """

    _unit = "characters"

    _shown = ("separators",)

    def __init__(
        self,
        chunk_size: int = 4000,
        chunk_overlap: int = 200,
        separators: Sequence[str] = ("\n\n", "\n", " ", ""),
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: CallbackManager | None = None,
        id_func: IdFunc | None = None,
    ) -> None:
        if isinstance(separators, str) or not all(isinstance(sep, str) for sep in separators):
            msg = "separators must be a list of str, e.g. ['\\n\\n', '\\n', ' ', '']"
            raise InvalidInputError(msg)
        levels: list[tuple[Cutter, bool]] = [(separator_cutter(sep), False) for sep in separators if sep]
        super().__init__(
            chunk_size,
            chunk_overlap,
            levels,
            tokenizer=len,
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
            id_func=id_func,
        )
        self.separators = list(separators)
        self._cut_separators = [sep for sep in separators if sep]

    def _spans_within(self, text: str, start: int, end: int, budget: int) -> list[tuple[int, int]]:
        # Sizes are lengths: cut positions come from str.split and chunks from bisection, no per-piece Python.
        return character_spans(text, start, end, budget, self.chunk_overlap, self._cut_separators)
