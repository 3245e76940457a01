"""Local ingestion throughput: 10,000 small documents → SentenceSplitter → OnnxEmbedding → SimpleVectorStore.

Runs the real ``IngestionPipeline`` (default settings: ingestion cache on, docstore off) with the offline
all-MiniLM-L6-v2 embedder and reports documents per second and the share of wall time spent outside the model
(goal: framework ≤ 10 %). "Inside the model" is everything the embedder's runtime does per batch: tokenizer,
onnxruntime forward pass and pooling (timed around ``Runtime.embed``); everything else — splitting, node
construction, batching, events, cache keys, vector store adds — is framework time. The model is loaded and
warmed up on real texts before the clock starts (a cold onnxruntime session made the first timed run slower).
``--direct`` also times the same work without the pipeline (splitter + embedder + store.add); with
``--rounds N`` the two paths alternate N times (pipeline first in odd rounds, direct first in even ones), so
both see the same machine load. Each row also shows the model calls, their mean batch size and the 1-minute
load average at the start and end of the run.

The documents are the first N non-empty paragraphs of the benchmark corpus (stdlib docstrings, 40-1,500 chars).

Usage: ``.venv/bin/python bench/bench_ingest_onnx.py [--docs 10000] [--threads 2] [--direct] [--rounds 1]``
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
        self.calls = 0
        runtime.embed = self

    def __call__(self, texts: list[str], normalize: bool) -> Any:
        start = time.perf_counter()
        try:
            return self.inner(texts, normalize)
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)
            self.calls += 1

    def reset(self) -> None:
        self.seconds, self.texts, self.calls = 0.0, 0, 0


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--docs-per-batch", type=int, default=32, help="IngestionPipeline docs_per_batch")
    parser.add_argument(
        "--direct", action="store_true", help="also time splitter + embedder + store without the pipeline"
    )
    parser.add_argument("--rounds", type=int, default=1, help="alternate the paths this many times")
    args = parser.parse_args()

    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.vector_stores import SimpleVectorStore
    from dovetail.embeddings.onnx import OnnxEmbedding

    documents = _documents(args.docs)
    chars = sum(len(doc.text) for doc in documents)
    embed_model = OnnxEmbedding(threads=args.threads, embed_batch_size=args.batch)
    clock = _ModelClock(embed_model)
    embed_model.get_text_embedding_batch([doc.text for doc in documents[: 4 * args.batch]])
    splitter = SentenceSplitter(chunk_size=256, chunk_overlap=32)

    def pipeline() -> int:
        store = SimpleVectorStore()
        p = IngestionPipeline(
            transformations=[splitter, embed_model], vector_store=store, docs_per_batch=args.docs_per_batch
        )
        return len(p.run(documents=[doc.model_copy() for doc in documents]))

    def direct() -> int:
        store = SimpleVectorStore()
        nodes = splitter.get_nodes_from_documents([doc.model_copy() for doc in documents])
        embed_model(nodes)
        store.add(nodes)
        return len(nodes)

    paths: list[tuple[str, Callable[[], int]]] = [("IngestionPipeline.run", pipeline)]
    if args.direct:
        paths.append(("splitter + embedder + store.add", direct))
    results = []
    for round_ in range(max(1, args.rounds)):
        for name, path in paths if round_ % 2 == 0 else paths[::-1]:
            clock.reset()
            load = _load()
            start = time.perf_counter()
            count = path()
            total = time.perf_counter() - start
            results.append((round_ + 1, name, total, clock.seconds, clock.texts, clock.calls, count, load, _load()))

    print(
        f"{len(documents):,} documents ({chars / 1e6:.2f} M chars), OnnxEmbedding all-MiniLM-L6-v2 int8, "
        f"threads={args.threads}, embed_batch_size={args.batch}, docs_per_batch={args.docs_per_batch}, "
        "SentenceSplitter(256, 32)"
    )
    print()
    print("| round | path | wall | docs/s | nodes | model calls | inside the model | outside the model | load |")
    print("|---|---|---|---|---|---|---|---|---|")
    for round_, name, wall, model_seconds, texts, calls, count, load_start, load_end in results:
        outside = wall - model_seconds
        print(
            f"| {round_} | {name} | {wall:.1f} s | {len(documents) / wall:,.0f} | {count:,} ({texts:,} embedded) "
            f"| {calls} (mean {texts / max(calls, 1):.1f} texts) | {model_seconds:.1f} s "
            f"| {outside:.1f} s ({100 * outside / wall:.1f} %) | {load_start} → {load_end} |"
        )


if __name__ == "__main__":
    main()
