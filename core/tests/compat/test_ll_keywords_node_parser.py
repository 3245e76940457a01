"""LlamaIndex's node-parser keywords ``TokenTextSplitter(keep_whitespaces=...)`` and
``SentenceSplitter(chunking_tokenizer_fn=...)``, taken as documented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode

TEXT = "  Oak is hard.\n  Pine is soft and light.\n\n  Ash bends well without breaking.  \n"


def test_keep_whitespaces_defaults_to_stripped_chunks() -> None:
    splitter = TokenTextSplitter(chunk_size=20, chunk_overlap=0, tokenizer=list)
    assert splitter.keep_whitespaces is False
    chunks = splitter.split_text(TEXT)
    assert len(chunks) > 2
    assert all(chunk == chunk.strip() and chunk for chunk in chunks)


def test_keep_whitespaces_keeps_leading_and_trailing_whitespace() -> None:
    splitter = TokenTextSplitter(chunk_size=20, chunk_overlap=0, tokenizer=list, keep_whitespaces=True)
    chunks = splitter.split_text(TEXT)
    assert len(chunks) > 2
    assert chunks[0].startswith("  Oak")
    assert any(chunk != chunk.strip() for chunk in chunks[1:])
    assert "".join(chunks) == TEXT  # no overlap: the chunks tile the text, whitespace included
    assert all(len(chunk) <= 20 for chunk in chunks)


def test_keep_whitespaces_offsets_index_the_source() -> None:
    splitter = TokenTextSplitter(chunk_size=24, chunk_overlap=6, keep_whitespaces=True)
    nodes = splitter.get_nodes_from_documents([Document(text=TEXT * 3, doc_id="wood")])
    assert len(nodes) > 1
    for node in nodes:
        assert isinstance(node, TextNode)
        assert node.start_char_idx is not None
        assert node.end_char_idx is not None
        assert (TEXT * 3)[node.start_char_idx : node.end_char_idx] == node.text
        assert node.text.strip()


def test_keep_whitespaces_drops_chunks_of_only_whitespace() -> None:
    splitter = TokenTextSplitter(chunk_size=4, chunk_overlap=0, tokenizer=list, keep_whitespaces=True)
    chunks = splitter.split_text("ab" + " " * 12 + "cd")
    assert all(chunk.strip() for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == "abcd"


def test_keep_whitespaces_is_part_of_the_cache_key() -> None:
    cache = IngestionCache()
    doc = Document(text=TEXT, doc_id="wood")
    common: dict[str, Any] = {"chunk_size": 20, "chunk_overlap": 0, "tokenizer": list}
    stripped = IngestionPipeline(transformations=[TokenTextSplitter(**common)], cache=cache).run(documents=[doc])
    kept = IngestionPipeline(
        transformations=[TokenTextSplitter(**common, keep_whitespaces=True)],
        cache=cache,
    ).run(documents=[doc])
    assert [n.get_content() for n in stripped] != [n.get_content() for n in kept]
    assert kept[0].get_content().startswith("  Oak")


def test_keep_whitespaces_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match="keep_whitespaces must be True or False"):
        TokenTextSplitter(keep_whitespaces="yes")  # type: ignore[arg-type]  # a str on purpose


def test_typo_names_keep_whitespaces() -> None:
    with pytest.raises(TypeError, match="did you mean 'keep_whitespaces'"):
        TokenTextSplitter(keep_whitespace=True)  # type: ignore[call-arg]  # misspelt on purpose


PROSE = "oak is hard and dark | pine is soft | ash bends well without any breaking | elm splits"
SENTENCES = ["oak is hard and dark |", "pine is soft |", "ash bends well without any breaking |", "elm splits"]


def _by_bar(text: str) -> list[str]:
    """Sentences end at " | " (the spaces around the bar are dropped, as a quick user splitter would)."""
    return [piece + " |" for piece in text.split(" | ")[:-1]] + text.split(" | ")[-1:]


def _by_and(text: str) -> list[str]:
    return text.split(" and ")


def test_chunking_tokenizer_fn_decides_the_sentences() -> None:
    calls: list[str] = []

    def by_bar(text: str) -> list[str]:
        calls.append(text)
        return _by_bar(text)

    splitter = SentenceSplitter(chunk_size=8, chunk_overlap=0, chunking_tokenizer_fn=by_bar)
    assert splitter.chunking_tokenizer_fn is by_bar
    assert splitter.split_text(PROSE) == SENTENCES
    assert calls == [PROSE]
    # the built-in sentence regex finds no sentence here: chunks are cut between words instead
    assert SentenceSplitter(chunk_size=8, chunk_overlap=0).split_text(PROSE) != SENTENCES


def test_chunking_tokenizer_fn_keeps_offsets_exact_when_it_drops_separators() -> None:
    splitter = SentenceSplitter(chunk_size=8, chunk_overlap=0, chunking_tokenizer_fn=lambda t: t.split(" | "))
    nodes = splitter.get_nodes_from_documents([Document(text=PROSE, doc_id="wood")])
    assert [node.get_content() for node in nodes] == SENTENCES  # the dropped " |" stays with its sentence
    for node in nodes:
        assert isinstance(node, TextNode)
        assert node.start_char_idx is not None
        assert node.end_char_idx is not None
        assert PROSE[node.start_char_idx : node.end_char_idx] == node.text


def test_chunking_tokenizer_fn_that_rewrites_text_is_refused() -> None:
    splitter = SentenceSplitter(chunk_size=6, chunk_overlap=0, chunking_tokenizer_fn=lambda text: [text.upper()])
    with pytest.raises(InvalidInputError, match=r"chunking_tokenizer_fn returned .* not in the text"):
        splitter.split_text(PROSE)


def test_chunking_tokenizer_fn_must_return_a_list_of_str() -> None:
    splitter = SentenceSplitter(chunk_size=6, chunk_overlap=0, chunking_tokenizer_fn=lambda text: text)
    with pytest.raises(InvalidInputError, match="must return a list of str"):
        splitter.split_text(PROSE)


def test_chunking_tokenizer_fn_must_be_callable() -> None:
    with pytest.raises(InvalidInputError, match="chunking_tokenizer_fn must be a function"):
        SentenceSplitter(chunking_tokenizer_fn="nltk")  # type: ignore[arg-type]  # a str on purpose


def test_chunking_tokenizer_fn_is_part_of_the_cache_key() -> None:
    cache = IngestionCache()
    doc = Document(text=PROSE, doc_id="wood")

    def run(fn: Callable[[str], list[str]] | None) -> list[str]:
        splitter = SentenceSplitter(chunk_size=8, chunk_overlap=0, chunking_tokenizer_fn=fn)
        return [
            n.get_content() for n in IngestionPipeline(transformations=[splitter], cache=cache).run(documents=[doc])
        ]

    assert run(_by_bar) == SENTENCES
    assert run(_by_and) != SENTENCES  # not the cached output of the other function


def test_from_defaults_takes_chunking_tokenizer_fn() -> None:
    splitter = SentenceSplitter.from_defaults(chunk_size=6, chunk_overlap=0, chunking_tokenizer_fn=_by_bar)
    assert splitter.chunking_tokenizer_fn is _by_bar


def test_typo_names_chunking_tokenizer_fn() -> None:
    with pytest.raises(TypeError, match="did you mean 'chunking_tokenizer_fn'"):
        SentenceSplitter(chunking_tokenizer=_by_bar)  # type: ignore[call-arg]  # misspelt on purpose
