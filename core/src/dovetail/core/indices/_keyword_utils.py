"""Keyword helpers of LlamaIndex's ``indices.utils`` and ``indices.keyword_table.utils``."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dovetail.core.indices._keyword_table import STOPWORDS

__all__ = ["expand_tokens_with_subtokens", "extract_keywords_given_response"]

_WORD = re.compile(r"\w+")


def expand_tokens_with_subtokens(tokens: Iterable[str]) -> set[str]:
    """``tokens`` plus the words of each multi-word token (stopwords among those words left out).

    Example:
        ```python
        assert expand_tokens_with_subtokens({"foo bar"}) == {"foo bar", "foo", "bar"}
        ```
    """
    expanded: set[str] = set()
    for token in tokens:
        expanded.add(token)
        words = _WORD.findall(token)
        if len(words) > 1:
            expanded.update(word for word in words if word not in STOPWORDS)
    return expanded


def extract_keywords_given_response(response: str, lowercase: bool = True, start_token: str = "") -> set[str]:
    """The comma-separated keywords of an LLM's ``response`` (after ``start_token`` when the response starts with
    it), lower-cased unless ``lowercase`` is false, with the words of multi-word keywords added.

    Example:
        ```python
        assert extract_keywords_given_response("KEYWORDS: oak, pine", start_token="KEYWORDS:") == {"oak", "pine"}
        ```
    """
    text = response.strip()
    if start_token and text.startswith(start_token):
        text = text[len(start_token) :]
    keywords = {part.strip() for part in text.split(",") if part.strip()}
    if lowercase:
        keywords = {keyword.lower() for keyword in keywords}
    return expand_tokens_with_subtokens(keywords)
