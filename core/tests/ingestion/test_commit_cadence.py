"""Commits by elapsed time as well as by count, inside big documents too, and resuming inside a document."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.ingestion._sections import sections
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

PARAGRAPH = "Paragraph {i}: the tail board is marked from the pins, sawn on the waste side and pared to the line.\n\n"


def long_document(paragraphs: int, doc_id: str = "book.txt") -> Document:
    return Document(id_=doc_id, text="".join(PARAGRAPH.format(i=i) for i in range(paragraphs)))


def build(embed: CountingEmbedding, **kwargs: object) -> IngestionPipeline:
    kwargs.setdefault("vector_store", SimpleVectorStore())
    kwargs.setdefault("docstore", SimpleDocumentStore())
    splitter = SentenceSplitter(chunk_size=64, chunk_overlap=8)
    return IngestionPipeline(transformations=[splitter, embed], **kwargs)  # type: ignore[arg-type]


def stored(index_dir: Path) -> dict[str, str]:
    storage = StorageContext.from_defaults(persist_dir=index_dir)
    return {node.node_id: node.get_content() for node in storage.vector_store.get_nodes()}


def test_commit_interval_is_validated() -> None:
    for bad in (0, -1, "15", True):
        with pytest.raises(InvalidInputError, match="commit_interval"):
            IngestionPipeline(transformations=[], commit_interval=bad)  # type: ignore[arg-type]


def test_a_killed_run_keeps_the_embedded_part_of_one_long_document_and_resumes_inside_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    doc = long_document(400)
    reference = build(CountingEmbedding(embed_dim=8, embed_batch_size=4))
    total = len(reference.run(documents=[doc]))
    assert total > 100

    # 0.02 s per call of 4 texts; a commit is due every 0.1 s; the service dies on call 20 (after 76 texts)
    flaky = CountingEmbedding(embed_dim=8, embed_batch_size=4, delay=0.02, fail_on_call=20)
    first = build(flaky, checkpoint_dir=index_dir, checkpoint_interval=0.05, commit_interval=0.1)
    with pytest.raises(RuntimeError, match="unavailable"):
        first.run(documents=[doc])
    kept = stored(index_dir)
    assert 0 < len(kept) <= 76  # part of the one document survived the failure
    ledger = StorageContext.from_defaults(persist_dir=index_dir).docstore.hashes_by_document_id()
    assert ledger == {"book.txt": "partial:" + doc.hash}

    resumed_embed = CountingEmbedding(embed_dim=8, embed_batch_size=4)
    resumed = build(resumed_embed, checkpoint_dir=index_dir, vector_store=None, docstore=None)
    resumed.run(documents=[doc])
    assert resumed_embed.stats["texts"] == total - len(kept)  # what was stored is not embedded again
    final = StorageContext.from_defaults(persist_dir=index_dir)
    assert final.docstore.hashes_by_document_id() == {"book.txt": doc.hash}
    assert reference.vector_store is not None
    expected = {(n.node_id, n.hash, tuple(n.embedding or ())) for n in reference.vector_store.get_nodes()}
    got = {(n.node_id, n.hash, tuple(n.embedding or ())) for n in final.vector_store.get_nodes()}
    assert got == expected
    info = final.docstore.get_ref_doc_info("book.txt")
    assert info is not None
    assert len(info.node_ids) == total


def test_commits_come_by_time_when_the_count_is_far_away(tmp_path: Path) -> None:
    docs = [Document(id_=f"d{i:03d}", text=PARAGRAPH.format(i=i) * 3) for i in range(60)]
    flaky = CountingEmbedding(embed_dim=8, embed_batch_size=4, delay=0.02, fail_on_call=25)
    p = build(flaky, checkpoint_dir=tmp_path, checkpoint_interval=0.05, commit_interval=0.1, docs_per_batch=1000)
    with pytest.raises(RuntimeError):
        p.run(documents=docs)
    ledger = StorageContext.from_defaults(persist_dir=tmp_path).docstore.hashes_by_document_id()
    done = sorted(doc_id for doc_id, value in ledger.items() if not value.startswith("partial:"))
    assert done  # with a count of 1000 alone nothing would have been committed
    assert done == [doc.node_id for doc in docs[: len(done)]]


def test_sections_of_a_big_document_match_its_text_and_ids_are_stable(monkeypatch: pytest.MonkeyPatch) -> None:
    from dovetail.core.ingestion import _sections

    monkeypatch.setattr(_sections, "SECTION_THRESHOLD", 60_000)
    monkeypatch.setattr(_sections, "SECTION_CHARS", 12_000)
    doc = long_document(1200)
    assert len(doc.text) > _sections.SECTION_THRESHOLD
    pieces = list(sections(doc.text))
    assert len(pieces) > 4
    assert "".join(text for _, text in pieces) == doc.text
    assert all(text.endswith("\n\n") for _, text in pieces[:-1])  # cut at paragraph boundaries

    embed = CountingEmbedding(embed_dim=4, embed_batch_size=64)
    nodes = build(embed).run(documents=[doc])
    again = build(CountingEmbedding(embed_dim=4, embed_batch_size=64)).run(documents=[doc])
    assert [n.node_id for n in nodes] == [n.node_id for n in again]
    assert len({n.node_id for n in nodes}) == len(nodes)
    for node in nodes:
        assert isinstance(node, TextNode)
        assert node.ref_doc_id == "book.txt"
        assert node.start_char_idx is not None
        assert node.end_char_idx is not None
        assert doc.text[node.start_char_idx : node.end_char_idx] == node.text
    covered = "".join(n.text for n in nodes if isinstance(n, TextNode))
    assert covered.count("Paragraph 0:") == 1
    assert "Paragraph 1199:" in covered


class TimedVectorStore(SimpleVectorStore):
    """A SimpleVectorStore that records when each ``add`` happened (monotonic seconds)."""

    def model_post_init(self, context: object) -> None:
        super().model_post_init(context)
        object.__setattr__(self, "_times", [])

    @property
    def times(self) -> list[float]:
        return self._times  # type: ignore[attr-defined,no-any-return]

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        self.times.append(time.monotonic())
        return super().add(nodes, **kwargs)


def test_commits_keep_their_interval_when_one_model_call_of_a_whole_batch_would_outlast_it(tmp_path: Path) -> None:
    # 0.02 s per text: a whole batch of 64 takes 1.28 s, well over the 0.5 s commit interval
    slow = CountingEmbedding(embed_dim=8, embed_batch_size=64, delay_per_text=0.02)
    store = TimedVectorStore()
    pipeline = build(slow, vector_store=store, checkpoint_dir=tmp_path, commit_interval=0.5)
    started = time.monotonic()
    nodes = pipeline.run(documents=[long_document(420)])
    assert len(nodes) > 64 * 3
    assert slow.sizes[0] == 64  # not measured yet: a whole batch
    assert max(slow.sizes[1:]) < 64  # then calls sized to the model's speed
    gaps = [later - earlier for earlier, later in zip([started, *store.times], store.times, strict=False)]
    assert len(gaps) >= 4
    # a whole-batch call alone sleeps 1.28 s, so without sized calls no gap could be shorter; the margin over the
    # 0.5 s interval is for a loaded machine (splitting, persisting)
    assert max(gaps[1:]) < 1.2, gaps
    kept = stored(tmp_path)
    assert len(kept) == len(nodes)


def test_a_fast_model_still_gets_whole_batches() -> None:
    fast = CountingEmbedding(embed_dim=8, embed_batch_size=16)
    nodes = build(fast).run(documents=[long_document(200)])
    assert len(nodes) > 16 * 4
    assert all(size == 16 for size in fast.sizes[:-1]), fast.sizes  # the last one may be short
