"""LlamaIndex's node-parser keywords ``TokenTextSplitter(keep_whitespaces=...)`` and
``SentenceSplitter(chunking_tokenizer_fn=...)``, taken as documented."""

from __future__ import annotations

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode

TEXT = "  Oak is hard.\n  Pine is soft and light.\n\n  Ash bends well without breaking.  \n"


def test_keep_whitespaces_defaults_to_stripped_chunks() -> None:
    splitter = TokenTextSplitter(chunk_size=20, chunk_overlap=0, tokenizer=len)
    assert splitter.keep_whitespaces is False
    chunks = splitter.split_text(TEXT)
    assert len(chunks) > 2
    assert all(chunk == chunk.strip() and chunk for chunk in chunks)


def test_keep_whitespaces_keeps_leading_and_trailing_whitespace() -> None:
    splitter = TokenTextSplitter(chunk_size=20, chunk_overlap=0, tokenizer=len, keep_whitespaces=True)
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
    splitter = TokenTextSplitter(chunk_size=4, chunk_overlap=0, tokenizer=len, keep_whitespaces=True)
    chunks = splitter.split_text("ab" + " " * 12 + "cd")
    assert all(chunk.strip() for chunk in chunks)
    assert "".join(chunks).replace(" ", "") == "abcd"


def test_keep_whitespaces_is_part_of_the_cache_key() -> None:
    cache = IngestionCache()
    doc = Document(text=TEXT, doc_id="wood")
    common = {"chunk_size": 20, "chunk_overlap": 0, "tokenizer": len}
    stripped = IngestionPipeline(transformations=[TokenTextSplitter(**common)], cache=cache).run(documents=[doc])
    kept = IngestionPipeline(
        transformations=[TokenTextSplitter(**common, keep_whitespaces=True)],
        cache=cache,
    ).run(documents=[doc])
    assert [n.get_content() for n in stripped] != [n.get_content() for n in kept]
    assert kept[0].get_content().startswith("  Oak")


def test_keep_whitespaces_must_be_a_bool() -> None:
    with pytest.raises(InvalidInputError, match="keep_whitespaces must be True or False"):
        TokenTextSplitter(keep_whitespaces="yes")  # type: ignore[arg-type]


def test_typo_names_keep_whitespaces() -> None:
    with pytest.raises(TypeError, match="did you mean 'keep_whitespaces'"):
        TokenTextSplitter(keep_whitespace=True)  # type: ignore[call-arg]
