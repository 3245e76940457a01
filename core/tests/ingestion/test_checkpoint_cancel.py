"""Cancelling ``IngestionPipeline.arun`` while a checkpoint is being written: one checkpoint at a time."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

from dovetail.core.embeddings import MockEmbedding
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery


class _SlowPersistStore(SimpleVectorStore):
    """A store whose persist takes a while and records how many persists overlap."""

    def model_post_init(self, context: object) -> None:
        super().model_post_init(context)
        object.__setattr__(self, "_stats_lock", threading.Lock())
        object.__setattr__(self, "stats", {"active": 0, "peak": 0, "calls": 0})

    def persist(self, persist_path: str, fs: Any | None = None) -> None:
        stats: dict[str, int] = self.stats  # type: ignore[attr-defined]
        with self._stats_lock:  # type: ignore[attr-defined]
            stats["active"] += 1
            stats["calls"] += 1
            stats["peak"] = max(stats["peak"], stats["active"])
        try:
            time.sleep(0.3)
            super().persist(persist_path, fs)
        finally:
            with self._stats_lock:  # type: ignore[attr-defined]
                stats["active"] -= 1


async def test_cancel_during_a_checkpoint_waits_for_it_and_starts_no_second_one(tmp_path: Path) -> None:
    store = _SlowPersistStore()
    stats: dict[str, int] = store.stats  # type: ignore[attr-defined]
    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=0), MockEmbedding(embed_dim=8)],
        storage_context=StorageContext(vector_stores={"default": store}),
        checkpoint_dir=tmp_path / "index",
        checkpoint_interval=0,
        docs_per_batch=4,
    )
    docs = [Document(id_=f"d{i}", text=f"Document {i} is about joints. " * 8) for i in range(400)]
    task = asyncio.create_task(pipeline.arun(documents=docs))
    for _ in range(6000):  # up to 30 s for the first checkpoint to start
        if stats["active"]:
            break
        await asyncio.sleep(0.005)
    assert stats["active"] == 1, "no checkpoint started"
    task.cancel()
    cancelled = False
    try:
        await task
    except asyncio.CancelledError:
        cancelled = True
    assert cancelled
    assert stats["active"] == 0, "arun returned while its checkpoint thread was still writing"
    await asyncio.sleep(0.5)
    assert stats["peak"] == 1, "two checkpoints wrote the same folder at once"

    loaded = StorageContext.from_defaults(persist_dir=tmp_path / "index")
    done = loaded.docstore.hashes_by_document_id()
    hits = loaded.vector_store.query(VectorStoreQuery(query_embedding=[1.0] * 8, similarity_top_k=100_000))
    assert 0 < len(done) < len(docs)
    assert hits.nodes is not None
    assert {node.ref_doc_id for node in hits.nodes} == set(done)
