"""SentenceSplitter: budgets, boundaries, offsets, metadata, relationships, ids, events and bad input."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.errors import InvalidInputError
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.node_parser import TokenTextSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import ImageNode
from dovetail.core.schema import IndexNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import TextNode
from dovetail.core.tokenizers import default_tokenizer
from dovetail.core.tokenizers import get_tokenizer

from .conftest import assert_offsets_and_coverage
from .conftest import random_text


def ntok(text: str) -> int:
    return len(default_tokenizer(text))


def test_short_text_is_one_stripped_chunk() -> None:
    assert SentenceSplitter().split_text("  Hello there.  \n") == ["Hello there."]
    assert SentenceSplitter().split_text("") == []
    assert SentenceSplitter().split_text(" \n\n \t ") == []


@pytest.mark.parametrize(("chunk_size", "chunk_overlap"), [(1024, 200), (256, 32), (64, 0), (40, 39), (8, 2)])
def test_chunks_never_exceed_chunk_size_on_real_text(docstring_text: str, chunk_size: int, chunk_overlap: int) -> None:
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap, include_metadata=False)
    nodes = splitter.get_nodes_from_documents([Document(text=docstring_text)])
    assert len(nodes) >= len(docstring_text) // (chunk_size * 12)
    assert max(ntok(node.get_content()) for node in nodes) <= chunk_size
    assert_offsets_and_coverage(docstring_text, nodes)


@pytest.mark.parametrize("seed", range(12))
def test_random_text_fuzz(seed: int) -> None:
    rng = random.Random(seed)
    text = random_text(rng, rng.randint(50, 3000))
    chunk_size = rng.choice([5, 16, 64, 300])
    overlap = rng.randint(0, chunk_size - 1)
    nodes = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=overlap).get_nodes_from_documents(
        [Document(text=text)]
    )
    assert all(ntok(node.get_content()) <= chunk_size for node in nodes)
    assert_offsets_and_coverage(text, nodes)


def test_exact_tiktoken_budget(docstring_text: str) -> None:
    cl100k = get_tokenizer("cl100k_base")
    splitter = SentenceSplitter(chunk_size=128, chunk_overlap=16, tokenizer=cl100k)
    nodes = splitter.get_nodes_from_documents([Document(text=docstring_text[:40_000])])
    assert max(len(cl100k(node.get_content())) for node in nodes) <= 128
    assert max(len(cl100k(node.get_content())) for node in nodes) >= 100  # chunks are filled, not tiny
    assert_offsets_and_coverage(docstring_text[:40_000], nodes)


def test_non_additive_tokenizer_is_enforced_by_recount() -> None:
    """A tokenizer whose count of a whole is more than the sum of its parts (one extra token per 20 words)
    forces the re-count path; no chunk may exceed the budget by its own count."""

    def lumpy(text: str) -> list[int]:
        words = len(text.split())
        return [0] * (words + words // 20)

    text = " ".join(f"Sentence number {i} is here." for i in range(400))
    chunks = SentenceSplitter(chunk_size=50, chunk_overlap=5, tokenizer=lumpy).split_text(text)
    assert chunks
    assert max(len(lumpy(chunk)) for chunk in chunks) <= 50
    joined = " ".join(chunks)
    assert all(f"Sentence number {i} is here." in joined for i in range(400))


def test_paragraphs_then_sentences_are_kept_whole() -> None:
    paragraphs = [" ".join(f"Paragraph {p} sentence {s} ends here." for s in range(6)) for p in range(5)]
    text = "\n\n\n".join(paragraphs)
    size = ntok(paragraphs[0]) + 2
    chunks = SentenceSplitter(chunk_size=size, chunk_overlap=0).split_text(text)
    assert chunks == paragraphs  # each paragraph fits: no paragraph is cut, none are merged

    sentences = [f"Sentence {s} ends here." for s in range(40)]
    chunks = SentenceSplitter(chunk_size=30, chunk_overlap=0).split_text(" ".join(sentences))
    for chunk in chunks:  # each chunk is a run of whole sentences
        assert chunk.startswith("Sentence")
        assert chunk.endswith("here.")
    assert " ".join(chunks) == " ".join(sentences)


def test_overlap_repeats_trailing_sentences_within_budget() -> None:
    sentences = [f"Sentence {s} ends here." for s in range(60)]
    splitter = SentenceSplitter(chunk_size=40, chunk_overlap=12)
    nodes = splitter.get_nodes_from_documents([Document(text=" ".join(sentences))])
    for previous, current in itertools.pairwise(nodes):
        assert isinstance(previous, TextNode)
        assert isinstance(current, TextNode)
        assert previous.end_char_idx is not None
        assert current.start_char_idx is not None
        shared = previous.end_char_idx - current.start_char_idx
        assert shared > 0, "consecutive chunks overlap"
        assert ntok(current.get_content()[:shared]) <= 12
        assert ntok(current.get_content()) <= 40


def test_overlap_never_pushes_a_chunk_over_budget() -> None:
    # Pieces of 6 tokens, overlap 6, budget 10: LlamaIndex's greedy rule overflows to 12 here.
    text = " ".join(["Alpha beta gamma delta epsilon zeta."] * 10)
    chunks = SentenceSplitter(chunk_size=10, chunk_overlap=6).split_text(text)
    assert max(ntok(chunk) for chunk in chunks) <= 10


def test_sentence_boundaries_skip_abbreviations_and_lowercase_continuations() -> None:
    text = (
        "Mr. Smith met Dr. Jones at 3.30 p.m. in the lab. They used e.g. Python and J. R. Tolkien's maps. "
        "Then they left! Did they return? Yes."
    )
    words_per_chunk = SentenceSplitter(chunk_size=20, chunk_overlap=0).split_text(text)
    assert words_per_chunk[0].startswith("Mr. Smith met Dr. Jones at 3.30 p.m. in the lab.")
    assert all(not chunk.startswith(("Smith", "Jones", "Python", "R.", "Tolkien")) for chunk in words_per_chunk)


def test_cjk_sentences_split_without_spaces() -> None:
    text = "自然语言处理使计算机能够理解人类语言。" * 30
    chunks = SentenceSplitter(chunk_size=40, chunk_overlap=0).split_text(text)
    assert len(chunks) > 1
    assert all(chunk.endswith("。") for chunk in chunks)
    assert "".join(chunks) == text


def test_a_giant_word_is_cut_by_characters() -> None:
    text = "start " + "x" * 50_000 + " end"
    splitter = SentenceSplitter(chunk_size=100, chunk_overlap=10)
    nodes = splitter.get_nodes_from_documents([Document(text=text)])
    assert max(ntok(node.get_content()) for node in nodes) <= 100
    assert_offsets_and_coverage(text, nodes)


def test_metadata_is_budgeted_copied_and_can_be_excluded() -> None:
    metadata = {"file_name": "joinery_handbook_chapter_three.txt", "author": "A. Carpenter", "year": 1998}
    doc = Document(text=" ".join(["Cut the tails first, then mark the pins."] * 200), metadata=metadata)
    splitter = SentenceSplitter(chunk_size=64, chunk_overlap=8)
    nodes = splitter.get_nodes_from_documents([doc])
    for node in nodes:
        assert node.metadata == metadata
        assert node.metadata is not doc.metadata
        assert ntok(node.get_content(MetadataMode.EMBED)) <= 64
        assert ntok(node.get_content(MetadataMode.LLM)) <= 64
    assert max(ntok(node.get_content()) for node in nodes) <= 64 - ntok(doc.get_metadata_str(MetadataMode.ALL))

    bare = SentenceSplitter(chunk_size=64, chunk_overlap=8, include_metadata=False).get_nodes_from_documents([doc])
    assert all(node.metadata == {} for node in bare)
    assert max(ntok(node.get_content()) for node in bare) > max(ntok(node.get_content()) for node in nodes)

    doc.excluded_embed_metadata_keys = ["file_name", "author", "year"]
    doc.excluded_llm_metadata_keys = ["file_name"]
    nodes = splitter.get_nodes_from_documents([doc])  # the LLM-mode metadata is the longer one now
    assert all(ntok(node.get_content(MetadataMode.LLM)) <= 64 for node in nodes)
    assert nodes[0].excluded_embed_metadata_keys == ["file_name", "author", "year"]


def test_metadata_longer_than_chunk_size_is_an_error() -> None:
    doc = Document(text="Short text.", metadata={"summary": "word " * 100})
    with pytest.raises(InvalidInputError, match=r"metadata is .* tokens"):
        SentenceSplitter(chunk_size=50, chunk_overlap=0).get_nodes_from_documents([doc])
    assert SentenceSplitter(chunk_size=50, chunk_overlap=0, include_metadata=False).get_nodes_from_documents([doc])


def test_relationships_offsets_and_ids() -> None:
    text = " ".join(f"Sentence {i} is about joints." for i in range(100))
    doc = Document(text=text, id_="doc-1")
    splitter = SentenceSplitter(chunk_size=30, chunk_overlap=5)
    nodes = splitter.get_nodes_from_documents([doc])
    assert len(nodes) > 3
    for index, node in enumerate(nodes):
        assert type(node) is TextNode
        assert node.ref_doc_id == "doc-1"
        assert (node.prev_node is None) == (index == 0)
        assert (node.next_node is None) == (index == len(nodes) - 1)
        if index:
            assert node.prev_node.node_id == nodes[index - 1].node_id  # type: ignore[union-attr]
            assert node.prev_node.hash == nodes[index - 1].hash  # type: ignore[union-attr]
            assert nodes[index - 1].next_node.node_id == node.node_id  # type: ignore[union-attr]

    again = splitter.get_nodes_from_documents([Document(text=text, id_="doc-1")])
    assert [n.node_id for n in again] == [n.node_id for n in nodes]  # re-ingestion is stable
    other_size = SentenceSplitter(chunk_size=31, chunk_overlap=5).get_nodes_from_documents([doc])
    assert not {n.node_id for n in other_size} & {n.node_id for n in nodes}
    other_doc = splitter.get_nodes_from_documents([Document(text=text, id_="doc-2")])
    assert not {n.node_id for n in other_doc} & {n.node_id for n in nodes}
    assert len({n.node_id for n in nodes}) == len(nodes)

    custom = SentenceSplitter(chunk_size=30, chunk_overlap=5, id_func=lambda i, d: f"{d.node_id}#{i}")
    assert [n.node_id for n in custom.get_nodes_from_documents([doc])][:2] == ["doc-1#0", "doc-1#1"]

    unlinked = SentenceSplitter(chunk_size=30, chunk_overlap=5, include_prev_next_rel=False)
    assert all(set(n.relationships) == {NodeRelationship.SOURCE} for n in unlinked.get_nodes_from_documents([doc]))


def test_splitting_chunks_again_keeps_the_document_as_source_and_offsets() -> None:
    text = " ".join(f"Sentence {i} is about joints." for i in range(200))
    doc = Document(text=text, id_="book")
    coarse = SentenceSplitter(chunk_size=200, chunk_overlap=0).get_nodes_from_documents([doc])
    fine = SentenceSplitter(chunk_size=20, chunk_overlap=0).get_nodes_from_documents(coarse)
    assert len(fine) > len(coarse)
    assert {node.ref_doc_id for node in fine} == {"book"}
    assert_offsets_and_coverage(text, fine)
    # previous/next links run across the coarse chunks of one document
    assert sum(node.prev_node is None for node in fine) == 1


def test_several_documents_are_linked_only_within_each() -> None:
    docs = [Document(text=" ".join([f"Doc {d} says hello."] * 50), id_=f"d{d}") for d in range(3)]
    nodes = SentenceSplitter(chunk_size=20, chunk_overlap=0).get_nodes_from_documents(docs)
    firsts = [node for node in nodes if node.prev_node is None]
    assert [node.ref_doc_id for node in firsts] == ["d0", "d1", "d2"]


def test_image_and_index_nodes_keep_their_type() -> None:
    image = ImageNode(text="A photo. " * 100, image_url="http://127.0.0.1/x.png")
    index = IndexNode(text="An index. " * 100, index_id="sub-index")
    nodes = SentenceSplitter(chunk_size=20, chunk_overlap=0).get_nodes_from_documents([image, index])
    images = [n for n in nodes if isinstance(n, ImageNode)]
    indexes = [n for n in nodes if isinstance(n, IndexNode)]
    assert images
    assert all(n.image_url == "http://127.0.0.1/x.png" for n in images)
    assert indexes
    assert all(n.index_id == "sub-index" for n in indexes)


def test_events_and_transformation_protocol(event_recorder: Any) -> None:
    recorder = event_recorder
    splitter = SentenceSplitter(chunk_size=20, chunk_overlap=0, callback_manager=CallbackManager([recorder]))
    docs = [Document(text="One sentence here. " * 10), Document(text="Another one. " * 10)]
    nodes = splitter(docs)
    kinds = [(phase, kind) for phase, kind, _ in recorder.events]
    assert kinds[0] == ("start", CBEventType.NODE_PARSING)
    assert kinds[-1] == ("end", CBEventType.NODE_PARSING)
    assert kinds.count(("start", CBEventType.CHUNKING)) == 2
    assert recorder.events[0][2][EventPayload.DOCUMENTS] == docs
    assert recorder.events[-1][2][EventPayload.NODES] == nodes
    chunk_ends = [payload for phase, kind, payload in recorder.events if (phase, kind) == ("end", CBEventType.CHUNKING)]
    assert [c for p in chunk_ends for c in p[EventPayload.CHUNKS]] == [n.get_content() for n in nodes]


async def test_async_call_matches_sync() -> None:
    splitter = SentenceSplitter(chunk_size=20, chunk_overlap=4)
    docs = [Document(text="Async splitting works. " * 30, id_="a")]
    assert [n.get_content() for n in await splitter.acall(docs)] == [n.get_content() for n in splitter(docs)]
    assert [n.node_id for n in await splitter.aget_nodes_from_documents(docs)] == [n.node_id for n in splitter(docs)]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"chunk_size": 0}, "chunk_size must be positive"),
        ({"chunk_size": -5, "chunk_overlap": 0}, "chunk_size must be positive"),
        ({"chunk_size": 100, "chunk_overlap": 100}, "smaller than chunk_size"),
        ({"chunk_size": 100, "chunk_overlap": 150}, "smaller than chunk_size"),
        ({"chunk_size": 100, "chunk_overlap": -1}, "at least 0"),
        ({"chunk_size": 10.5}, "must be an int"),
        ({"chunk_size": True}, "must be an int"),
        ({"separator": None}, "separator must be a str"),
        ({"tokenizer": "cl100k_base"}, "tokenizer must be callable"),
        ({"secondary_chunking_regex": "(["}, "not a valid regular expression"),
        ({"callback_manager": object()}, "CallbackManager"),
    ],
)
def test_bad_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        SentenceSplitter(**kwargs)


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_bad_text(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="text must be a str"):
        SentenceSplitter().split_text(bad)


@pytest.mark.parametrize("bad", ["a string", Document(text="not in a list"), [Document(text="ok"), "str"], None])
def test_bad_documents(bad: Any) -> None:
    with pytest.raises(InvalidInputError):
        SentenceSplitter().get_nodes_from_documents(bad)


def test_splitter_helpers() -> None:
    splitter = SentenceSplitter(chunk_size=10, chunk_overlap=2)
    assert repr(splitter).startswith("SentenceSplitter(chunk_size=10, chunk_overlap=2")
    assert splitter.split_text_metadata_aware("A b c. " * 5, "k: v\n\n")
    assert splitter.split_texts(["One.", "Two."]) == ["One.", "Two."]


@pytest.mark.parametrize("cls", [SentenceSplitter, TokenTextSplitter])
def test_from_defaults_is_the_constructor(cls: type[SentenceSplitter] | type[TokenTextSplitter]) -> None:
    text = "One sentence here. Another one there. " * 20
    made = cls.from_defaults(chunk_size=24, chunk_overlap=4)
    assert type(made) is cls
    assert made.split_text(text) == cls(chunk_size=24, chunk_overlap=4).split_text(text)
    with pytest.raises(TypeError):
        cls.from_defaults(chunk_sizes=[24])


def test_repr_shows_the_settings() -> None:
    from dovetail.core.node_parser import RecursiveCharacterSplitter

    assert repr(TokenTextSplitter(chunk_size=64, chunk_overlap=8, backup_separators=["|"])) == (
        "TokenTextSplitter(chunk_size=64, chunk_overlap=8, separator=' ', backup_separators=['|'])"
    )
    assert repr(RecursiveCharacterSplitter(chunk_size=100, chunk_overlap=0, separators=["\n", " "])) == (
        "RecursiveCharacterSplitter(chunk_size=100, chunk_overlap=0, separators=['\\n', ' '])"
    )
    assert repr(SentenceSplitter(chunk_size=32, chunk_overlap=4, separator="_")) == (
        "SentenceSplitter(chunk_size=32, chunk_overlap=4, separator='_', paragraph_separator='\\n\\n\\n')"
    )
