"""Fuzz the splitters with empty, huge, binary and mixed-script text and odd settings: InvalidInputError for
bad settings, otherwise chunks that keep every documented guarantee (size, offsets, no lost text)."""

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.schema import Document
from dovetail.core.tokenizers import get_tokenizer
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

words = st.sampled_from(
    [
        "Dovetail",
        "joints.",
        "Pins",
        "and",
        "tails!",
        "Mr.",
        "Smith",
        "e.g.",
        "字",
        "。",
        "Привет",
        "مرحبا",
        "🙂",
        "\n\n",
    ]
)
texts = st.one_of(
    st.text(max_size=300),
    st.lists(words, max_size=120).map(" ".join),
    st.binary(max_size=300).map(lambda raw: raw.decode("utf-8", "replace")),
    st.sampled_from(["", " ", "\n\n\n", "a" * 5000, "字" * 3000, "x. " * 800, "\x00\x01\x02"]),
)
sizes = st.one_of(st.integers(min_value=1, max_value=200), st.integers(min_value=-3, max_value=0))
separators = st.one_of(st.sampled_from([" ", "\n", ",", "  "]), st.text(max_size=3))


def _check(text: str, nodes: list[Document], chunk_size: int) -> None:
    count = get_tokenizer()
    covered = [False] * len(text)
    for node in nodes:
        chunk = node.get_content()
        assert chunk
        assert chunk == chunk.strip()
        assert len(count(chunk)) <= chunk_size
        start, end = node.start_char_idx, node.end_char_idx
        assert start is not None
        assert end is not None
        assert text[start:end] == chunk
        covered[start:end] = [True] * (end - start)
    lost = [i for i, char in enumerate(text) if not char.isspace() and not covered[i]]
    assert not lost, f"text at {lost[:5]} is in no chunk"


def _split_checked(
    splitter_cls: type[SentenceSplitter | TokenTextSplitter], text: str, chunk_size: int, overlap: int, separator: str
) -> None:
    """Build the splitter (bad settings must raise InvalidInputError) and check every guarantee of its chunks."""
    try:
        splitter = splitter_cls(
            chunk_size=chunk_size, chunk_overlap=overlap, separator=separator, include_metadata=False
        )
    except InvalidInputError:
        return
    nodes = splitter.get_nodes_from_documents([Document(text=text)])
    _check(text, nodes, chunk_size)  # type: ignore[arg-type]
    if isinstance(splitter, SentenceSplitter):
        assert splitter.split_text(text) == [node.get_content() for node in nodes]


@given(text=texts, chunk_size=sizes, overlap=st.integers(min_value=-2, max_value=60), separator=separators)
def test_sentence_splitter(text: str, chunk_size: int, overlap: int, separator: str) -> None:
    _split_checked(SentenceSplitter, text, chunk_size, overlap, separator)


@given(text=texts, chunk_size=sizes, overlap=st.integers(min_value=-2, max_value=60), separator=separators)
def test_token_text_splitter(text: str, chunk_size: int, overlap: int, separator: str) -> None:
    _split_checked(TokenTextSplitter, text, chunk_size, overlap, separator)
