"""What ``rate_limiter=`` costs a call when the budget is never spent: requests only, and with token counting.

An instant ``MockLLM`` and ``MockEmbedding`` make everything measured framework cost. Each case runs without a
limiter and with a ``TokenBucketRateLimiter`` whose limits are never reached, alternating, best of ``--repeats``;
the figures are microseconds per call and the ratio against no limiter in the same run.

Usage: ``.venv/bin/python bench/bench_rate_limiter.py`` (``--calls``, ``--repeats``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import number_options
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.llms import MockLLM
from dovetail.core.rate_limiter import TokenBucketRateLimiter

PROMPT = "How is a through dovetail laid out, sawn and pared to the line? " * 8  # ~130 tokens
TEXTS = [f"Chunk {i}: " + "the pins are sawn first and the tails are marked from them. " * 20 for i in range(64)]


def _best(fn: Callable[[], object], calls: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - started) / calls)
    return best * 1e6


def _limiters() -> dict[str, TokenBucketRateLimiter | None]:
    return {
        "no limiter": None,
        "requests_per_minute": TokenBucketRateLimiter(requests_per_minute=1e12),
        "requests + tokens_per_minute": TokenBucketRateLimiter(requests_per_minute=1e12, tokens_per_minute=1e15),
    }


def _llm_call(limiter: TokenBucketRateLimiter | None) -> Callable[[], object]:
    llm = MockLLM(rate_limiter=limiter)
    return lambda: llm.complete(PROMPT)


def _embedding_call(limiter: TokenBucketRateLimiter | None) -> Callable[[], object]:
    model = MockEmbedding(embed_dim=8, embed_batch_size=64, rate_limiter=limiter)
    return lambda: model.get_text_embedding_batch(TEXTS)


def main() -> None:
    args = number_options(__doc__ or "", calls=2000, repeats=5).parse_args()
    rows: list[tuple[str, str, float, float]] = []
    for case, make in (
        ("MockLLM.complete (one ~130-token prompt)", _llm_call),
        ("MockEmbedding batch (64 texts, ~900 tokens each)", _embedding_call),
    ):
        calls = args.calls if "complete" in case else max(1, args.calls // 20)
        fns = {name: make(limiter) for name, limiter in _limiters().items()}
        for fn in fns.values():
            fn()
        best = {name: float("inf") for name in fns}
        for _ in range(args.repeats):
            for name, fn in fns.items():
                best[name] = min(best[name], _best(fn, calls, 1))
        base = best["no limiter"]
        rows.extend((case, name, micros, micros / base) for name, micros in best.items())
    print("| call | limiter | µs per call | / no limiter |")
    print("|---|---|---|---|")
    for case, name, micros, ratio in rows:
        print(f"| {case} | {name} | {micros:.1f} | {ratio:.2f}× |")


if __name__ == "__main__":
    main()
