"""A local Ray instance (2 CPUs, loopback only) shared by this package's tests, and helpers to compare stores."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.vector_stores import SimpleVectorStore

RAY_ENV = {
    "RAY_AUTH_MODE": "disabled",  # tests only: a local cluster on loopback
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DEDUP_LOGS": "0",
    # Under `uv run` (as `make test` runs pytest) Ray would start every worker through `uv run` in a copy of the
    # working directory; the workers here share this venv. Ray reads it when first imported: set it now.
    "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
}
os.environ.update(RAY_ENV)


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    """``ray.init()`` with 2 CPUs on 127.0.0.1 for one test module, shut down after it.

    Not for the session: Ray's background threads must be gone before the rest of the suite's unit tests run
    with the network disabled.
    """
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


PARAGRAPH = "Paragraph {i} of the corpus talks about joint {i} and the wood it is cut from. "


def corpus(count: int, start: int = 0, words: int = 4) -> list[Document]:
    """``count`` small documents with distinct texts and metadata."""
    return [
        Document(id_=f"doc-{i:05d}", text=PARAGRAPH.format(i=i) * words, metadata={"n": i, "file_name": f"{i}.txt"})
        for i in range(start, start + count)
    ]


def make_pipeline(*before: Any, embed: Any = None, **kwargs: Any) -> IngestionPipeline:
    """Splitter (+ ``before``) + ``MockEmbedding(16)`` into a ``SimpleVectorStore`` and docstore."""
    if "checkpoint_dir" not in kwargs:  # with one, the stores are those persisted there (or new ones)
        kwargs.setdefault("vector_store", SimpleVectorStore())
        kwargs.setdefault("docstore", SimpleDocumentStore())
    return IngestionPipeline(
        transformations=[
            *before,
            SentenceSplitter(chunk_size=40, chunk_overlap=4),
            embed or MockEmbedding(embed_dim=16),
        ],
        **kwargs,
    )


def stored(pipeline: IngestionPipeline) -> dict[str, tuple[str, dict[str, Any], list[float]]]:
    """Every stored node: id → (text, metadata, vector)."""
    assert pipeline.vector_store is not None
    return {
        node.node_id: (node.get_content(), dict(node.metadata), list(node.embedding or []))
        for node in pipeline.vector_store.get_nodes()
    }


def assert_same_store(actual: IngestionPipeline, expected: IngestionPipeline) -> None:
    """Same node ids, texts, metadata, vectors (within 1e-6) and ledger."""
    got, want = stored(actual), stored(expected)
    assert sorted(got) == sorted(want)
    for node_id, (text, metadata, vector) in want.items():
        assert got[node_id][0] == text
        assert got[node_id][1] == metadata
        assert len(got[node_id][2]) == len(vector)
        assert max(abs(a - b) for a, b in zip(got[node_id][2], vector, strict=True)) <= 1e-6
    assert actual.docstore is not None
    assert expected.docstore is not None
    assert actual.docstore.hashes_by_document_id() == expected.docstore.hashes_by_document_id()
