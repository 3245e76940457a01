"""Framework overhead of ``BaseEmbedding.get_text_embedding_batch`` vs calling the provider directly.

A batched provider returns precomputed vectors (10,000 texts, dim 384), so everything measured on top of the
direct call is framework cost: batching, input/output checks, events. The same provider is wrapped in
llama-index-core's ``BaseEmbedding`` in its own venv (``bench/.venv-llamaindex``, created with uv and shared
with the other bench scripts), and measured in the same run.

Usage: ``.venv/bin/python bench/bench_embedding_overhead.py`` (``--no-peer`` skips llama-index-core).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _peers import llama_index_core_python
from _peers import run_worker

BENCH = Path(__file__).resolve().parent
N_TEXTS, DIM, REPEATS = 10_000, 384, 7
BATCH_SIZES = (10, 100)
TARGET_US = 5.0

# Runs in both interpreters: builds identical inputs, times the direct provider and the framework wrapper.
WORKER = textwrap.dedent(
    """
    import json, random, sys, time

    N, DIM, REPEATS, BATCH_SIZES, FLAVOUR = json.loads(sys.argv[1])
    rng = random.Random(0)
    TEXTS = [f"text number {i} " + "x" * (i % 50) for i in range(N)]
    VECTORS = {t: [rng.uniform(-1.0, 1.0) for _ in range(DIM)] for t in TEXTS}

    def provider(texts):
        return [VECTORS[t] for t in texts]

    if FLAVOUR == "dovetail":
        from dovetail.core.embeddings import BaseEmbedding
    else:
        from llama_index.core.embeddings import BaseEmbedding

    class Precomputed(BaseEmbedding):
        def _get_query_embedding(self, query):
            return VECTORS[query]

        def _get_text_embedding(self, text):
            return VECTORS[text]

        def _get_text_embeddings(self, texts):
            return provider(texts)

        async def _aget_query_embedding(self, query):
            return VECTORS[query]

    def best(fn):
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times)

    result = {}
    for size in BATCH_SIZES:
        def direct(size=size):
            out = []
            for i in range(0, N, size):
                out.extend(provider(TEXTS[i : i + size]))
            assert len(out) == N

        model = Precomputed(embed_batch_size=size)
        assert model.get_text_embedding_batch(TEXTS[:3]) == provider(TEXTS[:3])

        def framework(model=model):
            assert len(model.get_text_embedding_batch(TEXTS)) == N

        t_direct, t_framework = best(direct), best(framework)
        result[str(size)] = {"direct_s": t_direct, "framework_s": t_framework,
                             "overhead_us_per_text": (t_framework - t_direct) / N * 1e6}
    print(json.dumps(result))
    """
)


def run(python: str | Path, flavour: str) -> dict[str, dict[str, float]]:
    return run_worker(python, WORKER, [N_TEXTS, DIM, REPEATS, list(BATCH_SIZES), flavour])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-peer", action="store_true", help="skip the llama-index-core comparison")
    options = parser.parse_args()

    ours = run(sys.executable, "dovetail")
    peer: dict[str, dict[str, float]] | None = None
    version = ""
    if not options.no_peer:
        peer_python, version = llama_index_core_python()
        peer = run(peer_python, "llamaindex")

    print(f"get_text_embedding_batch: {N_TEXTS} texts, dim {DIM}, best of {REPEATS}, no callback handlers")
    ok = True
    for size in map(str, BATCH_SIZES):
        mine = ours[size]
        line = (
            f"embed_batch_size={size:>3}: dovetail overhead {mine['overhead_us_per_text']:.2f} us/text "
            f"(x{mine['framework_s'] / mine['direct_s']:.2f} of the direct provider call)"
        )
        if peer is not None:
            theirs = peer[size]
            line += (
                f"; llama-index-core {version} overhead {theirs['overhead_us_per_text']:.2f} us/text "
                f"(x{theirs['framework_s'] / theirs['direct_s']:.2f}); "
                f"dovetail total time = {mine['framework_s'] / theirs['framework_s']:.2f}x llama-index-core's"
            )
        print(line)
        ok = ok and mine["overhead_us_per_text"] <= TARGET_US
    print(f"target <= {TARGET_US} us/text: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
