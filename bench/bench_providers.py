"""Anthropic, Gemini and Ollama: import time, per-chunk streaming overhead, embedding throughput.

1. ``import dovetail.llms.<p>`` vs ``import llama_index.llms.<p>`` (anthropic, google_genai, ollama), best of 5
   fresh interpreters (``-X importtime``).
2. Framework cost per streamed chunk: one long answer streamed from the provider's loopback server (its real wire
   protocol, run as a subprocess) with the raw SDK and with dovetail, alternating, best of N; the overhead is
   ``(dovetail - raw) / chunks``.
3. Embeddings (Ollama ``/api/embed``, Gemini ``batchEmbedContents``): 20,000 texts, 100 per request, 20 ms server
   latency, 8 requests in flight; ideal = ceil(200 / 8) * 20 ms; llama-index's embedder with ``num_workers=8``
   on the same server, alternating with dovetail, best of ``EMBED_ROUNDS``.

The peers are installed into ``bench/.venv-llamaindex-providers``. Run: ``.venv/bin/python bench/bench_providers.py``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from _common import Timing
from _common import race_stream
from _common import timed_embedding
from _peers import ensure_venv
from _peers import version_of
from bench_core_import import cumulative_import_ms

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SERVERS = {
    "anthropic": ROOT / "integrations/llms/dovetail-llms-anthropic/tests/anthropic_loopback.py",
    "gemini": ROOT / "core/src/dovetail/core/testing/servers/gemini_loopback.py",
    "ollama": ROOT / "core/src/dovetail/core/testing/servers/ollama_loopback.py",
}
PEERS = [
    "llama-index-llms-anthropic",
    "llama-index-llms-google-genai",
    "llama-index-llms-ollama",
    "llama-index-embeddings-ollama",
    "llama-index-embeddings-google-genai",
]
TEXTS, BATCH, CONCURRENCY, LATENCY = 20_000, 100, 8, 0.02
STREAM_WORDS, REPS = 2000, 7
EMBED_ROUNDS = 3
ANTHROPIC_KEY, GEMINI_KEY = "sk-ant-loopback-0123456789", "AIza-loopback-0123456789"


class Server:
    """A loopback server in its own process (so its work does not share our GIL)."""

    def __init__(self, provider: str, latency: float = 0.0) -> None:
        args = [sys.executable, str(SERVERS[provider]), "--latency", str(latency)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


STREAM_PROMPT = " ".join(f"w{i}" for i in range(STREAM_WORDS))


def stream_anthropic(url: str) -> Timing:
    import anthropic
    from dovetail.llms.anthropic import Anthropic

    client = anthropic.Anthropic(api_key=ANTHROPIC_KEY, base_url=url, max_retries=0, open_telemetry=False)
    llm = Anthropic(api_key=ANTHROPIC_KEY, base_url=url, max_retries=0)

    def raw() -> int:
        stream = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=4096,
            messages=[{"role": "user", "content": STREAM_PROMPT}],
            stream=True,
        )
        return sum(1 for event in stream if event.type == "content_block_delta")

    return race_stream(raw, llm, STREAM_PROMPT, REPS)


def stream_gemini(url: str) -> Timing:
    from dovetail.llms.gemini import GoogleGenAI
    from google import genai
    from google.genai import types

    options = types.HttpOptions(base_url=url, retry_options=types.HttpRetryOptions(attempts=1))
    client = genai.Client(api_key=GEMINI_KEY, http_options=options)
    llm = GoogleGenAI(api_key=GEMINI_KEY, base_url=url, max_retries=0)

    def raw() -> int:
        stream = client.models.generate_content_stream(
            model="gemini-2.5-flash", contents=STREAM_PROMPT, config={"temperature": 0.1}
        )
        return sum(1 for chunk in stream if chunk.text)

    return race_stream(raw, llm, STREAM_PROMPT, REPS)


def stream_ollama(url: str) -> Timing:
    import ollama
    from dovetail.llms.ollama import Ollama

    client = ollama.Client(host=url)
    llm = Ollama(model="llama3.2", base_url=url, max_retries=0)

    def raw() -> int:
        stream = client.chat(model="llama3.2", messages=[{"role": "user", "content": STREAM_PROMPT}], stream=True)
        return sum(1 for chunk in stream if chunk.message.content)

    return race_stream(raw, llm, STREAM_PROMPT, REPS)


def dovetail_embed(provider: str, url: str) -> float:
    texts = [f"text number {i} about dovetail joints" for i in range(TEXTS)]
    if provider == "ollama":
        from dovetail.embeddings.ollama import OllamaEmbedding

        embed: Any = OllamaEmbedding(
            model_name="nomic-embed-text", base_url=url, embed_batch_size=BATCH, max_concurrency=CONCURRENCY
        )
    else:
        from dovetail.embeddings.gemini import GoogleGenAIEmbedding

        embed = GoogleGenAIEmbedding(
            model_name="gemini-embedding-001",
            api_key=GEMINI_KEY,
            base_url=url,
            embed_batch_size=BATCH,
            max_concurrency=CONCURRENCY,
        )

    wall, _ = asyncio.run(timed_embedding(embed, texts, BATCH * CONCURRENCY))
    return wall


PEER_EMBED = """
import asyncio, json, sys
provider, url, n, batch, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sys.path.insert(0, sys.argv[7])
from _common import timed_embedding
texts = [f"text number {i} about dovetail joints" for i in range(n)]
if provider == "ollama":
    from llama_index.embeddings.ollama import OllamaEmbedding
    embed = OllamaEmbedding(model_name="nomic-embed-text", base_url=url, embed_batch_size=batch, num_workers=workers)
else:
    from google.genai import types
    from llama_index.embeddings.google_genai import GoogleGenAIEmbedding
    embed = GoogleGenAIEmbedding(model_name="gemini-embedding-001", api_key=sys.argv[6], embed_batch_size=batch,
                                 num_workers=workers, http_options=types.HttpOptions(base_url=url))
wall, _ = asyncio.run(timed_embedding(embed, texts, batch * workers))
print(json.dumps(wall))
"""


def peer_embed(python: str, provider: str, url: str) -> float | str:
    args = [python, "-c", PEER_EMBED, provider, url, str(TEXTS), str(BATCH), str(CONCURRENCY), GEMINI_KEY, str(BENCH)]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=900)
    if done.returncode:
        return f"failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}"
    return float(json.loads(done.stdout))


def main() -> None:
    parts = set(sys.argv[1:]) or {"import", "stream", "embed"}
    peer = str(ensure_venv("llamaindex-providers", PEERS, "llama_index.llms.ollama, llama_index.llms.anthropic"))
    print(f"load average at start: {load()}")
    if "import" in parts:
        imports(peer)
    if "stream" in parts:
        streams()
    if "embed" in parts:
        embeddings(peer)
    print(f"\nload average at end: {load()}")


def imports(peer: str | None = None) -> None:
    peer = peer or str(ensure_venv("llamaindex-providers", PEERS, "llama_index.llms.ollama"))
    print("## import time (best of 5, ms)")
    for ours, theirs, dist in (
        ("dovetail.llms.anthropic", "llama_index.llms.anthropic", "llama-index-llms-anthropic"),
        ("dovetail.llms.gemini", "llama_index.llms.google_genai", "llama-index-llms-google-genai"),
        ("dovetail.llms.ollama", "llama_index.llms.ollama", "llama-index-llms-ollama"),
    ):
        a, b = cumulative_import_ms(sys.executable, ours), cumulative_import_ms(peer, theirs)
        print(f"{ours}: {a:.1f} ms; {theirs} ({version_of(Path(peer), dist)}): {b:.1f} ms; ratio {a / b:.3f}")


def streams() -> None:
    print(f"\n## streaming overhead per chunk (best of {REPS}, {STREAM_WORDS}-word answer)")
    for provider, fn in (("anthropic", stream_anthropic), ("gemini", stream_gemini), ("ollama", stream_ollama)):
        server = Server(provider)
        try:
            raw, ours, raw_cpu, ours_cpu, chunks = fn(server.url)
        finally:
            server.close()
        print(
            f"{provider}: {chunks} chunks; wall raw SDK {raw * 1e3:.1f} ms, dovetail {ours * 1e3:.1f} ms "
            f"(+{(ours - raw) / chunks * 1e6:.1f} µs/chunk); client CPU raw {raw_cpu * 1e3:.1f} ms, dovetail "
            f"{ours_cpu * 1e3:.1f} ms (+{(ours_cpu - raw_cpu) / chunks * 1e6:.1f} µs/chunk)"
        )


def embeddings(peer: str) -> None:
    ideal = math.ceil(TEXTS / BATCH / CONCURRENCY) * LATENCY
    print(
        f"\n## embeddings: {TEXTS} texts, {BATCH}/request, {LATENCY * 1e3:.0f} ms latency, {CONCURRENCY} in flight "
        f"(ideal {ideal:.2f} s; best of {EMBED_ROUNDS} alternating rounds)"
    )
    for provider in ("ollama", "gemini"):
        server = Server(provider, latency=LATENCY)
        ours: list[float] = []
        theirs: list[float] = []
        failure = ""
        try:
            for _ in range(EMBED_ROUNDS):
                ours.append(dovetail_embed(provider, server.url))
                peer_s = peer_embed(peer, provider, server.url)
                if isinstance(peer_s, str):
                    failure = peer_s
                else:
                    theirs.append(peer_s)
        finally:
            server.close()
        ours_s = min(ours)
        runs = ", ".join(f"{s:.2f}" for s in ours)
        line = f"{provider}: dovetail {ours_s:.2f} s ({ideal / ours_s:.0%} of ideal; runs {runs})"
        if theirs:
            theirs_s = min(theirs)
            runs = ", ".join(f"{s:.2f}" for s in theirs)
            line += (
                f"; llama-index {theirs_s:.2f} s ({ideal / theirs_s:.0%} of ideal; runs {runs}); "
                f"speed-up {theirs_s / ours_s:.2f}×"
            )
        else:
            line += f"; llama-index {failure}"
        print(line)


def load() -> str:
    """The 1-, 5- and 15-minute load averages, for the figures' context."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
