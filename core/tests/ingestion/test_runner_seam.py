"""The runner seam: a pipeline run through a ``Runner`` stores what the in-process run stores."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.ingestion import BatchResult
from dovetail.core.ingestion import BatchWork
from dovetail.core.ingestion import DocstoreStrategy
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.ingestion import Runner
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import BaseNode
from dovetail.core.schema import Document
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.testing.transformations import FailOn
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

TEXT = "The {w} joint is cut with a saw. Then it is pared with a chisel. Glue holds the {w} joint together. "


class InlineRunner(Runner):
    """Applies the work batch by batch in this process, recording what it was handed."""

    def __init__(self, batch_size: int = 3) -> None:
        self.batch_size = batch_size
        self.batches: list[list[str]] = []

    def map_batches(self, work: BatchWork, batches: Iterator[list[BaseNode]]) -> Iterator[BatchResult]:
        for batch in batches:
            self.batches.append([doc.node_id for doc in batch])
            yield work(batch)


def docs(*names: str, words: int = 3) -> list[Document]:
    return [Document(id_=f"{n}.md", text=TEXT.format(w=n) * words, metadata={"file_name": f"{n}.md"}) for n in names]


def pipeline(*before: Any, strategy: DocstoreStrategy = DocstoreStrategy.UPSERTS) -> IngestionPipeline:
    return IngestionPipeline(
        transformations=[*before, SentenceSplitter(chunk_size=40, chunk_overlap=0), CountingEmbedding(embed_dim=8)],
        vector_store=SimpleVectorStore(),
        docstore=SimpleDocumentStore(),
        docstore_strategy=strategy,
    )


def stored(p: IngestionPipeline) -> dict[str, tuple[str, dict[str, Any], list[float] | None]]:
    assert p.vector_store is not None
    return {n.node_id: (n.get_content(), n.metadata, n.embedding) for n in p.vector_store.get_nodes()}


NAMES = ("dovetail", "tenon", "finger", "box", "mitre", "lap", "bridle")


def test_runner_run_stores_what_the_in_process_run_stores() -> None:
    local, remote = pipeline(), pipeline()
    produced_local = local.run(documents=docs(*NAMES))
    runner = InlineRunner(batch_size=3)
    produced_remote = remote.run(documents=(d for d in docs(*NAMES)), runner=runner)  # a generator is streamed
    assert [n.node_id for n in produced_remote] == [n.node_id for n in produced_local]
    assert stored(remote) == stored(local)
    assert remote.docstore is not None
    assert local.docstore is not None
    assert remote.docstore.hashes_by_document_id() == local.docstore.hashes_by_document_id()
    assert [len(b) for b in runner.batches] == [3, 3, 1]


def test_runner_given_to_the_constructor_is_used_and_rerun_skips_unchanged_documents() -> None:
    runner = InlineRunner()
    p = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0), CountingEmbedding(embed_dim=8)],
        vector_store=SimpleVectorStore(),
        docstore=SimpleDocumentStore(),
        runner=runner,
    )
    p.run(documents=docs(*NAMES))
    runner.batches.clear()
    changed = docs(*NAMES)
    changed[2] = Document(id_="finger.md", text="A new finger joint text. " * 4, metadata={"file_name": "finger.md"})
    p.run(documents=changed)
    assert runner.batches == [["finger.md"]]
    reference = pipeline()
    reference.run(documents=docs(*NAMES))
    reference.run(documents=changed)
    assert stored(p) == stored(reference)


def test_failing_document_is_named_and_the_documents_before_it_are_kept() -> None:
    p = pipeline(FailOn("mitre"))
    with pytest.raises(InvalidInputError, match=r"mitre\.md") as info:
        p.run(documents=docs(*NAMES), runner=InlineRunner(batch_size=3))
    assert "cannot transform a node containing 'mitre'" in str(info.value)
    assert p.docstore is not None
    assert sorted(p.docstore.hashes_by_document_id()) == sorted(f"{n}.md" for n in NAMES[:4])
    # the remainder goes through once the document is fixed
    fixed = [d for d in docs(*NAMES) if d.node_id != "mitre.md"]
    p.transformations = p.transformations[1:]
    p.run(documents=fixed, runner=InlineRunner())
    assert len(p.docstore.hashes_by_document_id()) == len(NAMES) - 1


def test_a_dovetail_error_keeps_its_class_and_gets_the_document_name() -> None:
    class Unavailable:
        def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
            if any("lap" in n.get_content() for n in nodes):
                msg = "upstream service unavailable"
                raise ProviderError(msg)
            return nodes

    p = pipeline(Unavailable())
    with pytest.raises(ProviderError, match=r"lap\.md.*upstream service unavailable"):
        p.run(documents=docs(*NAMES), runner=InlineRunner(batch_size=2))


def test_upserts_and_delete_removes_documents_missing_from_a_streamed_input() -> None:
    p = pipeline(strategy=DocstoreStrategy.UPSERTS_AND_DELETE)
    p.run(documents=docs(*NAMES), runner=InlineRunner())
    p.run(documents=iter(docs(*NAMES[:3])), runner=InlineRunner())
    reference = pipeline(strategy=DocstoreStrategy.UPSERTS_AND_DELETE)
    reference.run(documents=docs(*NAMES[:3]))
    assert stored(p) == stored(reference)
    assert p.docstore is not None
    assert sorted(p.docstore.hashes_by_document_id()) == sorted(f"{n}.md" for n in NAMES[:3])


def test_duplicates_only_skips_a_repeated_hash_within_the_stream() -> None:
    p = pipeline(strategy=DocstoreStrategy.DUPLICATES_ONLY)
    twice = [
        *docs("dovetail"),
        Document(id_="copy.md", text=docs("dovetail")[0].text, metadata={"file_name": "dovetail.md"}),
    ]
    runner = InlineRunner()
    p.run(documents=iter(twice), runner=runner)
    assert runner.batches == [["dovetail.md"]]


def test_num_workers_with_a_runner_is_refused_and_bad_input_is_typed() -> None:
    p = pipeline()
    with pytest.raises(InvalidInputError, match="num_actors"):
        p.run(documents=docs("box"), runner=InlineRunner(), num_workers=4)
    with pytest.raises(InvalidInputError, match="Documents/nodes"):
        p.run(documents=iter(["not a document"]), runner=InlineRunner())  # type: ignore[arg-type]


async def test_arun_with_a_runner_matches_the_local_run() -> None:
    local, remote = pipeline(), pipeline()
    local.run(documents=docs(*NAMES))
    await remote.arun(documents=docs(*NAMES), runner=InlineRunner())
    assert stored(remote) == stored(local)


def test_unchanged_documents_are_reported_done_in_groups() -> None:
    p = pipeline()
    p.run(documents=docs(*NAMES), runner=InlineRunner())
    calls: list[tuple[int, int]] = []
    runner = InlineRunner(batch_size=3)
    p.run(documents=docs(*NAMES), runner=runner, progress=lambda done, total: calls.append((done, total)))
    assert runner.batches == []
    assert calls == [(0, 7), (3, 7), (6, 7), (7, 7)]
