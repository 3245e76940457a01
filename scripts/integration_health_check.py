"""Integration health check: real checks on every package (or the ones given), in parallel.

Usage:
    python scripts/integration_health_check.py [PACKAGE_DIR ...] [--json] [--skip-tests] [--jobs N]

Checks (weight; all required): metadata (3), namespace (2), docs (1), build (2), install (2),
base_class (2), entry_point (2), tests (3), conformance (2). ``base_class``/``entry_point`` do not apply to core.
Score = 100 × (weights of passed checks) / (weights of applicable checks). The exit status is 1 when any required
check fails (``--skip-tests`` marks the two test checks as skipped: they count neither way), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from health_checks import CheckResult
from health_checks import build
from health_checks import check_docs
from health_checks import check_metadata
from health_checks import check_namespace
from health_checks import check_tests
from health_checks import install_and_probe
from workspace import ROOT
from workspace import Package
from workspace import discover
from workspace import load_package


def check_package(package: Package, core_wheel: Path | None, work: Path, skip_tests: bool) -> list[CheckResult]:
    """Every check for one package."""
    results = [check_metadata(package), check_namespace(package), check_docs(package)]
    build_result, wheel = build(package, work / "dist" / package.name)
    results.append(build_result)
    core = wheel if package.is_core else core_wheel
    if wheel is None or core is None:
        reason = "not run: build failed" if wheel is None else "not run: dovetail-core did not build"
        results += [CheckResult(name, False, reason, True, 2) for name in ("install", "base_class", "entry_point")]
    else:
        results += install_and_probe(package, wheel, core, work / "venv" / package.name)
    if not skip_tests:
        results += check_tests(package)
    return results


def score(results: list[CheckResult]) -> int:
    """Weighted share of passed checks, 0–100."""
    total = sum(r.weight for r in results)
    return round(100 * sum(r.weight for r in results if r.passed) / total) if total else 0


def render(report: dict[str, list[CheckResult]]) -> str:
    """Human-readable table: one row per package, then the reasons of failed checks."""
    lines = [f"{'package':<40} {'score':>5}  {'status':<6}  failed checks", "-" * 90]
    for name, results in report.items():
        failed = [r for r in results if not r.passed]
        status = "FAIL" if any(r.required for r in failed) else "ok"
        lines.append(f"{name:<40} {score(results):>5}  {status:<6}  {', '.join(r.name for r in failed) or '-'}")
    for name, results in report.items():
        for result in results:
            if not result.passed:
                lines.append(f"  {name}: {result.name}: {result.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the checks and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("packages", nargs="*", help="package directories (default: every workspace package)")
    parser.add_argument("--json", action="store_true", help="print a JSON report instead of the table")
    parser.add_argument("--skip-tests", action="store_true", help="skip running package tests and the kit")
    parser.add_argument("--jobs", type=int, default=2, help="packages checked in parallel (default 2)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)

    all_packages = discover(args.root)
    try:
        selected = [load_package(Path(p).resolve()) for p in args.packages] if args.packages else all_packages
    except FileNotFoundError as exc:
        print(f"error: {exc.filename} is not a package directory (no pyproject.toml)", file=sys.stderr)
        return 2
    core = next((p for p in all_packages if p.is_core), None)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dovetail-health-") as tmp:
        work = Path(tmp)
        core_wheel: Path | None = None
        if core is not None:
            _, core_wheel = build(core, work / "dist" / "_core")
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {p.name: pool.submit(check_package, p, core_wheel, work, args.skip_tests) for p in selected}
            report = {name: future.result() for name, future in futures.items()}
    failed = any(not r.passed and r.required for results in report.values() for r in results)
    if args.json:
        print(
            json.dumps(
                {
                    "packages": {
                        name: {"score": score(rs), "checks": [asdict(r) for r in rs]} for name, rs in report.items()
                    },
                    "ok": not failed,
                    "seconds": round(time.monotonic() - started, 1),
                },
                indent=2,
            )
        )
    else:
        print(render(report))
        print(
            f"\n{len(report)} package(s) checked in {time.monotonic() - started:.0f}s: {'FAILED' if failed else 'ok'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
