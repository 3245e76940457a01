"""LlamaIndex's own ``indices/test_utils.py`` and ``indices/keyword_table/test_utils.py``, written again against
dovetail's import path. LlamaIndex's ``rake_extract_keywords`` test patches NLTK internals; dovetail offers no
RAKE extractor, so it has no counterpart."""

from __future__ import annotations

import pytest
from dovetail.core.errors import OutputParserError
from dovetail.core.indices.keyword_table.utils import extract_keywords_given_response
from dovetail.core.indices.utils import default_parse_choice_select_answer_fn
from dovetail.core.indices.utils import expand_tokens_with_subtokens


# ------------------------------------------------------------------ indices/test_utils.py
def test_expand_tokens_with_subtokens() -> None:
    keywords = expand_tokens_with_subtokens({"foo bar", "baz", "hello hello world bye"})
    assert keywords == {"foo bar", "foo", "bar", "baz", "hello hello world bye", "hello", "world", "bye"}


PARSE_CHOICE_LINES = [
    ' Doc: 2, Relevance: 8 (The document mentions taking a "tasty turn around Barcelona\'s Santa Caterina market" '
    "and listening to an episode about Barcelona.)\nDoc: 4, Relevance: 6 (The document mentions Ferramenta in "
    "Barcelona and recommends cocktails and pasta dishes that can be tried there.)",
    "Doc: 2, Relevance: 8\nDoc: 4, Relevance: 6",
    "answer_num: 2, answer_relevance:8\nanswer_num: 4, answer_relevance:6",
]


@pytest.mark.parametrize("answer", PARSE_CHOICE_LINES)
def test_default_parse_choice_select_answer_fn(answer: str) -> None:
    assert default_parse_choice_select_answer_fn(answer, 5) == ([2, 4], [8, 6])


def test_default_parse_choice_select_answer_fn_unparseable_relevance() -> None:
    answer = "Doc: 1, Relevance: 9\nDoc: 2, Relevance: high\nDoc: 3, Relevance: 7"
    numbers, relevances = default_parse_choice_select_answer_fn(answer, 5)
    assert numbers == [1, 3]
    assert relevances == [9, 7]


def test_default_parse_choice_select_answer_fn_drops_numbers_past_the_batch_and_can_raise() -> None:
    assert default_parse_choice_select_answer_fn("Doc: 7, Relevance: 9\nDoc: 2, Relevance: 3", 5) == ([2], [3])
    with pytest.raises(OutputParserError, match="Doc: 2, Relevance: 8"):
        default_parse_choice_select_answer_fn("Doc: 2, Relevance: high", 5, raise_error=True)


# ------------------------------------------------------------------ indices/keyword_table/test_utils.py
def test_extract_keywords_given_response() -> None:
    keywords = extract_keywords_given_response("foo bar, baz, Hello hello wOrld bye")
    assert keywords == {"foo bar", "foo", "bar", "baz", "hello hello world bye", "hello", "world", "bye"}


def test_extract_keywords_with_start_delimiter() -> None:
    assert extract_keywords_given_response("KEYWORDS: foo, bar, foobar", start_token="KEYWORDS:") == {
        "foo",
        "bar",
        "foobar",
    }
    assert extract_keywords_given_response("TOKENS: foo, bar, foobar", start_token="TOKENS:") == {
        "foo",
        "bar",
        "foobar",
    }
