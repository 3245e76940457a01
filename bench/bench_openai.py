"""OpenAI integrations vs llama-index's, in one run on the same loopback server.

(a) import time of ``dovetail.llms.openai`` vs ``llama_index.llms.openai`` (target: ≤ 1/3);
(b) 20,000 texts embedded through the loopback server with 20 ms injected latency per request, batch 100,
    max_concurrency 8: throughput as a share of the ideal (requests × latency / concurrency), dovetail and
    llama-index's ``OpenAIEmbedding`` (target: ≥ 90 %). Two ceilings are measured on the same server: the bare
    ``openai`` SDK sending the same requests without decoding anything (the SDK's own limit), and a raw
    asyncio-socket client (the server's limit). Each contender runs ``EMBED_RUNS`` times, alternating; medians;
(c) framework overhead per streamed chat chunk vs the raw ``openai`` SDK on the same stream (target: ≤ 20 µs).

llama-index-llms-openai and llama-index-embeddings-openai are installed into bench/.venv-llamaindex.
Run: ``.venv/bin/python bench/bench_openai.py``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from _common import Timing
from _common import race_stream
from _common import timed_embedding
from _peers import ensure_venv
from bench_core_import import cumulative_import_ms

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SERVER = ROOT / "core/src/dovetail/core/testing/servers/openai_loopback.py"
TEXTS = 20_000
BATCH = 100
CONCURRENCY = 8
LATENCY = 0.02
STREAM_WORDS = 2000


class Server:
    def __init__(self, latency: float, dims: int = 64) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER), "--latency", str(latency), "--dims", str(dims)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}/v1"

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def dovetail_embed(url: str, texts: list[str]) -> tuple[float, float]:
    from dovetail.embeddings.openai import OpenAIEmbedding

    async def run() -> tuple[float, float]:
        async with OpenAIEmbedding(
            api_key="k", api_base=url, embed_batch_size=BATCH, max_concurrency=CONCURRENCY, max_retries=0
        ) as embed:
            return await timed_embedding(embed, texts, BATCH * CONCURRENCY)

    return asyncio.run(run())


PEER_EMBED = """
import asyncio, json, sys
from llama_index.embeddings.openai import OpenAIEmbedding
url, n, batch, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, sys.argv[5])
from _common import timed_embedding
texts = [f"text number {i} about dovetail joints" for i in range(n)]
embed = OpenAIEmbedding(api_key="k", api_base=url, embed_batch_size=batch, num_workers=workers, max_retries=0)
print(json.dumps(asyncio.run(timed_embedding(embed, texts, batch * workers))))
"""


def stream_compare(url: str, reps: int) -> Timing:
    """Best-of-``reps`` times of one long chat stream: the raw SDK and dovetail, alternating in one process."""
    import openai
    from dovetail.llms.openai import OpenAI

    prompt = " ".join(f"w{i}" for i in range(STREAM_WORDS))
    client = openai.OpenAI(api_key="k", base_url=url, max_retries=0)
    llm = OpenAI(model="gpt-4o-mini", api_key="k", api_base=url, max_retries=0)

    def raw() -> int:
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": prompt}],
            temperature=0.1,
            stream=True,
            stream_options={"include_usage": True},
        )
        return sum(1 for chunk in stream if chunk.choices and chunk.choices[0].delta.content)

    try:
        return race_stream(raw, llm, prompt, reps)
    finally:
        client.close()
        llm.close()


def raw_sdk_embed(url: str, texts: list[str], decode: bool = True) -> tuple[float, float]:
    """The bare async SDK with the same batches and concurrency: ``embeddings.create`` (typed, decoded), or with
    ``decode=False`` only the SDK's HTTP path (``client.post``, JSON parsed, vectors left as base64): its ceiling."""
    import openai

    async def run() -> tuple[float, float]:
        client = openai.AsyncOpenAI(api_key="k", base_url=url, max_retries=0)
        semaphore = asyncio.Semaphore(CONCURRENCY)

        async def one(batch: list[str]) -> int:
            async with semaphore:
                if not decode:
                    body = {"model": "text-embedding-3-small", "input": batch, "encoding_format": "base64"}
                    payload = await client.post("/embeddings", cast_to=object, body=body)
                    return len(payload["data"])  # type: ignore[index]
                response = await client.embeddings.create(
                    model="text-embedding-3-small", input=batch, encoding_format="base64"
                )
                return len(response.data)

        batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]
        await asyncio.gather(*(one(b) for b in batches[:CONCURRENCY]))
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        done = await asyncio.gather(*(one(b) for b in batches))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert sum(done) == len(texts)
        await client.close()
        return elapsed, cpu

    return asyncio.run(run())


def socket_floor(url: str, texts: list[str]) -> tuple[float, float]:
    """The server's ceiling: 8 keep-alive connections speaking HTTP/1.1 over raw asyncio streams, JSON parsed."""
    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    batches = [texts[i : i + BATCH] for i in range(0, len(texts), BATCH)]

    async def connection(queue: list[list[str]]) -> int:
        reader, writer = await asyncio.open_connection(host, int(port))
        done = 0
        while queue:
            body = json.dumps({"model": "m", "input": queue.pop(), "encoding_format": "base64"}).encode()
            head = f"POST /v1/embeddings HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            writer.write(f"{head}Authorization: Bearer k\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            headers = (await reader.readuntil(b"\r\n\r\n")).decode().lower()
            length = int(headers.split("content-length:", 1)[1].split("\r\n", 1)[0])
            done += len(json.loads(await reader.readexactly(length))["data"])
        writer.close()
        return done

    async def run() -> tuple[float, float]:
        await asyncio.gather(*(connection(batches[:1]) for _ in range(CONCURRENCY)))
        gc.collect()
        queue = batches[::-1]
        started, cpu = time.perf_counter(), time.process_time()
        done = await asyncio.gather(*(connection(queue) for _ in range(CONCURRENCY)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert sum(done) == len(texts)
        return elapsed, cpu

    return asyncio.run(run())


EMBED_RUNS = 3


def embed_compare(peer_python: Path) -> dict[str, Any]:
    """Median wall and client-CPU seconds of each contender over ``EMBED_RUNS`` alternating runs."""
    texts = [f"text number {i} about dovetail joints" for i in range(TEXTS)]

    def peer(url: str, texts: list[str]) -> tuple[float, float]:
        out = subprocess.run(
            [str(peer_python), "-c", PEER_EMBED, url, str(len(texts)), str(BATCH), str(CONCURRENCY), str(BENCH)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        wall, cpu = json.loads(out)
        return float(wall), float(cpu)

    contenders: dict[str, Callable[[str, list[str]], tuple[float, float]]] = {
        "dovetail": dovetail_embed,
        "sdk_create": raw_sdk_embed,
        "sdk_transport": partial(raw_sdk_embed, decode=False),
        "socket_floor": socket_floor,
        "llamaindex": peer,
    }
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    server = Server(LATENCY)
    try:
        for _ in range(EMBED_RUNS):
            for name, contender in contenders.items():
                wall, cpu = contender(server.url, texts)
                walls[name].append(wall)
                cpus[name].append(cpu)
    finally:
        server.close()
    results: dict[str, Any] = {}
    for name in contenders:
        results[f"embed_{name}_s"] = statistics.median(walls[name])
        results[f"embed_{name}_cpu_s"] = statistics.median(cpus[name])
        results[f"embed_{name}_runs_s"] = walls[name]
    return results


def main() -> int:
    peer_python = ensure_venv(
        "llamaindex",
        ["llama-index-core", "llama-index-llms-openai", "llama-index-embeddings-openai"],
        probe_import="llama_index.llms.openai, llama_index.embeddings.openai",
    )
    results: dict[str, Any] = {}
    ours = cumulative_import_ms(sys.executable, "dovetail.llms.openai")
    peer = cumulative_import_ms(str(peer_python), "llama_index.llms.openai")
    results.update(import_dovetail_ms=ours, import_llamaindex_ms=peer, import_ratio=ours / peer)
    print(
        f"(a) import: dovetail.llms.openai {ours:.0f} ms, llama_index.llms.openai {peer:.0f} ms, "
        f"ratio {ours / peer:.3f} (target <= 0.333)"
    )

    requests = TEXTS // BATCH
    ideal = requests * LATENCY / CONCURRENCY
    embed = embed_compare(peer_python)
    results.update(embed, embed_ideal_s=ideal, load_average=os.getloadavg()[0])
    share = {
        name: ideal / embed[f"embed_{name}_s"]
        for name in ("dovetail", "sdk_create", "sdk_transport", "socket_floor", "llamaindex")
    }
    results.update({f"embed_{name}_efficiency": value for name, value in share.items()})
    print(
        f"(b) embed {TEXTS} texts, {requests} requests x {LATENCY * 1000:.0f} ms / {CONCURRENCY}: ideal {ideal:.3f} s; "
        f"median of {EMBED_RUNS}: dovetail {share['dovetail']:.0%} of ideal (target >= 90%), llama-index "
        f"{share['llamaindex']:.0%}, bare SDK embeddings.create {share['sdk_create']:.0%}; ceilings: SDK HTTP path "
        f"alone {share['sdk_transport']:.0%}, raw sockets {share['socket_floor']:.0%}; client CPU: dovetail "
        f"{embed['embed_dovetail_cpu_s']:.2f} s, SDK create {embed['embed_sdk_create_cpu_s']:.2f} s, SDK HTTP path "
        f"{embed['embed_sdk_transport_cpu_s']:.2f} s, llama-index {embed['embed_llamaindex_cpu_s']:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    server = Server(0.0)
    try:
        raw_s, ours_stream, raw_cpu, ours_cpu_stream, chunks = stream_compare(server.url, reps=15)
    finally:
        server.close()
    per_chunk_us = (ours_stream - raw_s) / chunks * 1e6
    per_chunk_cpu_us = (ours_cpu_stream - raw_cpu) / chunks * 1e6
    results.update(
        stream_raw_s=raw_s,
        stream_dovetail_s=ours_stream,
        stream_chunks=chunks,
        stream_overhead_us_per_chunk=per_chunk_us,
        stream_cpu_raw_s=raw_cpu,
        stream_cpu_dovetail_s=ours_cpu_stream,
        stream_cpu_overhead_us_per_chunk=per_chunk_cpu_us,
    )
    print(
        f"(c) stream {chunks} chunks: raw SDK {raw_s * 1000:.1f} ms, dovetail {ours_stream * 1000:.1f} ms, "
        f"overhead {per_chunk_us:.1f} us/chunk wall; client CPU raw {raw_cpu * 1000:.1f} ms, dovetail "
        f"{ours_cpu_stream * 1000:.1f} ms, overhead {per_chunk_cpu_us:.1f} us/chunk CPU (target <= 20)"
    )
    out = ROOT / "bench/results"
    out.mkdir(exist_ok=True)
    (out / "openai.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OPENAI_API_KEY", "k")
    raise SystemExit(main())
