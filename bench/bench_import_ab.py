"""Import cost of ``dovetail.core`` and of its LlamaIndex-path re-export modules: this tree against a revision.

The revision's ``core/src`` is unpacked with ``git archive`` and put first on ``PYTHONPATH``; the two trees are
imported in alternating fresh interpreters (after one warm-up each, which also writes their bytecode), and each
measure is the sum of the self-times ``-X importtime`` reports, median over ``--runs`` interpreters.

1. ``import dovetail.core``.
2. Importing the re-export modules below (their names stay unresolved, as in ``from x import y`` before use).

Usage: ``.venv/bin/python bench/bench_import_ab.py [--base REV] [--runs N]`` (default: the revision before the
re-export modules shared one helper, 15 runs).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from bench_core_import import self_times_ms

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASE = "23c2f51"
# The re-export modules whose parent packages import nothing heavy, so the measure is theirs (importing e.g.
# ``dovetail.core.llms.callbacks`` first runs ``dovetail.core.llms``, which loads pydantic).
REEXPORTS = [
    "base.base_query_engine",
    "base.base_retriever",
    "base.embeddings.base",
    "base.llms.types",
    "base.response.schema",
    "bridge.pydantic",
    "types",
    "utils",
]


def importtime_ms(src: Path, code: str) -> float:
    """Sum of the self-times ``-X importtime`` reports for ``code`` run with ``src`` first on the path, in ms."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return self_times_ms(proc.stderr)


def unpack(revision: str, into: Path) -> Path:
    """``core/src`` of ``revision`` under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "core/src"], capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "core" / "src"


def origin(src: Path) -> str:
    """Where ``dovetail.core`` is imported from with ``src`` first on the path (to check the setup)."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    code = "import dovetail.core; print(dovetail.core.__file__)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


def main() -> int:
    """Measure both trees, alternating, and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"revision to compare with ({DEFAULT_BASE})")
    parser.add_argument("--runs", type=int, default=15, help="fresh interpreters per tree and measure (15)")
    args = parser.parse_args()
    measures = {
        "import dovetail.core": "import dovetail.core",
        f"import the {len(REEXPORTS)} re-export modules": "import "
        + ", ".join(f"dovetail.core.{m}" for m in REEXPORTS),
    }
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"base": unpack(args.base, Path(tmp)), "this tree": ROOT / "core" / "src"}
        for name, src in trees.items():
            where = origin(src)
            if not where.startswith(str(src)):
                print(f"{name}: dovetail.core came from {where.strip()}, not {src}", file=sys.stderr)
                return 1
        for label, code in measures.items():
            samples: dict[str, list[float]] = {name: [] for name in trees}
            for src in trees.values():
                importtime_ms(src, code)  # warm-up: file cache and bytecode
            for _ in range(args.runs):
                for name, src in trees.items():
                    samples[name].append(importtime_ms(src, code))
            base, ours = (statistics.median(samples[name]) for name in ("base", "this tree"))
            print(f"{label}: this tree {ours:.2f} ms, {args.base} {base:.2f} ms, ratio {ours / base:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
