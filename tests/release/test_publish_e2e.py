"""End to end: publish_packages.sh against a real pypiserver on 127.0.0.1, install from it, publish again.

One module-scoped index and one copy of the repository; the tests run in file order and build on each other's
state (first publish → install → no-op second run → bump → conflict → failed verify → retries). Every repository
change happens in a temporary copy, never in the real tree.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.testing.package_contract import build_wheel

from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.integration]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_tree(target: Path, source: Path = ROOT) -> Path:
    """Root pyproject, scripts, core and every integration (no venvs, caches or build output).

    Later tests copy the module's snapshot, not the live tree, so concurrent edits cannot look like conflicts.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "dist", ".pytest_cache", ".mypy_cache")
    target.mkdir(parents=True)
    shutil.copy2(source / "pyproject.toml", target / "pyproject.toml")
    for name in ("scripts", "core", "integrations"):
        shutil.copytree(source / name, target / name, ignore=ignore)
    return target


@dataclass
class Index:
    """A running pypiserver and the directory it serves."""

    url: str
    directory: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def simple(self) -> str:
        return f"{self.url}/simple/"

    def listing(self) -> dict[str, tuple[int, int]]:
        return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(self.directory.iterdir())}


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    directory = tmp_path_factory.mktemp("index")
    port = free_port()
    cmd = [str(BIN / "pypi-server"), "run", "-i", "127.0.0.1", "-p", str(port), "-a", ".", "-P", "."]
    process = subprocess.Popen([*cmd, "--disable-fallback", str(directory)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("pypiserver did not start")
            time.sleep(0.1)
    yield Index(url, directory, process)
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(tmp_path_factory.mktemp("repo") / "tree")


def packages(root: Path) -> list[dict[str, str]]:
    proc = subprocess.run(
        [sys.executable, str(root / "scripts" / "changed_packages.py"), "--root", str(root), "--all"],
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(proc.stdout))


@dataclass
class Run:
    code: int
    output: str
    summary: dict[str, Any]
    seconds: float

    def status(self) -> dict[str, str]:
        return {row["name"]: row["status"] for row in self.summary["packages"]}

    def detail(self, name: str) -> str:
        return next(str(row["detail"]) for row in self.summary["packages"] if row["name"] == name)


def publish(root: Path, index: Index, *extra: str, publish_url: str | None = None) -> Run:
    summary = root.parent / f"summary-{time.monotonic_ns()}.json"
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "UV_PUBLISH_TOKEN")}
    env |= {"UV_PUBLISH_USERNAME": "x", "UV_PUBLISH_PASSWORD": "x", "DOVETAIL_PUBLISH_PYTHON": sys.executable}
    cmd = ["bash", str(root / "scripts" / "publish_packages.sh"), "--index-url", index.simple]
    cmd += ["--publish-url", publish_url or f"{index.url}/", "--summary-json", str(summary), *extra]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, timeout=600)
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    assert summary.exists(), output
    return Run(proc.returncode, output, json.loads(summary.read_text()), seconds)


def bump(package_dir: Path, version: str) -> None:
    pyproject = package_dir / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("version = "))
    pyproject.write_text(text.replace(old, f'version = "{version}"', 1), encoding="utf-8")


def test_first_publish_uploads_every_package_in_dependency_order(repo: Path, index: Index) -> None:
    run = publish(repo, index)
    assert run.code == 0, run.output
    names = [p["name"] for p in packages(repo)]
    assert list(run.status()) == names
    assert names[0] == "dovetail-core"
    assert set(run.status().values()) == {"published"}
    files = set(index.listing())
    assert len(files) == 2 * len(names)
    for name in names:
        stem = name.replace("-", "_")
        assert {f for f in files if f.startswith(f"{stem}-0.")} == set(
            f for f in run.summary["uploaded"] if f.startswith(f"{stem}-0.")
        )
    assert "ok: " in run.output
    assert run.seconds < 240, f"publishing everything took {run.seconds:.1f}s"


def third_party_requirements(directory: Path) -> list[str]:
    """Requires-Dist of every wheel on the index, minus dovetail packages and extras."""
    requirements: set[str] = set()
    for wheel in directory.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            for line in archive.read(metadata).decode().splitlines():
                if line.startswith("Requires-Dist: "):
                    requirement = line.removeprefix("Requires-Dist: ").strip()
                    if not requirement.startswith("dovetail-") and "extra ==" not in requirement:
                        requirements.add(requirement)
    return sorted(requirements)


def test_every_package_installs_from_the_local_index_and_imports_together(
    repo: Path, index: Index, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "uv", "venv", "--quiet", "--seed", "--python", sys.executable, str(venv)], check=True
    )
    python = venv / "bin" / "python"
    requirements = third_party_requirements(index.directory)
    assert any(r.startswith("openai") for r in requirements)
    subprocess.run(
        [sys.executable, "-m", "uv", "pip", "install", "--quiet", "--python", str(python), *requirements], check=True
    )
    rows = packages(repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": os.devnull}
    pip = [str(python), "-m", "pip", "--isolated", "install", "--no-cache-dir", "--index-url", index.simple]
    proc = subprocess.run([*pip, *(r["name"] for r in rows)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    probe = (
        "import importlib, importlib.metadata as md, json, sys\n"
        "mods = {n: importlib.import_module(m) for n, m in json.loads(sys.argv[1]).items()}\n"
        "print(json.dumps({n: [m.__file__, md.version(n)] for n, m in mods.items()}))\n"
    )
    wanted = json.dumps({r["name"]: r["import_path"] for r in rows})
    proc = subprocess.run([str(python), "-c", probe, wanted], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert set(found) == {r["name"] for r in rows}
    assert "dovetail.llms.openai" in {r["import_path"] for r in rows}
    for name, (path, version) in found.items():
        assert str(venv) in path, f"{name} imported from {path}, not from the installed wheel"
        assert ROOT.as_posix() not in path
        toml = (repo / next(r["path"] for r in rows if r["name"] == name) / "pyproject.toml").read_text()
        assert f'version = "{version}"' in toml


def test_second_run_uploads_nothing(repo: Path, index: Index) -> None:
    before = index.listing()
    run = publish(repo, index)
    assert run.code == 0, run.output
    assert set(run.status().values()) == {"already-published"}
    assert run.summary["uploaded"] == []
    assert index.listing() == before
    assert run.seconds < 60, f"no-op run took {run.seconds:.1f}s"


def test_bumped_integration_is_the_only_upload(repo: Path, index: Index, tmp_path: Path) -> None:
    copy = copy_tree(tmp_path / "tree", repo)
    target = next(p for p in packages(copy) if p["name"] == "dovetail-readers-mongodb")
    bump(copy / target["path"], "0.1.1")
    before = index.listing()
    run = publish(copy, index)
    assert run.code == 0, run.output
    statuses = run.status()
    assert statuses.pop("dovetail-readers-mongodb") == "published"
    assert set(statuses.values()) == {"already-published"}
    after = index.listing()
    added = set(after) - set(before)
    assert added == {"dovetail_readers_mongodb-0.1.1-py3-none-any.whl", "dovetail_readers_mongodb-0.1.1.tar.gz"}
    assert {k: after[k] for k in before} == before


def test_same_version_with_different_content_is_a_conflict(repo: Path, index: Index, tmp_path: Path) -> None:
    # Someone published 0.1.2 of a package from different sources (here: one extra module line).
    other = copy_tree(tmp_path / "other", repo)
    target = next(p for p in packages(other) if p["name"] == "dovetail-readers-mongodb")
    bump(other / target["path"], "0.1.2")
    module = next((other / target["path"] / "src").rglob("base.py"))
    module.write_text(module.read_text() + "\n# built elsewhere\n")
    out = tmp_path / "foreign"
    build_wheel(other / target["path"], out)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "uv",
            "publish",
            "--quiet",
            "--publish-url",
            f"{index.url}/",
            "-u",
            "x",
            "-p",
            "x",
            *map(str, out.glob("*.whl")),
        ],
        check=True,
    )
    before = index.listing()
    ours = copy_tree(tmp_path / "ours", repo)
    bump(ours / target["path"], "0.1.2")
    run = publish(ours, index, "--package", "dovetail-readers-mongodb")
    assert run.code == 1, run.output
    assert run.status() == {"dovetail-readers-mongodb": "conflict"}
    detail = run.detail("dovetail-readers-mongodb")
    assert "0.1.2 already exists on the index with different content" in detail
    assert "dovetail_readers_mongodb-0.1.2-py3-none-any.whl" in detail
    assert "Bump the version" in detail
    assert "FAILED" in run.output
    assert index.listing() == before  # the sdist was not uploaded next to the foreign wheel either


def test_failed_verification_stops_before_any_upload(repo: Path, index: Index, tmp_path: Path) -> None:
    copy = copy_tree(tmp_path / "tree", repo)
    rows = {p["name"]: p for p in packages(copy)}
    broken, after_it = rows["dovetail-llms-openai"], rows["dovetail-vector-stores-pinecone"]
    bump(copy / broken["path"], "0.1.9")
    bump(copy / after_it["path"], "0.1.9")
    init = copy / broken["path"] / "src" / "dovetail" / "llms" / "openai" / "__init__.py"
    init.write_text("import not_a_module_anywhere\n" + init.read_text())
    before = index.listing()
    run = publish(copy, index, "--package", broken["name"], "--package", after_it["name"])
    assert run.code == 1, run.output
    assert run.status() == {broken["name"]: "verify-failed", after_it["name"]: "not-attempted"}
    assert "not_a_module_anywhere" in run.detail(broken["name"])
    assert run.summary["uploaded"] == []
    assert index.listing() == before


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, sent with ``Content-Length`` or chunked (some uv versions stream uploads chunked)."""
    if handler.headers.get("Transfer-Encoding", "").lower() != "chunked":
        return handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
    body = b""
    while size := int(handler.rfile.readline().split(b";")[0], 16):
        body += handler.rfile.read(size)
        handler.rfile.readline()  # the CRLF after the chunk
    while handler.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
        pass
    return body


class FlakyProxy:
    """Forwards to the index; answers the first ``fail`` uploads with ``status`` (or every one when fail < 0)."""

    def __init__(self, upstream: str, status: int, fail: int) -> None:
        self.upstream, self.status, self.fail, self.posts = upstream, status, fail, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = _read_body(self)
                proxy.posts += 1
                if proxy.fail < 0 or proxy.posts <= proxy.fail:
                    payload = b"injected failure"
                    self.send_response(proxy.status)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
                request = urllib.request.Request(proxy.upstream + self.path, data=body, headers=headers)
                with urllib.request.urlopen(request, timeout=30) as response:
                    data = response.read()
                    self.send_response(response.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _publish_onnx_through_proxy(
    repo: Path, index: Index, tmp_path: Path, version: str, status: int, fail: int
) -> tuple[Run, FlakyProxy]:
    """Publish dovetail-embeddings-onnx at ``version`` through a proxy that answers ``status`` to ``fail`` uploads
    (``-1``: all of them); the run and the proxy (closed) with its counts."""
    copy = copy_tree(tmp_path / "tree", repo)
    target = next(p for p in packages(copy) if p["name"] == "dovetail-embeddings-onnx")
    bump(copy / target["path"], version)
    proxy = FlakyProxy(index.url, status, fail=fail)
    try:
        run = publish(copy, index, "--package", target["name"], "--backoff", "0.1", publish_url=proxy.url)
    finally:
        proxy.close()
    return run, proxy


def test_transient_upload_failures_are_retried(repo: Path, index: Index, tmp_path: Path) -> None:
    run, proxy = _publish_onnx_through_proxy(repo, index, tmp_path, "0.1.7", 503, fail=2)
    assert run.code == 0, run.output
    assert run.status() == {"dovetail-embeddings-onnx": "published"}
    assert proxy.posts >= 3  # two 503s, then the real uploads (one POST per file)
    assert "transient upload failure (attempt 1/4)" in run.output
    assert {"dovetail_embeddings_onnx-0.1.7.tar.gz", "dovetail_embeddings_onnx-0.1.7-py3-none-any.whl"} <= set(
        index.listing()
    )


def test_forbidden_upload_is_not_retried(repo: Path, index: Index, tmp_path: Path) -> None:
    before = index.listing()
    run, proxy = _publish_onnx_through_proxy(repo, index, tmp_path, "0.1.8", 403, fail=-1)
    assert run.code == 1, run.output
    assert run.status() == {"dovetail-embeddings-onnx": "upload-failed"}
    assert "403" in run.detail("dovetail-embeddings-onnx")
    assert proxy.posts == 1
    assert index.listing() == before
