"""TokenTextSplitter, RecursiveCharacterSplitter and the span engine's merge rule."""

from __future__ import annotations

import itertools
import random

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.node_parser import RecursiveCharacterSplitter
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.node_parser._spans import merge_pieces
from dovetail.core.schema import Document
from dovetail.core.tokenizers import default_tokenizer

from .conftest import assert_offsets_and_coverage
from .conftest import random_text


@pytest.mark.parametrize(("chunk_size", "chunk_overlap"), [(1024, 20), (64, 8), (7, 3)])
def test_token_splitter_budget_and_offsets(docstring_text: str, chunk_size: int, chunk_overlap: int) -> None:
    text = docstring_text[:50_000]
    nodes = TokenTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap).get_nodes_from_documents(
        [Document(text=text)]
    )
    assert max(len(default_tokenizer(node.get_content())) for node in nodes) <= chunk_size
    assert_offsets_and_coverage(text, nodes)


def test_token_splitter_cuts_at_words_and_overlaps() -> None:
    words = [f"w{i}" for i in range(300)]
    chunks = TokenTextSplitter(chunk_size=20, chunk_overlap=6).split_text(" ".join(words))
    for chunk in chunks:
        assert all(part in words for part in chunk.split())  # never cut inside a word
    for previous, current in itertools.pairwise(chunks):
        assert previous.split()[-1] in current.split()[:6]  # the tail of one chunk starts the next


def test_token_splitter_backup_separators() -> None:
    text = "\n".join("x" * 30 for _ in range(20))  # no spaces at all: the newline backup separator is used
    chunks = TokenTextSplitter(chunk_size=10, chunk_overlap=0, backup_separators=["\n"]).split_text(text)
    assert all(chunk.strip("\n").replace("\n", "") == chunk.replace("\n", "") for chunk in chunks)
    assert all(set(line) == {"x"} and len(line) == 30 for chunk in chunks for line in chunk.split("\n"))


@pytest.mark.parametrize("kwargs", [{"chunk_size": 0}, {"chunk_overlap": 2000}, {"backup_separators": "\n"}])
def test_token_splitter_bad_settings(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInputError):
        TokenTextSplitter(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(6))
def test_character_splitter_fuzz(seed: int) -> None:
    rng = random.Random(seed)
    text = random_text(rng, 2000)
    size = rng.choice([50, 400, 4000])
    nodes = RecursiveCharacterSplitter(chunk_size=size, chunk_overlap=size // 10).get_nodes_from_documents(
        [Document(text=text)]
    )
    assert max(len(node.get_content()) for node in nodes) <= size
    assert_offsets_and_coverage(text, nodes)


def test_character_splitter_prefers_paragraphs_then_lines() -> None:
    paragraphs = ["\n".join(f"line {p}.{i} " + "word " * 8 for i in range(5)) for p in range(6)]
    text = "\n\n".join(paragraphs)
    longest = max(len(p) for p in paragraphs) + 2  # a piece carries its trailing separator
    assert RecursiveCharacterSplitter(chunk_size=longest, chunk_overlap=0).split_text(text) == [
        p.strip() for p in paragraphs
    ]
    lines = RecursiveCharacterSplitter(chunk_size=60, chunk_overlap=0).split_text(paragraphs[0])
    assert lines == [line.strip() for line in paragraphs[0].split("\n")]


def test_character_splitter_metadata_counts_characters() -> None:
    doc = Document(text="abc " * 500, metadata={"k": "v" * 40})
    nodes = RecursiveCharacterSplitter(chunk_size=100, chunk_overlap=0).get_nodes_from_documents([doc])
    assert all(len(node.get_content("embed")) <= 100 for node in nodes)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="characters"):
        RecursiveCharacterSplitter(chunk_size=40, chunk_overlap=0).get_nodes_from_documents([doc])
    with pytest.raises(InvalidInputError):
        RecursiveCharacterSplitter(separators=[1, 2])  # type: ignore[list-item]


def _pieces(*sizes: int) -> list[tuple[int, int, int, bool]]:
    out, start = [], 0
    for size in sizes:
        out.append((start, start + 10, size, True))
        start += 10
    return out


@pytest.mark.parametrize(
    ("sizes", "budget", "overlap", "expected"),
    [
        ((3, 3, 3), 10, 0, [(0, 30, 9)]),
        ((5, 5, 5), 10, 0, [(0, 20, 10), (20, 30, 5)]),
        ((4, 4, 4, 4), 10, 4, [(0, 20, 8), (10, 30, 8), (20, 40, 8)]),
        # overlap 6 + next piece 6 > 10: the carried piece is dropped instead of overflowing
        ((6, 6, 6), 10, 6, [(0, 10, 6), (10, 20, 6), (20, 30, 6)]),
        ((2, 2, 2, 9), 10, 4, [(0, 30, 6), (30, 40, 9)]),
        ((), 10, 0, []),
    ],
)
def test_merge_rule(sizes: tuple[int, ...], budget: int, overlap: int, expected: list[tuple[int, int, int]]) -> None:
    assert merge_pieces(_pieces(*sizes), budget, overlap) == expected


@pytest.mark.parametrize("seed", range(8))
def test_token_splitter_fuzz(seed: int) -> None:
    rng = random.Random(seed)
    text = random_text(rng, 1500).replace("\n    ", rng.choice(["\n\t\t", "\n    ", "\n \t "]))
    size = rng.choice([3, 10, 50])
    nodes = TokenTextSplitter(chunk_size=size, chunk_overlap=rng.randint(0, size - 1)).get_nodes_from_documents(
        [Document(text=text)]
    )
    assert max(len(default_tokenizer(node.get_content())) for node in nodes) <= size
    assert_offsets_and_coverage(text, nodes)


def _sequential_merge(sizes: list[int], budget: int, overlap: int) -> list[tuple[int, int]]:
    """Reference: the greedy rule written the obvious way, piece by piece (indexes of first/last+1 piece)."""
    chunks: list[tuple[int, int]] = []
    window: list[int] = []  # piece indexes
    for index, size in enumerate(sizes):
        total = sum(sizes[i] for i in window)
        if window and total + size > budget:
            chunks.append((window[0], window[-1] + 1))
            carried: list[int] = []
            for i in reversed(window):
                if sum(sizes[j] for j in carried) + sizes[i] > overlap:
                    break
                carried.insert(0, i)
            window = carried
            while window and sum(sizes[i] for i in window) + size > budget:
                window.pop(0)
        window.append(index)
    if window:
        chunks.append((window[0], window[-1] + 1))
    return chunks


@pytest.mark.parametrize("seed", range(30))
def test_merge_matches_the_sequential_rule(seed: int) -> None:
    rng = random.Random(seed)
    budget = rng.randint(1, 40)
    overlap = rng.randint(0, budget - 1)
    sizes = [rng.choice([0, 0, 1, 2, 3, 5, 8, budget]) for _ in range(rng.randint(1, 200))]
    pieces = [(10 * i, 10 * i + 10, size, True) for i, size in enumerate(sizes)]
    expected = [(10 * a, 10 * b, sum(sizes[a:b])) for a, b in _sequential_merge(sizes, budget, overlap)]
    assert merge_pieces(pieces, budget, overlap) == expected
