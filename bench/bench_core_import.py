"""Import cost and install footprint of dovetail-core, against llama-index-core in the same run.

1. ``python -X importtime -c "import dovetail.core"``: total self-time of every imported module (median of 7 runs),
   vs ``import llama_index.core`` in ``bench/.venv-llamaindex``. Targets: ≤ 130 ms and ≤ 1/10 of llama-index-core.
   Also asserts that numpy, httpx and no SDK were imported.
2. Distributions added by installing the dovetail-core wheel into a fresh venv. Target: ≤ 12.

Usage: ``.venv/bin/python bench/bench_core_import.py``
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import ensure_venv
from _peers import uv
from _peers import version_of

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
FORBIDDEN = ("numpy", "httpx", "openai", "pinecone", "pymongo", "langfuse", "requests", "aiohttp")


def importtime_ms(python: str, module: str) -> float:
    """Sum of the self-times reported by ``-X importtime`` for one fresh import, in ms."""
    proc = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True
    )
    return self_times_ms(proc.stderr)


def self_times_ms(importtime_report: str) -> float:
    """Sum of the self-time column of a ``-X importtime`` report (its stderr), in ms."""
    total_us = 0
    for line in importtime_report.splitlines():
        if line.startswith("import time:") and "|" in line:
            field = line.split(":", 1)[1].split("|")[0].strip()
            if field.isdigit():
                total_us += int(field)
    return total_us / 1000


def cumulative_import_ms(python: str, module: str, runs: int = 5) -> float:
    """Best of ``runs`` fresh imports of the cumulative time ``-X importtime`` reports for ``module``, in ms."""
    pattern = re.compile(rf"import time:\s+\d+ \|\s+(\d+) \| {re.escape(module)}$", re.M)
    best = float("inf")
    for _ in range(runs):
        cmd = [python, "-X", "importtime", "-c", f"import {module}"]
        report = subprocess.run(cmd, capture_output=True, text=True, check=True).stderr
        best = min(best, max(int(m.group(1)) for m in pattern.finditer(report)) / 1000)
    return best


def median_importtime(python: str, module: str) -> float:
    """Median over :data:`RUNS` fresh interpreters (after one warm-up for the file cache)."""
    importtime_ms(python, module)
    return statistics.median(importtime_ms(python, module) for _ in range(RUNS))


def forbidden_modules(python: str) -> list[str]:
    """Heavy modules that ``import dovetail.core`` pulled in (should be none)."""
    code = f"import json, sys, dovetail.core; print(json.dumps(sorted(m for m in {FORBIDDEN!r} if m in sys.modules)))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return list(json.loads(out))


def install_footprint() -> list[str]:
    """Distributions in a fresh venv after installing the dovetail-core wheel."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "dist"
        subprocess.run(
            [*uv(), "build", "--quiet", "--no-sources", "--wheel", "--out-dir", str(out), str(ROOT / "core")],
            check=True,
        )
        venv = Path(tmp) / "venv"
        subprocess.run([*uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
        python = str(venv / "bin" / "python")
        wheel = next(out.glob("*.whl"))
        subprocess.run([*uv(), "pip", "install", "--quiet", "--python", python, str(wheel)], check=True)
        listing = subprocess.run(
            [*uv(), "pip", "list", "--python", python, "--format", "json"], capture_output=True, text=True, check=True
        ).stdout
        return sorted(item["name"] for item in json.loads(listing))


def main() -> int:
    """Run both measurements and print the figures."""
    ours = median_importtime(sys.executable, "dovetail.core")
    peer_python = ensure_venv("llamaindex", ["llama-index-core>=0.12,<0.15"], "llama_index.core")
    theirs = median_importtime(str(peer_python), "llama_index.core")
    leaked = forbidden_modules(sys.executable)
    dists = install_footprint()
    version = version_of(peer_python, "llama-index-core")
    print(
        f"import dovetail.core: {ours:.1f} ms self-time total (median of {RUNS}); "
        f"llama_index.core {version}: {theirs:.1f} ms; ratio {ours / theirs:.3f} (target <= 0.10, <= 130 ms)"
    )
    print(f"heavy modules imported by dovetail.core: {leaked or 'none'}")
    print(f"dovetail-core install adds {len(dists)} distributions (target <= 12): {', '.join(dists)}")
    ok = ours <= 130 and ours / theirs <= 0.10 and not leaked and len(dists) <= 12
    print("targets: " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
