"""IngestionPipeline: upserts, de-duplication, deletes, cache, concurrency, progress, checkpoints."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import DocstoreStrategy
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

TEXT = "The {w} joint is cut with a saw. Then it is pared with a chisel. Glue holds the {w} joint together. "


def docs(*names: str, words: int = 1) -> list[Document]:
    return [Document(id_=f"{n}.md", text=TEXT.format(w=n) * words, metadata={"file_name": f"{n}.md"}) for n in names]


def pipeline(embed: CountingEmbedding, **kwargs: object) -> IngestionPipeline:
    kwargs.setdefault("vector_store", SimpleVectorStore())
    kwargs.setdefault("docstore", SimpleDocumentStore())
    return IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0), embed],
        **kwargs,  # type: ignore[arg-type]
    )


def snapshot(p: IngestionPipeline) -> dict[str, str]:
    assert p.vector_store is not None
    return {node.node_id: node.hash for node in p.vector_store.get_nodes()}


def test_rerun_on_unchanged_documents_embeds_nothing() -> None:
    embed = CountingEmbedding(embed_dim=8)
    p = pipeline(embed)
    first = p.run(documents=docs("dovetail", "tenon", "finger", words=3))
    embedded = embed.stats["texts"]
    assert embedded == len(first) > 3
    before = snapshot(p)

    again = p.run(documents=docs("dovetail", "tenon", "finger", words=3))
    assert again == []
    assert embed.stats["texts"] == embedded
    assert snapshot(p) == before


def test_changed_document_replaces_only_its_own_nodes() -> None:
    embed = CountingEmbedding(embed_dim=8)
    p = pipeline(embed)
    p.run(documents=docs("dovetail", "tenon", words=3))
    before = snapshot(p)
    assert p.docstore is not None
    old_tenon = set(p.docstore.get_ref_doc_info("tenon.md").node_ids)  # type: ignore[union-attr]

    changed = Document(id_="tenon.md", text="A tenon is a tongue. " * 2, metadata={"file_name": "tenon.md"})
    produced = p.run(documents=[*docs("dovetail", words=3), changed])
    after = snapshot(p)

    new_tenon = set(p.docstore.get_ref_doc_info("tenon.md").node_ids)  # type: ignore[union-attr]
    assert {n.node_id for n in produced} == new_tenon
    assert not (old_tenon & set(after))  # every old tenon node is gone
    untouched = {k: v for k, v in before.items() if k not in old_tenon}
    assert {k: after[k] for k in untouched} == untouched  # dovetail nodes unchanged (ids and hashes)
    assert set(after) == set(untouched) | new_tenon
    assert p.docstore.get_document_hash("tenon.md") == changed.hash


def test_upserts_and_delete_removes_documents_that_are_gone() -> None:
    embed = CountingEmbedding(embed_dim=8)
    p = pipeline(embed, docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE)
    p.run(documents=docs("dovetail", "tenon", "finger"))
    p.run(documents=docs("dovetail", "finger"))
    assert p.docstore is not None
    assert p.vector_store is not None
    assert set(p.docstore.hashes_by_document_id()) == {"dovetail.md", "finger.md"}
    assert {n.ref_doc_id for n in p.vector_store.get_nodes()} == {"dovetail.md", "finger.md"}


def test_plain_upserts_keep_documents_missing_from_a_run() -> None:
    p = pipeline(CountingEmbedding(embed_dim=8))
    p.run(documents=docs("dovetail", "tenon"))
    p.run(documents=docs("dovetail"))
    assert p.vector_store is not None
    assert {n.ref_doc_id for n in p.vector_store.get_nodes()} == {"dovetail.md", "tenon.md"}


def test_duplicates_only_skips_same_content_under_another_id() -> None:
    embed = CountingEmbedding(embed_dim=8)
    p = pipeline(embed, docstore_strategy="duplicates_only")
    p.run(documents=docs("dovetail"))
    count = embed.stats["texts"]
    copy = Document(id_="copy.md", text=docs("dovetail")[0].text, metadata={"file_name": "dovetail.md"})
    assert p.run(documents=[copy]) == []
    assert embed.stats["texts"] == count


def test_cache_reuses_embeddings_across_pipelines_and_persists_as_json(tmp_path: Path) -> None:
    embed = CountingEmbedding(embed_dim=8)
    cache = IngestionCache()
    first = IngestionPipeline(transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0), embed], cache=cache)
    nodes = first.run(documents=docs("dovetail", "tenon", words=2))
    count = embed.stats["texts"]
    cache.persist(tmp_path / "cache.json")
    assert json.loads((tmp_path / "cache.json").read_text())["kind"] == "ingestion_cache"

    reloaded = IngestionCache.from_persist_path(tmp_path / "cache.json")
    second = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0), embed], cache=reloaded
    )
    again = second.run(documents=docs("dovetail", "tenon", words=2))
    assert embed.stats["texts"] == count  # every vector came from the cache
    assert [n.embedding for n in again] == [n.embedding for n in nodes]
    assert [n.node_id for n in again] == [n.node_id for n in nodes]

    other_split = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=20, chunk_overlap=0), embed], cache=reloaded
    )
    other_split.run(documents=docs("dovetail", "tenon", words=2))
    assert embed.stats["texts"] > count  # another chunk size is another cache key


def test_embedding_calls_are_bounded_by_num_workers() -> None:
    embed = CountingEmbedding(embed_dim=8, embed_batch_size=2, delay=0.02)
    p = pipeline(embed, num_workers=3)
    p.run(documents=docs("a", "b", "c", "d", words=4))
    assert embed.stats["calls"] >= 6
    assert 1 < embed.stats["peak"] <= 3


async def test_arun_matches_run_and_bounds_concurrency() -> None:
    sync_embed = CountingEmbedding(embed_dim=8, embed_batch_size=2)
    expected = pipeline(sync_embed).run(documents=docs("a", "b", "c", words=4))

    embed = CountingEmbedding(embed_dim=8, embed_batch_size=2, delay=0.02)
    p = pipeline(embed, num_workers=2)
    produced = await p.arun(documents=docs("a", "b", "c", words=4))
    assert [(n.node_id, n.embedding) for n in produced] == [(n.node_id, n.embedding) for n in expected]
    assert 1 <= embed.stats["peak"] <= 2
    assert await p.arun(documents=docs("a", "b", "c", words=4)) == []


def test_progress_reports_every_batch_up_to_the_total() -> None:
    # One text per call: every step's texts fill whole batches, so each step commits its documents (with
    # larger batches a step may wait for the next one's texts, see test_batching.py).
    seen: list[tuple[int, int]] = []
    p = pipeline(CountingEmbedding(embed_dim=8, embed_batch_size=1), docs_per_batch=2)
    p.run(documents=docs("a", "b", "c", "d", "e"), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    seen.clear()
    p.run(documents=docs("a", "b", "c", "d", "e"), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(5, 5)]


def test_nodes_without_embeddings_are_rejected_before_any_change() -> None:
    store = SimpleVectorStore()
    p = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0)],
        vector_store=store,
        docstore=SimpleDocumentStore(),
    )
    with pytest.raises(InvalidInputError, match="embedding model"):
        p.run(documents=docs("dovetail"))
    assert len(store) == 0
    assert p.docstore is not None
    assert p.docstore.hashes_by_document_id() == {}


@pytest.mark.parametrize(
    "bad",
    [
        {"documents": ["just a string"]},
        {"documents": [Document(text="x"), 42]},
    ],
)
def test_bad_inputs_are_typed_errors(bad: dict[str, object]) -> None:
    p = pipeline(CountingEmbedding(embed_dim=8))
    with pytest.raises(InvalidInputError):
        p.run(**bad)  # type: ignore[arg-type]


def test_bad_options_are_typed_errors() -> None:
    with pytest.raises(InvalidInputError, match="docstore_strategy"):
        IngestionPipeline(transformations=[], docstore_strategy="sometimes")
    with pytest.raises(InvalidInputError, match="docs_per_batch"):
        IngestionPipeline(transformations=[], docs_per_batch=0)
    with pytest.raises(InvalidInputError, match="list of nodes"):
        IngestionPipeline(transformations=[lambda nodes: "oops"]).run(documents=docs("a"))


def test_checkpoints_keep_committed_batches_when_a_run_fails(tmp_path: Path) -> None:
    calls = {"n": 0}

    class FailingSplitter(SentenceSplitter):
        def __call__(self, nodes, **kwargs):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 4:
                raise RuntimeError("disk full")
            return super().__call__(nodes, **kwargs)

    embed = CountingEmbedding(embed_dim=8)
    index_dir = tmp_path / "index"
    flaky = IngestionPipeline(
        transformations=[FailingSplitter(chunk_size=40, chunk_overlap=0), embed],
        checkpoint_dir=index_dir,
        checkpoint_interval=0,
        docs_per_batch=1,
    )
    names = ("a", "b", "c", "d", "e")
    with pytest.raises(RuntimeError):
        flaky.run(documents=docs(*names, words=2))
    partial = StorageContext.from_defaults(persist_dir=index_dir)
    assert set(partial.docstore.hashes_by_document_id()) == {"a.md", "b.md", "c.md"}

    resumed = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=40, chunk_overlap=0), embed], checkpoint_dir=index_dir
    )
    produced = resumed.run(documents=docs(*names, words=2))
    assert {n.ref_doc_id for n in produced} == {"d.md", "e.md"}

    straight = pipeline(CountingEmbedding(embed_dim=8))
    straight.run(documents=docs(*names, words=2))
    final = StorageContext.from_defaults(persist_dir=index_dir)
    assert {n.node_id: n.hash for n in final.vector_store.get_nodes()} == snapshot(straight)


def test_documents_passing_through_unsplit_are_tracked_by_their_own_id() -> None:
    embed = CountingEmbedding(embed_dim=8)
    store = SimpleVectorStore()
    p = IngestionPipeline(transformations=[embed], vector_store=store, docstore=SimpleDocumentStore())
    p.run(documents=docs("a", "b"))
    assert {n.node_id for n in store.get_nodes()} == {"a.md", "b.md"}
    changed = Document(id_="a.md", text="new text entirely", metadata={"file_name": "a.md"})
    p.run(documents=[changed])
    texts = {n.node_id: n.get_content() for n in store.get_nodes()}
    assert texts["a.md"] == "new text entirely"
    assert len(texts) == 2


def test_raw_nodes_can_be_ingested_like_documents() -> None:
    embed = CountingEmbedding(embed_dim=8)
    store = SimpleVectorStore()
    p = IngestionPipeline(transformations=[embed], vector_store=store)
    p.run(nodes=[TextNode(id_="n1", text="loose node")])
    assert [n.node_id for n in store.get_nodes()] == ["n1"]
    asyncio.run(p.arun(nodes=[TextNode(id_="n2", text="another")]))
    assert {n.node_id for n in store.get_nodes()} == {"n1", "n2"}
