"""IngestionPipeline hands the embedding model whole batches, and still commits, resumes and reports exactly."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

SENTENCE = "Joint {i} is cut with a saw and pared with a chisel. "


def corpus(count: int, start: int = 0) -> list[Document]:
    """Documents of 1 to 4 sentences (so 1 to 3 nodes each with ``split``), in a fixed order."""
    return [
        Document(id_=f"doc-{i:03d}", text=SENTENCE.format(i=i) * (1 + i % 4), metadata={"n": i})
        for i in range(start, start + count)
    ]


def split() -> SentenceSplitter:
    return SentenceSplitter(chunk_size=40, chunk_overlap=0)


def pipeline(embed: CountingEmbedding, splitting: bool = True, **kwargs: object) -> IngestionPipeline:
    kwargs.setdefault("vector_store", SimpleVectorStore())
    kwargs.setdefault("docstore", SimpleDocumentStore())
    transformations = [split(), embed] if splitting else [embed]
    return IngestionPipeline(transformations=transformations, **kwargs)  # type: ignore[arg-type]


def snapshot(p: IngestionPipeline) -> list[tuple[str, str, list[float] | None]]:
    assert p.vector_store is not None
    return [(node.node_id, node.hash, node.embedding) for node in p.vector_store.get_nodes()]


@pytest.mark.parametrize("splitting", [False, True], ids=["one-node-per-doc", "split"])
@pytest.mark.parametrize("docs_per_batch", [1, 3, 32])
def test_embedding_calls_get_whole_batches_whatever_docs_per_batch(splitting: bool, docs_per_batch: int) -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=8)
    produced = pipeline(embed, splitting, docs_per_batch=docs_per_batch).run(documents=corpus(45))
    assert sum(embed.sizes) == len(produced)
    assert len(produced) > 45 if splitting else len(produced) == 45
    assert embed.sizes[:-1] == [8] * (len(embed.sizes) - 1)  # only the last call may be short
    assert len(embed.sizes) == math.ceil(len(produced) / 8)


def test_every_worker_gets_a_whole_batch() -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=4, delay=0.01)
    produced = pipeline(embed, docs_per_batch=2, num_workers=3).run(documents=corpus(40))
    assert embed.sizes[:-1] == [4] * (len(embed.sizes) - 1)
    assert len(embed.sizes) == math.ceil(len(produced) / 4)
    assert 1 < embed.stats["peak"] <= 3


async def test_arun_gets_whole_batches_and_matches_run() -> None:
    expected = pipeline(CountingEmbedding(embed_dim=8, embed_batch_size=1), docs_per_batch=1).run(documents=corpus(30))
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=8)
    p = pipeline(embed, docs_per_batch=3, num_workers=2)
    produced = await p.arun(documents=corpus(30))
    assert embed.sizes[:-1] == [8] * (len(embed.sizes) - 1)
    assert [(n.node_id, n.embedding) for n in produced] == [(n.node_id, n.embedding) for n in expected]


def test_nodes_come_out_and_are_stored_in_input_order_as_with_one_text_per_call() -> None:
    one_by_one = pipeline(CountingEmbedding(embed_dim=8, embed_batch_size=1), docs_per_batch=1)
    expected = one_by_one.run(documents=corpus(50))
    batched = pipeline(CountingEmbedding(embed_dim=8, embed_batch_size=16), docs_per_batch=3)
    produced = batched.run(documents=corpus(50))
    assert [(n.node_id, n.embedding) for n in produced] == [(n.node_id, n.embedding) for n in expected]
    assert snapshot(batched) == snapshot(one_by_one)
    assert [n.ref_doc_id for n in produced] == sorted(n.ref_doc_id or "" for n in produced)


def test_progress_reports_only_committed_documents() -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=8)
    p = pipeline(embed, docs_per_batch=2)
    assert p.docstore is not None
    assert p.vector_store is not None
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        assert total == 30
        hashed = set(p.docstore.hashes_by_document_id())  # type: ignore[union-attr]
        assert len(hashed) == done  # every reported document is committed ...
        stored = {n.ref_doc_id for n in p.vector_store.get_nodes()}  # type: ignore[union-attr]
        assert stored == hashed  # ... with its nodes, and no node of an uncommitted one is stored
        seen.append(done)

    p.run(documents=corpus(30), progress=progress)
    assert seen[0] == 0
    assert seen[-1] == 30
    assert seen == sorted(set(seen))
    assert len(seen) > 3  # committed along the way, not only at the end

    seen.clear()
    p.run(documents=corpus(30), progress=progress)
    assert seen == [30]


def test_a_failed_embedding_call_leaves_only_complete_documents_and_the_rerun_is_exact(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    flaky = CountingEmbedding(embed_dim=8, embed_batch_size=4, fail_on_call=5)
    with pytest.raises(RuntimeError, match="unavailable"):
        pipeline(flaky, docs_per_batch=1, checkpoint_dir=index_dir, checkpoint_interval=0).run(documents=corpus(30))

    reference = pipeline(CountingEmbedding(embed_dim=8, embed_batch_size=4))
    reference.run(documents=corpus(30))
    assert reference.docstore is not None

    partial = StorageContext.from_defaults(persist_dir=index_dir)
    hashed = sorted(partial.docstore.hashes_by_document_id())
    assert hashed == [doc.node_id for doc in corpus(len(hashed))]  # a prefix of the input, in order
    assert 0 < len(hashed) < 30
    stored = {n.node_id: n.ref_doc_id for n in partial.vector_store.get_nodes()}
    assert set(stored.values()) == set(hashed)  # documents whose texts were still queued left nothing behind
    for doc_id in hashed:  # and every committed document has all of its nodes
        expected = reference.docstore.get_ref_doc_info(doc_id)
        assert expected is not None
        assert {n for n, ref in stored.items() if ref == doc_id} == set(expected.node_ids)

    embed = CountingEmbedding(embed_dim=8, embed_batch_size=4)
    resumed = pipeline(embed, docs_per_batch=1, checkpoint_dir=index_dir, vector_store=None, docstore=None)
    produced = resumed.run(documents=corpus(30))
    assert {n.ref_doc_id for n in produced}.isdisjoint(hashed)  # committed documents are not redone
    final = StorageContext.from_defaults(persist_dir=index_dir)
    assert sorted((n.node_id, n.hash) for n in final.vector_store.get_nodes()) == sorted(
        (node_id, node_hash) for node_id, node_hash, _ in snapshot(reference)
    )


def test_a_transformation_error_first_commits_the_documents_transformed_before_it() -> None:
    class FailingSplitter(SentenceSplitter):
        def __call__(self, nodes, **kwargs):  # type: ignore[no-untyped-def]
            if nodes[0].node_id == "doc-005":
                raise RuntimeError("cannot parse doc-005")
            return super().__call__(nodes, **kwargs)

    embed = CountingEmbedding(embed_dim=8, embed_batch_size=64)
    p = IngestionPipeline(
        transformations=[FailingSplitter(chunk_size=40, chunk_overlap=0), embed],
        vector_store=SimpleVectorStore(),
        docstore=SimpleDocumentStore(),
    )
    with pytest.raises(RuntimeError, match="doc-005"):
        p.run(documents=corpus(10))
    assert p.docstore is not None
    assert sorted(p.docstore.hashes_by_document_id()) == [f"doc-{i:03d}" for i in range(5)]
    assert embed.sizes == [sum(1 + (i % 4 > 1) for i in range(5))]  # one short batch for what was transformed


def test_cached_documents_behind_a_queued_text_do_not_wait_for_the_end() -> None:
    cache = IngestionCache()
    warm = CountingEmbedding(embed_dim=8, embed_batch_size=50)
    IngestionPipeline(transformations=[warm], cache=cache).run(documents=corpus(120, start=1))

    embed = CountingEmbedding(embed_dim=8, embed_batch_size=50)
    p = pipeline(embed, splitting=False, cache=cache, docs_per_batch=4)
    seen: list[int] = []
    p.run(documents=corpus(121), progress=lambda done, total: seen.append(done))
    assert embed.sizes == [1]  # only doc-000 was not in the cache
    assert 0 < seen[1] <= 56  # committed once more than max(4, 50) documents waited, not at the end
    assert seen[-1] == 121
