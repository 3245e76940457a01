"""Tokenising for BM25: languages (stop words + Snowball stemmer) and the query/corpus tokenizer."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import bm25s.stopwords as bm25s_stopwords
from dovetail.core.errors import InvalidInputError

__all__ = ["DEFAULT_TOKEN_PATTERN", "LANGUAGES", "Analyzer", "resolve_language"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"

# ISO 639-1 code → (Snowball algorithm of PyStemmer, bm25s stop-word list)
LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("english", tuple(bm25s_stopwords.STOPWORDS_EN)),
    "de": ("german", tuple(bm25s_stopwords.STOPWORDS_GERMAN)),
    "fr": ("french", tuple(bm25s_stopwords.STOPWORDS_FRENCH)),
    "es": ("spanish", tuple(bm25s_stopwords.STOPWORDS_SPANISH)),
    "pt": ("portuguese", tuple(bm25s_stopwords.STOPWORDS_PORTUGUESE)),
    "it": ("italian", tuple(bm25s_stopwords.STOPWORDS_ITALIAN)),
    "nl": ("dutch", tuple(bm25s_stopwords.STOPWORDS_DUTCH)),
    "ru": ("russian", tuple(bm25s_stopwords.STOPWORDS_RUSSIAN)),
    "sv": ("swedish", tuple(bm25s_stopwords.STOPWORDS_SWEDISH)),
    "no": ("norwegian", tuple(bm25s_stopwords.STOPWORDS_NORWEGIAN)),
    "da": ("danish", tuple(bm25s_stopwords.STOPWORDS_DANISH)),
    "tr": ("turkish", tuple(bm25s_stopwords.STOPWORDS_TURKISH)),
}
_NAMES = {algorithm: code for code, (algorithm, _) in LANGUAGES.items()}


def resolve_language(language: str) -> str:
    """The ISO code for ``language`` (``"en"`` or ``"english"``).

    Raises:
        InvalidInputError: a language without stop words and stemmer here.
    """
    if isinstance(language, str):
        code = language.strip().lower()
        code = _NAMES.get(code, code)
        if code in LANGUAGES:
            return code
    known = ", ".join(f"{code} ({name})" for code, (name, _) in LANGUAGES.items())
    msg = f"unsupported language {language!r}; use one of {known}, or skip_stemming=True with language='en'"
    raise InvalidInputError(msg)


Stemmer = Callable[[list[str]], list[str]]


def default_stemmer(language: str) -> Any:
    """PyStemmer's Snowball stemmer for an ISO code."""
    import Stemmer as pystemmer  # PyStemmer

    return pystemmer.Stemmer(LANGUAGES[language][0])


@dataclass(frozen=True)
class Analyzer:
    """Lower-cases, splits by ``token_pattern``, drops stop words, stems (unless ``stemmer`` is ``None``)."""

    language: str
    stemmer: Any
    token_pattern: str = DEFAULT_TOKEN_PATTERN

    def _stopwords(self) -> list[str]:
        return list(LANGUAGES[self.language][1])

    def corpus(self, texts: Sequence[str]) -> Any:
        """Token ids and vocabulary for indexing."""
        return bm25s.tokenize(
            list(texts),
            token_pattern=self.token_pattern,
            stopwords=self._stopwords(),
            stemmer=self.stemmer,
            show_progress=False,
        )

    def query(self, text: str) -> list[str]:
        """The query's tokens (strings, matched against the index vocabulary)."""
        tokens: list[list[str]] = bm25s.tokenize(
            [text],
            token_pattern=self.token_pattern,
            stopwords=self._stopwords(),
            stemmer=self.stemmer,
            return_ids=False,
            show_progress=False,
        )
        return tokens[0]
