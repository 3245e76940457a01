"""What the benchmark scripts share: their command line, the timed embedding run, the streaming race.

Standard library only: the peer scripts, run by another project's interpreter, import it too (with this folder
put on their ``sys.path``).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any


def number_options(doc: str, **defaults: float) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with one ``--name`` option per default.

    Each option takes a number of its default's type; ``min_bytes=400`` is ``--min-bytes`` (an int, 400 unless
    given). Add other options to the returned parser before parsing.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser


async def timed_embedding(embed: Any, texts: list[str], warm_up: int) -> tuple[float, float]:
    """Wall and client-CPU seconds of ``await embed.aget_text_embedding_batch(texts)``.

    The first ``warm_up`` texts are embedded before (to open the connection pool), and garbage from imports and
    warm-up is collected, so every contender starts its timed run alike.
    """
    await embed.aget_text_embedding_batch(texts[:warm_up])
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    vectors = await embed.aget_text_embedding_batch(texts)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(vectors) == len(texts)
    return elapsed, cpu


Timing = tuple[float, float, float, float, int]  # wall raw, wall ours, CPU raw, CPU ours, chunks


def best_pair(raw: Callable[[], int], ours: Callable[[], None], reps: int) -> Timing:
    """Best-of-``reps`` wall and CPU (this process) times of the raw SDK and dovetail, alternating; ``raw`` returns
    the number of chunks it received (the first, untimed, call's count is reported)."""
    chunks = raw()
    ours()
    best = [float("inf")] * 4
    for _ in range(reps):
        for slot, fn in ((0, raw), (1, ours)):
            gc.collect()
            started, cpu = time.perf_counter(), time.process_time()
            fn()
            best[slot] = min(best[slot], time.perf_counter() - started)
            best[slot + 2] = min(best[slot + 2], time.process_time() - cpu)
    return best[0], best[1], best[2], best[3], chunks


def race_stream(raw: Callable[[], int], llm: Any, prompt: str, reps: int) -> Timing:
    """:func:`best_pair` of ``raw`` (the SDK streaming an answer to ``prompt``) and ``llm.stream_chat`` of it."""
    from dovetail.core.llms import ChatMessage

    messages = [ChatMessage(content=prompt)]

    def ours() -> None:
        for _ in llm.stream_chat(messages):
            pass

    return best_pair(raw, ours, reps)
