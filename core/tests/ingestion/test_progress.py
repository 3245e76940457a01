"""Ingestion progress: a tqdm bar on terminals, plain periodic lines in logs, ``show_progress=True`` as LlamaIndex."""

from __future__ import annotations

import io
import re

import pytest
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.ingestion import IngestProgress
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

TEXT = "The pins are sawn first and the tails are marked from them with a sharp knife. "


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def documents(count: int, repeat: int = 12) -> list[Document]:
    return [Document(id_=f"doc-{i}", text=f"Document {i}. " + TEXT * repeat) for i in range(count)]


def run_pipeline(progress: object, delay: float, count: int = 12) -> list[object]:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=4, delay=delay)
    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=48, chunk_overlap=0), embed],
        vector_store=SimpleVectorStore(),
        docstore=SimpleDocumentStore(),
    )
    return list(pipeline.run(documents=documents(count), progress=progress))  # type: ignore[arg-type]


def test_plain_lines_every_interval_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with IngestProgress("indexing", stream=stream, log_interval=0.15, tick=0.02) as progress:
        nodes = run_pipeline(progress, delay=0.05, count=24)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3, lines  # periodic lines while running, and a last one
    assert "\r" not in stream.getvalue()
    last = lines[-1]
    assert re.search(r"indexing: 100% docs 24/24, chunks \d+, [\d.]+ chunks/s, elapsed \d\d:\d\d, ETA", last), last
    assert f"chunks {len(nodes)}," in last
    assert progress.chunks_stored == len(nodes)
    assert progress.documents_done == 24


def test_bar_on_a_terminal_shows_documents_chunks_rate_and_eta() -> None:
    stream = Terminal()
    with IngestProgress("indexing", stream=stream, tick=0.02) as progress:
        run_pipeline(progress, delay=0.01)
    drawn = stream.getvalue()
    assert "\r" in drawn  # redrawn in place
    final = drawn.rsplit("\r", 1)[-1]
    assert "100%|" in final
    assert re.search(r"docs 12/12, chunks \d+, [\d.]+ chunks/s \[\d\d:\d\d<\d\d:\d\d\]", final), final


def test_the_bar_moves_while_a_single_long_call_runs() -> None:
    stream = Terminal()
    with IngestProgress("indexing", stream=stream, tick=0.05) as progress:
        run_pipeline(progress, delay=0.5, count=1)
    assert stream.getvalue().count("\r") >= 8  # redrawn by the ticker while the model is busy


def test_unchanged_documents_count_as_done_from_the_start() -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=4)
    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=48, chunk_overlap=0), embed],
        vector_store=SimpleVectorStore(),
        docstore=SimpleDocumentStore(),
    )
    pipeline.run(documents=documents(5))
    stream = io.StringIO()
    with IngestProgress(stream=stream) as progress:
        pipeline.run(documents=documents(6), progress=progress)
    assert progress.documents_done == 6
    assert "docs 6/6" in stream.getvalue()


def test_show_progress_true_writes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=4)
    VectorStoreIndex.from_documents(
        documents(3),
        embed_model=embed,
        transformations=[SentenceSplitter(chunk_size=48, chunk_overlap=0)],
        show_progress=True,
    )
    err = capsys.readouterr().err
    assert "docs 3/3" in err
    assert "chunks/s" in err

    pipeline = IngestionPipeline(transformations=[SentenceSplitter(chunk_size=48, chunk_overlap=0), embed])
    pipeline.run(documents=documents(2), show_progress=True)
    assert "docs 2/2" in capsys.readouterr().err


def test_a_done_total_callback_still_works() -> None:
    calls: list[tuple[int, int]] = []
    run_pipeline(lambda done, total: calls.append((done, total)), delay=0.0, count=5)
    assert calls[0] == (0, 5)
    assert calls[-1] == (5, 5)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
