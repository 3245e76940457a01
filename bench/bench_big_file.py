"""One 50 MB text file through ``dovetail ingest`` (local ONNX model): memory, first commit, what a kill loses.

The file is the benchmark corpus (stdlib docstrings, ``make_corpus.py``) repeated to 50,000,000 bytes.

1. **First run** for ``--duration`` seconds: peak RSS of the process (``VmHWM``), the time from start to the first
   checkpoint on disk (``index_store.json`` appears), then SIGINT.
2. **Kills**: ``--kills`` times, the ingest is started again on the same index (it resumes inside the file) and
   killed with SIGKILL after a random 10-40 s. The embedding work lost by a kill is at most the time between the
   last checkpoint written (the index files' newest mtime) — or the moment embedding started, if later (the first
   progress line, printed when the plan is made) — and the kill.

Usage: ``.venv/bin/python bench/bench_big_file.py [--mb 50] [--duration 90] [--kills 10] [--seed 7]``
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _common import number_options  # noqa: E402
from make_corpus import ensure_corpus  # noqa: E402

DOVETAIL = Path(sys.executable).parent / "dovetail"


def _hwm_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _default_sigint() -> None:
    """Let the child take Ctrl-C (SIGINT) even when this script runs in the background, where it is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _newest_mtime(index: Path) -> float | None:
    times = [p.stat().st_mtime for p in index.glob("*.json") if p.is_file()]
    return max(times) if times else None


class _Run:
    """``dovetail ingest`` in a child process, with the time its first progress line arrived."""

    def __init__(self, big: Path, index: Path) -> None:
        command = [str(DOVETAIL), "ingest", str(big), "--index", str(index), "--embed", "onnx:all-MiniLM-L6-v2"]
        self.started = time.time()
        self.first_line: float | None = None
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.peak = 0.0

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            if self.first_line is None and "indexing:" in line:
                self.first_line = time.time()

    def sample(self) -> None:
        self.peak = max(self.peak, _hwm_mb(self.process.pid))


def main() -> None:
    args = number_options(__doc__, mb=50, duration=90.0, kills=10, seed=7).parse_args()

    work = Path(tempfile.mkdtemp(prefix="dovetail-big-"))
    big, index = work / "big.txt", work / "index"
    text = ensure_corpus().read_text(encoding="utf-8")
    size = args.mb * 1_000_000
    big.write_text((text * (size // len(text) + 1))[:size], encoding="utf-8")

    run = _Run(big, index)
    first_commit = None
    while time.time() - run.started < args.duration and run.process.poll() is None:
        run.sample()
        if first_commit is None and (index / "index_store.json").is_file():
            first_commit = time.time() - run.started
        time.sleep(0.25)
    run.sample()
    run.process.send_signal(signal.SIGINT)
    run.process.wait(timeout=120)
    embedding_start = (run.first_line or run.started) - run.started
    print(f"{args.mb} MB file, 1 document; onnx all-MiniLM-L6-v2; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
    print(f"first run ({args.duration:.0f} s, then Ctrl-C): peak RSS {run.peak:.0f} MB")
    print(
        f"  plan made (file read, hashed) after {embedding_start:.1f} s; first commit on disk after "
        f"{first_commit if first_commit is not None else float('nan'):.1f} s from start"
    )

    rng = random.Random(args.seed)
    losses = []
    for _ in range(args.kills):
        wait = rng.uniform(10, 40)
        run = _Run(big, index)
        while time.time() - run.started < wait and run.process.poll() is None:
            run.sample()
            time.sleep(0.25)
        killed = time.time()
        run.process.kill()
        run.process.wait()
        last = _newest_mtime(index) or run.started
        start = run.first_line or killed
        losses.append((wait, max(0.0, killed - max(last, start)), run.peak))
    for wait, loss, peak in losses:
        print(f"  kill after {wait:4.1f} s: lost ≤ {loss:4.1f} s of embedding; peak RSS {peak:.0f} MB")
    if losses:
        worst = max(loss for _, loss, _ in losses)
        print(
            f"kills: {len(losses)}, worst loss ≤ {worst:.1f} s, mean {sum(x for _, x, _ in losses) / len(losses):.1f} s"
        )


if __name__ == "__main__":
    main()
