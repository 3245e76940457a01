"""Upsert throughput: ``PineconeVectorStore.add`` vs the bare pinecone SDK, on a loopback needledb server.

100,000 × 384 float vectors (seeded), each with a short text. Runs in one process against one needledb server
(``needledb serve`` on 127.0.0.1, data on tmpfs, no periodic snapshots), each run into a fresh flat cosine index
that is checked to hold exactly 100,000 vectors and then dropped:

- ``sdk loop``: ``index.upsert(vectors=batch)`` in a plain loop, 100 vectors per call, metadata ``{"text": ...}``
  (what most hand-written ingestion code does);
- ``sdk batched``: ``index.upsert(vectors=all, batch_size=100, max_concurrency=4)`` (the SDK's own parallel upsert);
- ``dovetail c=1`` / ``dovetail c=4``: ``PineconeVectorStore.add(nodes)`` with batch_size=100 and max_concurrency
  1 / 4 (nodes are built before timing; the store validates every vector and writes text, metadata and the
  serialized node).

Each variant runs ``--rounds`` times (order alternating) and keeps its best wall time. Client CPU is this
process's CPU time, so it shows dovetail's own overhead apart from the server's work.

Usage: ``.venv/bin/python bench/bench_pinecone.py [--n 100000] [--dim 384] [--rounds 2]``
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import number_options

KEY = "bench-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_needledb(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    beside = Path(sys.executable).parent / "needledb"
    exe = str(beside) if beside.exists() else shutil.which("needledb")
    if exe is None:
        raise SystemExit("needledb is not installed; run `make install`")
    port = _free_port()
    # No periodic snapshots during a run: the figures are about the client, not needledb's persistence.
    env = {**os.environ, "NEEDLEDB_SNAPSHOT_EVERY": str(10**9)}
    proc = subprocess.Popen(
        [exe, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(port), "--api-key", KEY,
         "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("needledb did not start")


def _index_spec(name: str, dim: int) -> dict[str, Any]:
    return {"name": name, "dimension": dim, "metric": "cosine", "index_type": "flat"}


def _index_request(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = None if body is None else json.dumps(body)
    conn.request(method, path, body=payload, headers={"Api-Key": KEY, "Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status >= 300:
        raise SystemExit(f"{method} {path} failed: {response.status}")


def _timed(label: str, fn: Any) -> tuple[float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    fn()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started  # client process only; needledb runs in its own process
    print(f"{label:>14}: {seconds:7.2f} s wall, {cpu_seconds:6.2f} s client CPU", flush=True)
    return seconds, cpu_seconds


def main() -> int:
    args = number_options(__doc__, n=100_000, dim=384, rounds=2).parse_args()

    import numpy as np
    from dovetail.core.schema import TextNode
    from dovetail.vector_stores.pinecone import PineconeVectorStore
    from pinecone import Pinecone

    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((args.n, args.dim), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    vectors: list[list[float]] = matrix.tolist()
    ids = [f"v{i}" for i in range(args.n)]
    texts = [f"passage number {i} about joinery" for i in range(args.n)]
    nodes = [TextNode(id_=i, text=t, embedding=v) for i, t, v in zip(ids, texts, vectors, strict=True)]

    # tmpfs (when there is one) keeps disk stalls out of the figures.
    tmp_root = "/dev/shm" if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory(dir=tmp_root) as data:
        proc, port = _start_needledb(Path(data))
        try:
            results: dict[str, float] = {}
            cpu: dict[str, float] = {}

            def sdk_loop(index: Any) -> None:
                for start in range(0, args.n, 100):
                    batch = [
                        {"id": ids[j], "values": vectors[j], "metadata": {"text": texts[j]}}
                        for j in range(start, min(start + 100, args.n))
                    ]
                    index.upsert(vectors=batch)

            def sdk_batched(index: Any) -> None:
                records = [
                    {"id": i, "values": v, "metadata": {"text": t}} for i, t, v in zip(ids, texts, vectors, strict=True)
                ]
                index.upsert(vectors=records, batch_size=100, max_concurrency=4, show_progress=False)

            def dovetail(concurrency: int) -> Any:
                def run(index: Any) -> None:
                    store = stores[(index.host, concurrency)]
                    store.add(nodes)
                    store.close()

                return run

            # Clients are built (and their connection opened) before the clock starts, like the SDK's index.
            stores: dict[tuple[str, int], PineconeVectorStore] = {}

            def prepare(index: Any, label: str) -> None:
                index.upsert(vectors=[{"id": "warm-up", "values": vectors[0]}], namespace="warm-up")
                if label.startswith("dovetail"):
                    concurrency = int(label.rsplit("=", 1)[1])
                    store = PineconeVectorStore(
                        host=index.host, api_key=KEY, max_concurrency=concurrency, dimension=args.dim
                    )
                    store.add(nodes[:1], namespace="warm-up")
                    stores[(index.host, concurrency)] = store

            variants: dict[str, Any] = {
                "sdk loop": sdk_loop,
                "sdk batched": sdk_batched,
                "dovetail c=1": dovetail(1),
                "dovetail c=4": dovetail(4),
            }
            # Every run gets a fresh index (dropped afterwards), so no run pays for another's data, snapshots or
            # compaction. Rounds alternate the order; each variant keeps its best round (shared, noisy machine).
            for round_ in range(args.rounds):
                order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
                for label in order:
                    name = f"r{round_}-{label.replace(' ', '-').replace('=', '')}"
                    _index_request(port, "POST", "/indexes", _index_spec(name, args.dim))
                    index = Pinecone(api_key=KEY).Index(host=f"http://127.0.0.1:{port}/indexes/{name}")
                    prepare(index, label)
                    seconds, cpu_seconds = _timed(label, lambda fn=variants[label], index=index: fn(index))
                    count = index.describe_index_stats().namespaces[""].vector_count
                    index.close()
                    _index_request(port, "DELETE", f"/indexes/{name}")
                    if count != args.n:
                        raise SystemExit(f"{label} stored {count} vectors, expected {args.n}")
                    if seconds < results.get(label, float("inf")):
                        results[label], cpu[label] = seconds, cpu_seconds
        finally:
            proc.kill()
            proc.wait()

    rate = {label: args.n / seconds for label, seconds in results.items()}
    print(f"\n{args.n:,} x {args.dim} vectors, best of {args.rounds} rounds; throughput and client CPU vs the SDK")
    print("| variant | wall s | vectors/s | throughput vs sdk loop | vs sdk batched | client CPU s | CPU vs sdk loop |")
    print("|---|---|---|---|---|---|---|")
    for label, seconds in results.items():
        print(
            f"| {label} | {seconds:.1f} | {rate[label]:,.0f} | {rate[label] / rate['sdk loop']:.2f}x "
            f"| {rate[label] / rate['sdk batched']:.2f}x | {cpu[label]:.1f} | {cpu[label] / cpu['sdk loop']:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
