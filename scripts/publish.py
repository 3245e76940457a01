"""Publish every workspace package whose version is not yet on the target index.

Usage:
    python scripts/publish.py [--dry-run] [--index-url URL] [--publish-url URL] [--package NAME ...]
                              [--dist-dir DIR] [--summary-json PATH] [--jobs N] [--attempts N] [--backoff S]

Three phases, in dependency order (dovetail-core first, then the integrations):

1. plan: build each package once (sdist + wheel, from a staging copy with ``uv build --no-sources``) and read the
   index's file list. A version whose files are all on the index with the same sha256 is *already published*
   (skipped; builds are reproducible, so an unchanged package rebuilds byte for byte). A version on the index
   with a different sha256, or with files this build does not produce, is a *conflict*: an error, never a skip.
   A package to upload whose workspace dependency is neither in this run nor on the index is refused
   (*missing-dependency*): it would not install.
2. verify: install each wheel to upload (with the freshly built dovetail-core) into a fresh venv and import its
   ``[tool.dovetail]`` import_path and classes, check the domain's base class and the entry point.
3. upload: ``uv publish`` per package, with ``--check-url`` so a retry never re-sends an identical file;
   transient failures (5xx, 408/429, connection reset, timeout) are retried with backoff, real ones
   (400/403/409 ...) are not.

Any failure in a phase stops the run before the next phase (nothing is uploaded when a conflict or a failed
verification is found); a failed upload stops the remaining uploads. The exit status is 0 when every package is
published or already published, 1 otherwise, 2 on usage errors. A summary table is printed either way.

Credentials: ``UV_PUBLISH_TOKEN``, or ``UV_PUBLISH_USERNAME`` + ``UV_PUBLISH_PASSWORD`` (read by ``uv publish``
itself, never printed). In GitHub Actions without either, trusted publishing is used (``--trusted-publishing
always``; the job needs ``permissions: id-token: write``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from health_checks import build_dists
from health_checks import install_and_probe
from health_checks import run
from release_index import IndexReadError
from release_index import RetryRule
from release_index import TransientError
from release_index import file_version
from release_index import is_transient_output
from release_index import project_files
from release_index import with_retries
from workspace import ROOT
from workspace import Package
from workspace import dependency_order
from workspace import discover
from workspace import normalize

PYPI_INDEX = "https://pypi.org/simple/"
PYPI_UPLOAD = "https://upload.pypi.org/legacy/"
FAILED = ("conflict", "build-failed", "index-error", "missing-dependency", "verify-failed", "upload-failed")
_START = time.monotonic()


# scheme://user:password@ in any URL (an --index-url or --publish-url may carry credentials)
_URL_CREDENTIALS = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.\-]*://)[^\s'\"<>]*@")


def scrub(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def log(message: str) -> None:
    """Progress on stderr (stdout carries the summary); URL credentials are never printed."""
    print(f"[publish {time.monotonic() - _START:6.1f}s] {scrub(message)}", file=sys.stderr, flush=True)


@dataclass
class Item:
    """One package's way through the phases."""

    package: Package
    status: str = "pending"
    detail: str = ""
    files: dict[str, Path] = field(default_factory=dict)
    upload: list[str] = field(default_factory=list)

    @property
    def wheel(self) -> Path | None:
        """The built wheel."""
        return next((path for name, path in self.files.items() if name.endswith(".whl")), None)


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(item: Item, remote: dict[str, str | None]) -> None:
    """Set ``item``'s status from the index's files: already-published, pending (some or all files) or conflict."""
    version = item.package.version
    on_index = {name: digest for name, digest in remote.items() if file_version(name) == version}
    problems = []
    for name, digest in sorted(on_index.items()):
        if name not in item.files:
            problems.append(f"{name} is on the index but not produced by this build")
        elif digest is None:
            problems.append(f"the index gives no sha256 for {name}; cannot prove it is identical")
        elif digest != (local := sha256(item.files[name])):
            problems.append(f"{name}: sha256 on the index {digest[:12]}…, of the local build {local[:12]}…")
    if problems:
        item.status = "conflict"
        item.detail = (
            f"version {version} already exists on the index with different content: "
            + "; ".join(problems)
            + f". Bump the version of {item.package.name} (published files are immutable); if only the build"
            + " tool changed, build with the hatchling pinned in uv.lock."
        )
        return
    item.upload = sorted(name for name in item.files if name not in on_index)
    if not item.upload:
        item.status, item.detail = "already-published", "identical files on the index"
    elif on_index:
        item.detail = f"completing a partial upload: {', '.join(item.upload)}"


def plan(item: Item, work: Path, index_url: str, rule: RetryRule) -> None:
    """Build once and compare with the index."""
    out = work / "dist" / normalize(item.package.name)
    code, output = build_dists(item.package, out, isolated=False)
    built = {path.name: path for path in sorted(out.glob("*")) if path.name.endswith((".whl", ".tar.gz"))}
    if code or len(built) != 2:
        item.status, item.detail = "build-failed", (output.strip()[-400:] or f"expected a wheel and an sdist in {out}")
        return
    item.files = built
    try:
        remote = project_files(index_url, item.package.name, rule)
    except IndexReadError as exc:
        item.status, item.detail = "index-error", str(exc)
        return
    compare(item, remote)


def verify(item: Item, core_wheel: Path, work: Path) -> None:
    """Install into a fresh venv and import the declared names; a failure marks the item verify-failed.

    Other workspace dependencies resolve from the wheels of this run (``work/wheels``), third-party ones from the
    default index.
    """
    wheel = item.wheel
    assert wheel is not None
    venv = work / "verify" / normalize(item.package.name)
    results = install_and_probe(item.package, wheel, core_wheel, venv, find_links=work / "wheels")
    failed = [f"{r.name}: {r.reason}" for r in results if not r.passed]
    if failed:
        item.status, item.detail = "verify-failed", "; ".join(failed)[:600]


def auth_arguments(env: dict[str, str]) -> list[str]:
    """``uv publish`` authentication flags; raise ``SystemExit`` with a hint when no credentials are available."""
    if env.get("UV_PUBLISH_TOKEN") or (env.get("UV_PUBLISH_USERNAME") and env.get("UV_PUBLISH_PASSWORD")):
        return ["--trusted-publishing", "never"]
    if env.get("GITHUB_ACTIONS") == "true":
        return ["--trusted-publishing", "always"]
    msg = (
        "no upload credentials: set UV_PUBLISH_TOKEN (or UV_PUBLISH_USERNAME and UV_PUBLISH_PASSWORD), "
        "or run in GitHub Actions with `permissions: id-token: write` for trusted publishing; "
        "--dry-run needs none"
    )
    raise SystemExit(msg)


def upload(item: Item, args: argparse.Namespace, auth: list[str], rule: RetryRule) -> None:
    """``uv publish`` the item's missing files; retry transient failures only."""
    files = [str(item.files[name]) for name in item.upload]
    cmd = [sys.executable, "-m", "uv", "publish", "--publish-url", args.publish_url, "--check-url", args.index_url]
    cmd += [*auth, *files]

    def attempt() -> str:
        code, output = run(cmd, env={"UV_HTTP_RETRIES": "0"}, timeout=args.upload_timeout)
        if code == 0:
            return output
        tail = output.strip()[-500:]
        if code == 124 or is_transient_output(output):
            raise TransientError(tail)
        raise RuntimeError(tail)

    def on_retry(number: int, exc: Exception) -> None:
        log(f"{item.package.name}: transient upload failure (attempt {number}/{rule.attempts}), retrying: {exc}")

    try:
        with_retries(attempt, rule, on_retry)
    except TransientError as exc:
        item.status, item.detail = "upload-failed", f"gave up after {rule.attempts} attempts: {exc}"
    except RuntimeError as exc:
        item.status, item.detail = "upload-failed", str(exc)
    else:
        item.status, item.detail = "published", ", ".join(item.upload)


def stop_remaining(items: list[Item], reason: str) -> None:
    """Mark every still-pending item as not attempted."""
    for item in items:
        if item.status == "pending":
            item.status, item.detail = "not-attempted", reason


def summary(items: list[Item], dry_run: bool) -> str:
    """The table printed at the end of every run."""
    lines = [f"{'package':<36} {'version':<10} {'status':<18} detail", "-" * 100]
    lines += [f"{i.package.name:<36} {i.package.version:<10} {i.status:<18} {i.detail}" for i in items]
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    verdict = "FAILED" if any(i.status in FAILED for i in items) else ("dry run ok" if dry_run else "ok")
    lines.append(f"{verdict}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return "\n".join(lines)


def write_reports(items: list[Item], args: argparse.Namespace, ok: bool) -> None:
    """Optional JSON summary, and the GitHub Actions step summary when running there."""
    if args.summary_json:
        rows = [
            {"name": i.package.name, "version": i.package.version, "status": i.status, "detail": i.detail}
            for i in items
        ]
        uploaded = [name for i in items if i.status == "published" for name in i.upload]
        data = {"ok": ok, "dry_run": args.dry_run, "packages": rows, "uploaded": uploaded}
        Path(args.summary_json).write_text(json.dumps(data, indent=2), encoding="utf-8")
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with open(step_summary, "a", encoding="utf-8") as handle:
            handle.write("| package | version | status | detail |\n|---|---|---|---|\n")
            for i in items:
                handle.write(f"| {i.package.name} | {i.package.version} | {i.status} | {i.detail[:200]} |\n")


def select(packages: list[Package], wanted: list[str]) -> list[Package]:
    """Packages named by distribution name, directory name or path; all when ``wanted`` is empty."""
    chosen = []
    for want in wanted:
        match = [p for p in packages if normalize(want) in (normalize(p.name), normalize(p.path.name))]
        match = match or [p for p in packages if Path(want).resolve() == p.path]
        if not match:
            msg = f"unknown package {want!r}: give a distribution name (dovetail-llms-openai) or its directory"
            raise SystemExit(msg)
        chosen += [p for p in match if p not in chosen]
    return [p for p in packages if p in chosen] if wanted else packages


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true", help="build, compare and verify; upload nothing")
    parser.add_argument("--index-url", default=PYPI_INDEX, help=f"simple index to compare with (default {PYPI_INDEX})")
    parser.add_argument("--publish-url", default=PYPI_UPLOAD, help=f"upload endpoint (default {PYPI_UPLOAD})")
    parser.add_argument("--package", action="append", default=[], help="only this package (name or dir); repeatable")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    parser.add_argument("--dist-dir", type=Path, help="keep builds here (default: a temporary directory)")
    parser.add_argument("--summary-json", help="also write the summary as JSON to this path")
    parser.add_argument("--jobs", type=int, default=4, help="parallel builds/verifications (default 4)")
    parser.add_argument("--attempts", type=int, default=4, help="attempts per index read/upload (default 4)")
    parser.add_argument("--backoff", type=float, default=2.0, help="first retry delay in seconds, doubling (default 2)")
    parser.add_argument("--upload-timeout", type=float, default=300.0, help="seconds per upload attempt")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.attempts < 1 or args.backoff < 0:
        parser.error("--jobs and --attempts must be >= 1, --backoff >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Plan, verify, upload; print the summary; 0 only when nothing failed."""
    args = parse_args(argv)
    # Verification venvs are throwaway: hard links from uv's cache make them cheap (uv copies across filesystems).
    os.environ["UV_LINK_MODE"] = os.environ.get("DOVETAIL_VERIFY_LINK_MODE", "hardlink")
    auth = [] if args.dry_run else auth_arguments(dict(os.environ))
    rule = RetryRule(attempts=args.attempts, backoff=args.backoff)
    items = [Item(p) for p in select(dependency_order(discover(args.root.resolve())), args.package)]
    with tempfile.TemporaryDirectory(prefix="dovetail-publish-") as tmp:
        work = args.dist_dir.resolve() if args.dist_dir else Path(tmp)
        run_phases(items, args, auth, rule, work)
    for item in items:  # details quote index pages and uv's output: URLs with credentials among them
        item.detail = scrub(item.detail)
    ok = not any(i.status in FAILED for i in items)
    print(summary(items, args.dry_run), flush=True)
    write_reports(items, args, ok)
    return 0 if ok else 1


def check_dependencies_reachable(items: list[Item], args: argparse.Namespace, rule: RetryRule) -> None:
    """A package to upload whose workspace dependency is neither in this run nor on the index would not install."""
    in_run = {normalize(i.package.name) for i in items if i.status in ("pending", "already-published")}
    names = {normalize(p.name) for p in discover(args.root.resolve())}
    for item in items:
        if item.status != "pending":
            continue
        for dep in sorted(item.package.internal_dependencies(names) - in_run):
            try:
                on_index = project_files(args.index_url, dep, rule)
            except IndexReadError as exc:
                item.status, item.detail = "index-error", str(exc)
                break
            if not on_index:
                item.status = "missing-dependency"
                item.detail = f"needs {dep}, which is not on the index and not in this run (add --package {dep})"
                break


def run_phases(items: list[Item], args: argparse.Namespace, auth: list[str], rule: RetryRule, work: Path) -> None:
    """The three phases; each stops the run when one of its packages failed."""
    log(f"planning {len(items)} package(s) against {args.index_url}")
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda item: plan(item, work, args.index_url, rule), items))
    check_dependencies_reachable(items, args, rule)
    if any(i.status in FAILED for i in items):
        return stop_remaining(items, "stopped: a package failed to build or conflicts with the index")
    pending = [i for i in items if i.status == "pending"]
    core = next((i for i in items if i.package.is_core), None)
    core_wheel = core.wheel if core else None
    if pending and core_wheel is None:
        out = work / "dist" / "dovetail-core"
        code, output = build_dists(next(p for p in discover(args.root.resolve()) if p.is_core), out)
        core_wheel = next(iter(sorted(out.glob("*.whl"))), None)
        if code or core_wheel is None:
            for item in pending:
                item.status, item.detail = "verify-failed", f"dovetail-core did not build: {output.strip()[-300:]}"
            return None
    wheels = work / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    for item in items:
        if item.wheel is not None:
            shutil.copy2(item.wheel, wheels / item.wheel.name)
    log(f"verifying {len(pending)} wheel(s) in fresh venvs: {', '.join(i.package.name for i in pending) or '-'}")
    assert core_wheel is not None or not pending
    with ThreadPoolExecutor(min(args.jobs, 2)) as pool:
        list(pool.map(lambda item: verify(item, core_wheel, work), pending))  # type: ignore[arg-type]
    if any(i.status in FAILED for i in items):
        return stop_remaining(items, "stopped: a wheel failed verification; nothing was uploaded")
    if args.dry_run:
        for item in pending:
            item.status = "would-publish"
            item.detail = item.detail or ", ".join(item.upload)
        return None
    for item in pending:
        log(f"uploading {item.package.name} {item.package.version}: {', '.join(item.upload)}")
        upload(item, args, auth, rule)
        if item.status != "published":
            return stop_remaining(items, f"stopped: {item.package.name} failed to upload")
    return None


if __name__ == "__main__":
    sys.exit(main())
