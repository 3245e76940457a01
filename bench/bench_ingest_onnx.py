"""Local ingestion throughput: 10,000 small documents → SentenceSplitter → OnnxEmbedding → SimpleVectorStore.

Runs the real ``IngestionPipeline`` (default settings: ingestion cache on, docstore off) with the offline
all-MiniLM-L6-v2 embedder and reports documents per second and the share of wall time spent outside the model
(goal: framework ≤ 10 %). "Inside the model" is everything the embedder's runtime does per batch: tokenizer,
onnxruntime forward pass and pooling (timed around ``Runtime.embed``); everything else — splitting, node
construction, batching, events, cache keys, vector store adds — is framework time. The model is loaded before the
clock starts. ``--direct`` also times the same work without the pipeline (splitter + embedder + store.add).

The documents are the first N non-empty paragraphs of the benchmark corpus (stdlib docstrings, 40-1,500 chars).

Usage: ``.venv/bin/python bench/bench_ingest_onnx.py [--docs 10000] [--threads 2] [--direct]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from make_corpus import ensure_corpus  # noqa: E402


def _documents(count: int) -> list[Any]:
    from dovetail.core.schema import Document

    paragraphs = []
    for paragraph in ensure_corpus().read_text(encoding="utf-8").split("\n\n"):
        paragraph = paragraph.strip()
        if 40 <= len(paragraph) <= 1500:
            paragraphs.append(paragraph)
            if len(paragraphs) == count:
                break
    return [
        Document(text=text, id_=f"doc-{index}", metadata={"source": f"corpus#{index}"})
        for index, text in enumerate(paragraphs)
    ]


class _ModelClock:
    """Wraps ``Runtime.embed`` of one loaded embedder to add up the time spent inside the model."""

    def __init__(self, embed_model: Any) -> None:
        runtime = embed_model._ensure_runtime()
        self.inner: Callable[..., Any] = runtime.embed
        self.seconds = 0.0
        self.texts = 0
        runtime.embed = self

    def __call__(self, texts: list[str], normalize: bool) -> Any:
        start = time.perf_counter()
        try:
            return self.inner(texts, normalize)
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)

    def reset(self) -> None:
        self.seconds, self.texts = 0.0, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument(
        "--direct", action="store_true", help="also time splitter + embedder + store without the pipeline"
    )
    args = parser.parse_args()

    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.vector_stores import SimpleVectorStore
    from dovetail.embeddings.onnx import OnnxEmbedding

    documents = _documents(args.docs)
    chars = sum(len(doc.text) for doc in documents)
    embed_model = OnnxEmbedding(threads=args.threads, embed_batch_size=args.batch)
    clock = _ModelClock(embed_model)
    embed_model.get_text_embedding_batch(["warm up the session"] * args.batch)
    splitter = SentenceSplitter(chunk_size=256, chunk_overlap=32)

    clock.reset()
    store = SimpleVectorStore()
    pipeline = IngestionPipeline(transformations=[splitter, embed_model], vector_store=store)
    start = time.perf_counter()
    nodes = pipeline.run(documents=[doc.model_copy() for doc in documents])
    total = time.perf_counter() - start
    results = [("IngestionPipeline.run", total, clock.seconds, clock.texts, len(nodes))]

    if args.direct:
        clock.reset()
        store = SimpleVectorStore()
        start = time.perf_counter()
        direct_nodes = splitter.get_nodes_from_documents([doc.model_copy() for doc in documents])
        embed_model(direct_nodes)
        store.add(direct_nodes)
        total = time.perf_counter() - start
        results.append(("splitter + embedder + store.add", total, clock.seconds, clock.texts, len(direct_nodes)))

    print(
        f"{len(documents):,} documents ({chars / 1e6:.2f} M chars), OnnxEmbedding all-MiniLM-L6-v2 int8, "
        f"threads={args.threads}, embed_batch_size={args.batch}, SentenceSplitter(256, 32)"
    )
    print()
    print("| path | wall | docs/s | nodes | inside the model | outside the model |")
    print("|---|---|---|---|---|---|")
    for name, wall, model_seconds, texts, count in results:
        outside = wall - model_seconds
        print(
            f"| {name} | {wall:.2f} s | {len(documents) / wall:,.0f} | {count:,} ({texts:,} embedded) "
            f"| {model_seconds:.2f} s | {outside:.2f} s ({100 * outside / wall:.1f} %) |"
        )


if __name__ == "__main__":
    main()
