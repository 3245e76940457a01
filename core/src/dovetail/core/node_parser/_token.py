"""``TokenTextSplitter``: chunks of at most ``chunk_size`` tokens cut at word boundaries (no sentence logic)."""

from __future__ import annotations

from collections.abc import Sequence

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.callbacks import CallbackManager
from dovetail.core.node_parser._base import IdFunc
from dovetail.core.node_parser._budget import BudgetSplitter
from dovetail.core.node_parser._spans import Cutter
from dovetail.core.node_parser._spans import separator_cutter
from dovetail.core.tokenizers import Tokenizer

__all__ = ["TokenTextSplitter"]


class TokenTextSplitter(BudgetSplitter):
    """Split text into chunks of at most ``chunk_size`` tokens at ``separator``, then ``backup_separators``,
    then characters, with ``chunk_overlap`` tokens repeated between consecutive chunks.

    Same guarantees as :class:`~dovetail.core.node_parser.SentenceSplitter` (size, offsets, metadata budget).

    Args:
        chunk_size: maximum tokens per chunk (> 0).
        chunk_overlap: tokens repeated between chunks (``< chunk_size``).
        separator: the preferred cut (default a space).
        backup_separators: cuts tried, in order, where a word run is still over budget.
        tokenizer: ``str -> sequence`` (default: :func:`dovetail.core.tokenizers.get_tokenizer`).
        keep_whitespaces: keep each chunk's leading and trailing whitespace (default ``False``: chunks are
            stripped, as in LlamaIndex); offsets still index the source exactly, and a chunk of only
            whitespace is dropped either way.
        include_metadata, include_prev_next_rel, callback_manager, id_func: as for every node parser.

    Example:
        ```python
        chunks = TokenTextSplitter(chunk_size=64, chunk_overlap=8).split_text(text)
        ```
    """

    _shown = ("separator", "backup_separators")

    def __init__(
        self,
        chunk_size: int = 1024,
        chunk_overlap: int = 20,
        separator: str = " ",
        backup_separators: Sequence[str] = ("\n",),
        tokenizer: Tokenizer | None = None,
        include_metadata: bool = True,
        include_prev_next_rel: bool = True,
        callback_manager: CallbackManager | None = None,
        id_func: IdFunc | None = None,
        keep_whitespaces: bool = False,
    ) -> None:
        if not isinstance(keep_whitespaces, bool):
            msg = f"keep_whitespaces must be True or False, got {keep_whitespaces!r}"
            raise InvalidInputError(msg)
        if isinstance(backup_separators, str) or not all(isinstance(sep, str) for sep in backup_separators):
            msg = "backup_separators must be a list of str, e.g. ['\\n']"
            raise InvalidInputError(msg)
        if not isinstance(separator, str):
            msg = f"separator must be a str, got {type(separator).__name__}"
            raise InvalidInputError(msg)
        levels: list[tuple[Cutter, bool]] = [(separator_cutter(sep), False) for sep in (separator, *backup_separators)]
        super().__init__(
            chunk_size,
            chunk_overlap,
            levels,
            tokenizer=tokenizer,
            include_metadata=include_metadata,
            include_prev_next_rel=include_prev_next_rel,
            callback_manager=callback_manager,
            id_func=id_func,
        )
        self.separator = separator
        self.backup_separators = list(backup_separators)
        self.keep_whitespaces = keep_whitespaces
