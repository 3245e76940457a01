"""Per-chunk cost of the LLM stream wrappers (``EventStream``/``EventAsyncStream``): this tree against a revision.

A ``CustomLLM`` whose stream yields 200 ready chunks is observed by an ``EventRecorder``, so the stream is wrapped and
every pull makes the LLM event current, ends it at the end, and restores the caller's context. The revision's
``core/src`` is unpacked with ``git archive`` (as in ``bench_import_ab.py``); the two trees run in alternating
fresh interpreters and each figure is the median over ``--runs`` interpreters of the best of 5 repeats.

Usage: ``.venv/bin/python bench/bench_stream_ab.py --base REV [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import_ab import unpack

ROOT = Path(__file__).resolve().parent.parent
CHUNKS, STREAMS = 200, 200

WORKER = textwrap.dedent(
    """
    import asyncio, json, sys, time

    import dovetail.core
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from dovetail.core.testing.events import EventRecorder

    CHUNKS, STREAMS = json.loads(sys.argv[1])
    READY = [CompletionResponse(text="x" * (i + 1), delta="x") for i in range(CHUNKS)]

    class Ready(CustomLLM):
        @property
        def metadata(self):
            return LLMMetadata(model_name="ready")

        def complete(self, prompt, formatted=False, **kwargs):
            return READY[-1]

        def stream_complete(self, prompt, formatted=False, **kwargs):
            return iter(READY)

        async def astream_complete(self, prompt, formatted=False, **kwargs):
            async def gen():
                for chunk in READY:
                    yield chunk
            return gen()

    llm = Ready(callback_manager=CallbackManager([EventRecorder()]))

    def best(fn):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return min(times) / (STREAMS * CHUNKS) * 1e6

    def sync_streams():
        for _ in range(STREAMS):
            for _ in llm.stream_complete("hi"):
                pass

    async def async_streams():
        for _ in range(STREAMS):
            async for _ in await llm.astream_complete("hi"):
                pass

    sync, asyn = best(sync_streams), best(lambda: asyncio.run(async_streams()))
    print(json.dumps({"sync": sync, "async": asyn, "origin": dovetail.core.__file__}))
    """
)


def measure(src: Path) -> dict[str, float]:
    """Microseconds per chunk, sync and async, with ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    cmd = [sys.executable, "-c", WORKER, json.dumps([CHUNKS, STREAMS])]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if not result.pop("origin").startswith(str(src)):
        msg = f"dovetail.core was not imported from {src}; is it shadowed on the path?"
        raise SystemExit(msg)
    return {kind: float(value) for kind, value in result.items()}


def main() -> int:
    """Measure both trees, alternating, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="revision to compare with")
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per tree (7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"base": unpack(args.base, Path(tmp)), "this tree": ROOT / "core" / "src"}
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, src in trees.items():
                samples[name].append(measure(src))
        for kind in ("sync", "async"):
            base, ours = (statistics.median(s[kind] for s in samples[name]) for name in ("base", "this tree"))
            print(
                f"{kind} stream, per chunk: this tree {ours:.2f} us, {args.base} {base:.2f} us, ratio {ours / base:.2f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
