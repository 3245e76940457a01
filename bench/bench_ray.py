"""IngestionPipeline on Ray (``dovetail-ingestion-ray``) against the in-process pipeline, in one run.

Four measurements, one per sub-command (each prints a Markdown table and the 1-minute load at start and end):

- ``overhead``: N paragraphs of the benchmark corpus → SentenceSplitter(256, 32) → OnnxEmbedding all-MiniLM-L6-v2
  (int8) → SimpleVectorStore. In process: one model with ``--threads`` onnxruntime threads (default 2, the
  machine's cores), loaded and warmed up before the clock. On Ray: ``--actors`` actors (default 2) with one
  thread each on a local Ray instance of 2 CPUs; the actors load their model inside the timed run (it is part
  of what a Ray run costs). Throughput ratio Ray / in-process.
- ``scaling``: N one-paragraph documents embedded through ``OpenAIEmbedding`` against the loopback
  OpenAI-compatible server of the test suite with 50 ms latency per request (``embed_batch_size`` 16), with 1
  and 4 actors (0 CPUs reserved each: they wait on the network). Ratio 4 actors / 1 actor.
- ``memory``: N generated documents (~200 bytes each, produced by a generator: never a list) with
  ``MockEmbedding(64)`` into a vector store that keeps only a count and a checksum (what a remote store that
  accepts writes leaves in the driver), docstore ledger off or on (``--ledger``). Reports the driver's peak RSS
  and its RSS after the first 5 % (the baseline); run once per size.
- ``resume``: a driver (subprocess) ingesting N generated documents with a checkpoint is killed with SIGKILL at
  ~50 %; the rerun counts the texts the actors embedded and compares the final store with an uninterrupted
  in-process run.

Usage: ``.venv/bin/python bench/bench_ray.py overhead --docs 20000``
(``scaling --docs 2000``, ``memory --docs 100000``, ``memory --docs 1000000``, ``resume --docs 20000``).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def _ray_init(cpus: int = 2) -> Any:
    os.environ.update(RAY_ENV)
    import ray

    ray.init(num_cpus=cpus, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    return ray


def _paragraphs(count: int) -> list[Any]:
    from bench_ingest_onnx import _documents

    documents = _documents(count)
    if len(documents) < count:
        sys.exit(f"the corpus has only {len(documents)} paragraphs")
    return documents


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


# ---------------------------------------------------------------------------------------------------- overhead
def overhead(args: argparse.Namespace) -> None:
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.vector_stores import SimpleVectorStore
    from dovetail.embeddings.onnx import OnnxEmbedding
    from dovetail.ingestion.ray import RayRunner

    documents = _paragraphs(args.docs)
    splitter = SentenceSplitter(chunk_size=256, chunk_overlap=32)
    ray = _ray_init(2)
    rows = []

    def local() -> tuple[float, int]:
        model = OnnxEmbedding(threads=args.threads, embed_batch_size=64)
        model.get_text_embedding_batch([doc.text for doc in documents[:256]])  # load + warm up before the clock
        pipeline = IngestionPipeline(transformations=[splitter, model], vector_store=SimpleVectorStore())
        start = time.perf_counter()
        nodes = pipeline.run(documents=[doc.model_copy() for doc in documents])
        return time.perf_counter() - start, len(nodes)

    def on_ray() -> tuple[float, int]:
        model = OnnxEmbedding(threads=1, embed_batch_size=64)  # not loaded: it travels to each actor as config
        pipeline = IngestionPipeline(transformations=[splitter, model], vector_store=SimpleVectorStore())
        runner = RayRunner(num_actors=args.actors, batch_size=args.batch)
        start = time.perf_counter()
        nodes = pipeline.run(documents=(doc.model_copy() for doc in documents), runner=runner)
        return time.perf_counter() - start, len(nodes)

    paths = [(f"in-process (threads={args.threads})", local), (f"RayRunner ({args.actors} actors x 1 thread)", on_ray)]
    for round_ in range(args.rounds):
        for name, path in paths if round_ % 2 == 0 else paths[::-1]:
            load = _load()
            wall, nodes = path()
            rows.append((round_ + 1, name, wall, nodes, load, _load()))
    ray.shutdown()
    print(f"{len(documents):,} paragraphs, SentenceSplitter(256, 32), OnnxEmbedding all-MiniLM-L6-v2 int8, batch 64")
    print()
    print("| round | path | wall | docs/s | nodes | load start → end |")
    print("|---|---|---|---|---|---|")
    for round_, name, wall, nodes, start, end in rows:
        print(f"| {round_} | {name} | {wall:.1f} s | {len(documents) / wall:.1f} | {nodes} | {start} → {end} |")
    by_round: dict[int, dict[str, float]] = {}
    for round_, name, wall, *_ in rows:
        by_round.setdefault(round_, {})[name.split(" ")[0]] = wall
    for round_, walls in by_round.items():
        print(f"\nround {round_}: Ray / in-process throughput = {walls['in-process'] / walls['RayRunner']:.2f}x")


# ---------------------------------------------------------------------------------------------------- scaling
def scaling(args: argparse.Namespace) -> None:
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.schema import Document
    from dovetail.core.vector_stores import SimpleVectorStore
    from dovetail.embeddings.openai import OpenAIEmbedding
    from dovetail.ingestion.ray import RayRunner

    loopback = ROOT / "core/src/dovetail/core/testing/servers/openai_loopback.py"
    server = subprocess.Popen(
        [sys.executable, str(loopback), "--latency", str(args.latency), "--dims", "64"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    ray = _ray_init(2)
    documents = [Document(id_=f"d{i}", text=f"Short document number {i} about joinery.") for i in range(args.docs)]
    rows = []
    try:
        for actors in args.actor_counts:
            model = OpenAIEmbedding(
                model="text-embedding-3-small",
                api_key="sk-loopback",
                api_base=f"http://127.0.0.1:{port}/v1",
                embed_batch_size=16,
                dimensions=64,
            )
            pipeline = IngestionPipeline(
                transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=0), model],
                vector_store=SimpleVectorStore(),
            )
            runner = RayRunner(num_actors=actors, batch_size=64, num_cpus_per_actor=0, max_batches_in_flight=3 * actors)
            marks: list[tuple[float, int]] = []

            def progress(done: int, total: int, marks: list[tuple[float, int]] = marks) -> None:
                marks.append((time.perf_counter(), done))

            load = _load()
            start = time.perf_counter()
            nodes = pipeline.run(documents=iter(documents), runner=runner, progress=progress)
            wall = time.perf_counter() - start
            busy = sum(1 for s in runner.last_stats if s["batches"])
            seconds = sum(s["seconds"] for s in runner.last_stats)
            rows.append((actors, wall, len(nodes), busy, seconds, _steady(marks, args.docs), load, _load()))
    finally:
        ray.shutdown()
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    print(
        f"{args.docs:,} one-chunk documents, OpenAIEmbedding → loopback server, {args.latency * 1000:.0f} ms per request"
    )
    print()
    print(
        "| actors | wall (actor start included) | docs/s | steady docs/s (10 → 90 %) | nodes | actors that worked "
        "| actors' busy time | load start → end |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for actors, wall, nodes, busy, seconds, steady, start, end in rows:
        print(
            f"| {actors} | {wall:.2f} s | {args.docs / wall:.0f} | {steady:.0f} | {nodes} | {busy} | {seconds:.1f} s "
            f"| {start} → {end} |"
        )
    first, last = rows[0], rows[-1]
    print(f"\n{last[0]} actors / {first[0]} actor: {first[1] / last[1]:.2f}x throughput (wall)")
    print(f"{last[0]} actors / {first[0]} actor: {last[5] / first[5]:.2f}x throughput (steady, 10 → 90 % committed)")


def _steady(marks: list[tuple[float, int]], total: int) -> float:
    """Documents per second between 10 % and 90 % committed (actor start-up and the tail left out)."""
    low = next((t, d) for t, d in marks if d >= total // 10)
    high = next((t, d) for t, d in marks if d >= total * 9 // 10)
    return (high[1] - low[1]) / max(high[0] - low[0], 1e-9)


# ---------------------------------------------------------------------------------------------------- memory
def _generated(count: int) -> Iterator[Any]:
    from dovetail.core.schema import Document

    filler = "The tenon is cut to fit the mortise and glued; the joint is clamped until dry. "
    for i in range(count):
        yield Document(id_=f"gen-{i:08d}", text=f"{i}: {filler}{filler}"[:200], metadata={"n": i})


def _counting_store() -> Any:
    from dovetail.core.vector_stores import SimpleVectorStore

    class CountingStore(SimpleVectorStore):
        """Keeps a count and a checksum of what it was given, like a remote store seen from the driver."""

        stores_text: bool = True

        def model_post_init(self, context: object) -> None:
            object.__setattr__(self, "count", 0)
            object.__setattr__(self, "digest", hashlib.sha256())

        def add(self, nodes: list[Any], **kwargs: Any) -> list[str]:
            for node in nodes:
                self.digest.update(node.node_id.encode())  # type: ignore[attr-defined]
            object.__setattr__(self, "count", self.count + len(nodes))  # type: ignore[attr-defined]
            return [node.node_id for node in nodes]

    return CountingStore()


def memory(args: argparse.Namespace) -> None:
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.storage import SimpleDocumentStore
    from dovetail.ingestion.ray import RayRunner

    ray = _ray_init(2)
    store = _counting_store()
    pipeline = IngestionPipeline(
        transformations=[SentenceSplitter(chunk_size=256, chunk_overlap=0), MockEmbedding(embed_dim=64)],
        vector_store=store,
        docstore=SimpleDocumentStore() if args.ledger else None,
    )
    pipeline.keep_nodes = False
    samples: dict[str, float] = {}
    mark = max(1, args.docs // 20)

    def progress(done: int, total: int) -> None:
        if "baseline" not in samples and done >= mark:
            samples["baseline"] = _rss_mb()

    runner = RayRunner(num_actors=2, batch_size=args.batch)
    load = _load()
    start = time.perf_counter()
    pipeline.run(documents=_generated(args.docs), runner=runner, progress=progress)
    wall = time.perf_counter() - start
    end_load = _load()
    ray.shutdown()
    print(
        f"| {args.docs:,} | {'on' if args.ledger else 'off'} | {wall:.0f} s | {args.docs / wall:.0f} | "
        f"{store.count:,} | {samples.get('baseline', 0):.0f} MB | {_rss_mb():.0f} MB | {_peak_mb():.0f} MB | "
        f"{runner.peak_in_flight} | {load} → {end_load} |"
    )


# ---------------------------------------------------------------------------------------------------- resume
_RESUME_DRIVER = """
import os, sys
sys.path.insert(0, {bench!r})
from bench_ray import _generated, _ray_init, _pipeline_for_resume
from dovetail.ingestion.ray import RayRunner
ray = _ray_init(2)
pipeline = _pipeline_for_resume({checkpoint!r})
def progress(done, total):
    print(done, flush=True)
pipeline.run(documents=_generated({count}), runner=RayRunner(num_actors=2, batch_size={batch}), progress=progress)
print("finished", flush=True)
"""


def _pipeline_for_resume(checkpoint: str | None) -> Any:
    from dovetail.core.embeddings import MockEmbedding
    from dovetail.core.ingestion import IngestionPipeline
    from dovetail.core.node_parser import SentenceSplitter
    from dovetail.core.storage import SimpleDocumentStore
    from dovetail.core.vector_stores import SimpleVectorStore

    splitter = SentenceSplitter(chunk_size=32, chunk_overlap=4)
    if checkpoint is None:
        return IngestionPipeline(
            transformations=[splitter, MockEmbedding(embed_dim=64)],
            vector_store=SimpleVectorStore(),
            docstore=SimpleDocumentStore(),
        )
    return IngestionPipeline(
        transformations=[splitter, MockEmbedding(embed_dim=64)], checkpoint_dir=checkpoint, checkpoint_interval=0.0
    )


def resume(args: argparse.Namespace) -> None:
    from dovetail.ingestion.ray import RayRunner

    checkpoint = tempfile.mkdtemp(prefix="bench-ray-resume-")
    script = _RESUME_DRIVER.format(bench=str(BENCH), checkpoint=checkpoint, count=args.docs, batch=args.batch)
    load = _load()
    start = time.perf_counter()
    killed_at = 0
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as driver:
        assert driver.stdout is not None
        for line in driver.stdout:
            if line.strip().isdigit() and int(line) >= args.docs // 2:
                killed_at = int(line)
                driver.send_signal(signal.SIGKILL)
                break
        driver.wait(timeout=120)
    first = time.perf_counter() - start

    ray = _ray_init(2)
    resumed = _pipeline_for_resume(checkpoint)
    committed = len(resumed.docstore.get_all_document_hashes())
    runner = RayRunner(num_actors=2, batch_size=args.batch)
    start = time.perf_counter()
    resumed.run(documents=_generated(args.docs), runner=runner)
    second = time.perf_counter() - start
    ray.shutdown()
    embedded_docs = sum(s["documents"] for s in runner.last_stats)
    embedded_texts = sum(s["nodes"] for s in runner.last_stats)

    reference = _pipeline_for_resume(None)
    reference.run(documents=list(_generated(args.docs)))
    want = {n.node_id: (n.get_content(), n.metadata, n.embedding) for n in reference.vector_store.get_nodes()}
    got = {n.node_id: (n.get_content(), n.metadata, n.embedding) for n in resumed.vector_store.get_nodes()}
    same = got == want and resumed.docstore.get_all_document_hashes() == reference.docstore.get_all_document_hashes()
    shutil.rmtree(checkpoint, ignore_errors=True)
    print(
        "| documents | killed at (progress) | committed at restart | rerun: documents / texts embedded | "
        "texts of the whole corpus | final store identical | first run, rerun | load start → end |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.docs:,} | {killed_at:,} | {committed:,} | {embedded_docs:,} / {embedded_texts:,} | {len(want):,} | "
        f"{'yes' if same else 'NO'} | {first:.0f} s, {second:.0f} s | {load} → {_load()} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("overhead")
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--actors", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--rounds", type=int, default=1)
    p.set_defaults(handler=overhead)
    p = sub.add_parser("scaling")
    p.add_argument("--docs", type=int, default=2_000)
    p.add_argument("--latency", type=float, default=0.05)
    p.add_argument("--actor-counts", type=int, nargs="+", default=[1, 4])
    p.set_defaults(handler=scaling)
    p = sub.add_parser("memory")
    p.add_argument("--docs", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=2_000)
    p.add_argument("--ledger", action="store_true", help="keep the docstore ledger (in memory) on the driver")
    p.set_defaults(handler=memory)
    p = sub.add_parser("resume")
    p.add_argument("--docs", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=200)
    p.set_defaults(handler=resume)
    args = parser.parse_args()
    print(f"load at start: {_load()}  ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", flush=True)
    args.handler(args)
    print(f"load at end: {_load()}")


if __name__ == "__main__":
    threading.excepthook = lambda hook_args: None  # Ray's background threads at interpreter exit
    main()
