"""``SentenceWindowNodeParser``: one node per sentence, each carrying the window of sentences around it."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.callbacks import CallbackManager
from dovetail.core.node_parser._base import IdFunc
from dovetail.core.node_parser._base import TextSplitter
from dovetail.core.node_parser._sentence import SENTENCE_END_RE
from dovetail.core.node_parser._spans import regex_cutter
from dovetail.core.node_parser._spans import strip_span
from dovetail.core.schema import BaseNode

__all__ = ["SentenceWindowNodeParser"]

DEFAULT_WINDOW_METADATA_KEY = "window"
DEFAULT_OG_TEXT_METADATA_KEY = "original_text"

_split_sentences = regex_cutter(SENTENCE_END_RE)


class SentenceWindowNodeParser(TextSplitter):
    """Split text into sentences; each sentence is a node whose metadata holds the surrounding window.

    Retrieval then matches single sentences (sharp embeddings), and
    :class:`~dovetail.core.postprocessor.MetadataReplacementPostProcessor` swaps in the window so the LLM reads
    the context. The window and original-text keys are excluded from the embedding and the LLM metadata.

    Args:
        sentence_splitter: ``text -> list[str]`` to use instead of the built-in sentence regex; the sentences must
            appear in the text in order.
        window_size: sentences on each side of a sentence in its window.
        window_metadata_key: metadata key of the window text.
        original_text_metadata_key: metadata key of the sentence itself.
        include_metadata: copy the document's metadata into every node.
        include_prev_next_rel: PREVIOUS/NEXT relationships.
        callback_manager: receives ``NODE_PARSING``/``CHUNKING`` events.
        id_func: custom node ids.

    Example:
        ```python
        parser = SentenceWindowNodeParser.from_defaults(window_size=3)
        nodes = parser.get_nodes_from_documents([Document(text=text)])
        nodes[0].metadata["window"]
        ```
    """

    def __init__(
        self,
        sentence_splitter: Callable[[str], list[str]] | None = None,
        window_size: int = 3,
        window_metadata_key: str = DEFAULT_WINDOW_METADATA_KEY,
        original_text_metadata_key: str = DEFAULT_OG_TEXT_METADATA_KEY,
        *,
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
        if isinstance(window_size, bool) or not isinstance(window_size, int) or window_size < 0:
            msg = f"window_size must be an int >= 0, got {window_size!r}"
            raise InvalidInputError(msg)
        for name, key in (
            ("window_metadata_key", window_metadata_key),
            ("original_text_metadata_key", original_text_metadata_key),
        ):
            if not isinstance(key, str) or not key:
                msg = f"{name} must be a non-empty string, got {key!r}"
                raise InvalidInputError(msg)
        if sentence_splitter is not None and not callable(sentence_splitter):
            msg = "sentence_splitter must be a callable text -> list[str]"
            raise InvalidInputError(msg)
        self.sentence_splitter = sentence_splitter
        self.window_size = window_size
        self.window_metadata_key = window_metadata_key
        self.original_text_metadata_key = original_text_metadata_key

    def _id_key(self) -> str:
        return f"{self.class_name()}\x1f{self.window_size}"

    def _split_spans(self, text: str, metadata_str: str) -> list[tuple[int, int]]:
        if self.sentence_splitter is None:
            bounds = [0, *_split_sentences(text, 0, len(text)), len(text)]
            spans = [strip_span(text, start, end) for start, end in pairwise(bounds)]
            return [(start, end) for start, end in spans if start < end]
        spans = []
        cursor = 0
        for sentence in self.sentence_splitter(text):
            start = text.find(sentence, cursor)
            if start < 0:
                msg = "sentence_splitter returned a sentence that is not in the text (in order); return substrings"
                raise InvalidInputError(msg)
            start, end = strip_span(text, start, start + len(sentence))
            cursor = start + len(sentence)
            if start < end:
                spans.append((start, end))
        return spans

    def _build_nodes(self, parent: BaseNode, text: str, spans: list[tuple[int, int]]) -> list[BaseNode]:
        nodes = super()._build_nodes(parent, text, spans)
        sentences = [text[start:end] for start, end in spans]
        size = self.window_size
        hidden = (self.window_metadata_key, self.original_text_metadata_key)
        for position, node in enumerate(nodes):
            window = sentences[max(0, position - size) : position + size + 1]
            node.metadata[self.window_metadata_key] = " ".join(window)
            node.metadata[self.original_text_metadata_key] = sentences[position]
            for excluded in (node.excluded_embed_metadata_keys, node.excluded_llm_metadata_keys):
                excluded.extend(key for key in hidden if key not in excluded)
        return nodes
