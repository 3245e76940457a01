"""Publisher building blocks without servers: index parsing, conflict rules, retry classification, credentials."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import ROOT
from .conftest import SCRIPTS

sys.path.insert(0, str(SCRIPTS))

import publish
import release_index
from workspace import load_package

WHEEL = "dovetail_llms_openai-0.2.0-py3-none-any.whl"
SDIST = "dovetail_llms_openai-0.2.0.tar.gz"


def test_parse_html_page_with_sha256_fragments() -> None:
    body = (
        "<html><body>"
        f'<a href="/packages/{WHEEL}#sha256=ABCDEF">{WHEEL}</a><br>'
        f'<a href="https://files.example.org/x/{SDIST}#md5=1&sha256=0123">{SDIST}</a>'
        '<a href="/packages/dovetail_llms_openai-0.1.0.tar.gz">dovetail_llms_openai-0.1.0.tar.gz</a>'
        "</body></html>"
    )
    files = release_index.parse_simple_page(body, "text/html")
    assert files == {WHEEL: "abcdef", SDIST: "0123", "dovetail_llms_openai-0.1.0.tar.gz": None}


def test_parse_json_page() -> None:
    files = [{"filename": WHEEL, "hashes": {"sha256": "aa"}}, {"filename": SDIST, "hashes": {}}]
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "dovetail-llms-openai", "files": files})
    assert release_index.parse_simple_page(body, "application/vnd.pypi.simple.v1+json") == {WHEEL: "aa", SDIST: None}


@pytest.mark.parametrize(
    ("name", "version"),
    [(WHEEL, "0.2.0"), (SDIST, "0.2.0"), ("a_b-1.0rc1.zip", "1.0rc1"), ("x-1-2-3.egg", ""), ("bad.whl", "")],
)
def test_file_version(name: str, version: str) -> None:
    assert release_index.file_version(name) == version


@pytest.mark.parametrize(
    ("output", "transient"),
    [
        ("cause: Server returned status code 503 Service Unavailable. Server says: nope", True),
        ("Server returned status code 502 Bad Gateway", True),
        ("Server returned status code 429 Too Many Requests", True),
        ("error sending request for url (http://127.0.0.1:1/): connection reset by peer", True),
        ("operation timed out", True),
        ("Server returned status code 409 Conflict. Package already exists", False),
        ("Server returned status code 403 Forbidden", False),
        ("Server returned status code 400 Bad Request: invalid metadata (timed out?)", False),
        ("error: Missing credentials", False),
    ],
)
def test_transient_classification(output: str, transient: bool) -> None:
    assert release_index.is_transient_output(output) is transient


def test_with_retries_gives_up_after_the_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("release_index.time.sleep", sleeps.append)
    calls = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise release_index.TransientError("503")
        return "ok"

    rule = release_index.RetryRule(attempts=4, backoff=0.5)
    assert release_index.with_retries(flaky, rule, lambda n, e: None) == "ok"
    assert sleeps == [0.5, 1.0]
    calls.clear()
    with pytest.raises(release_index.TransientError):
        release_index.with_retries(lambda: flaky() and flaky() and flaky(), release_index.RetryRule(2, 0), print)

    def real() -> str:
        calls.append(1)
        raise RuntimeError("403")

    calls.clear()
    with pytest.raises(RuntimeError):
        release_index.with_retries(real, rule, lambda n, e: None)
    assert len(calls) == 1


def item_with_files(tmp_path: Path, contents: dict[str, bytes]) -> publish.Item:
    item = publish.Item(load_package(ROOT / "integrations" / "llms" / "dovetail-llms-openai"))
    item.package.pyproject["project"]["version"] = "0.2.0"
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        item.files[name] = tmp_path / name
    return item


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_compare_rules(tmp_path: Path) -> None:
    local = {WHEEL: b"wheel", SDIST: b"sdist"}
    older: dict[str, str | None] = {"dovetail_llms_openai-0.1.0.tar.gz": "ff"}

    item = item_with_files(tmp_path, local)
    publish.compare(item, older)
    assert (item.status, item.upload) == ("pending", sorted([SDIST, WHEEL]))

    item = item_with_files(tmp_path, local)
    publish.compare(item, {WHEEL: digest(b"wheel"), SDIST: digest(b"sdist"), **older})
    assert (item.status, item.upload) == ("already-published", [])

    item = item_with_files(tmp_path, local)
    publish.compare(item, {WHEEL: digest(b"wheel")})
    assert (item.status, item.upload) == ("pending", [SDIST])
    assert "partial" in item.detail

    item = item_with_files(tmp_path, local)
    publish.compare(item, {WHEEL: digest(b"other wheel"), SDIST: digest(b"sdist")})
    assert item.status == "conflict"
    assert WHEEL in item.detail
    assert SDIST not in item.detail

    item = item_with_files(tmp_path, local)
    publish.compare(item, {"dovetail_llms_openai-0.2.0-py3-none-manylinux_2_17_x86_64.whl": "aa"})
    assert item.status == "conflict"
    assert "not produced by this build" in item.detail

    item = item_with_files(tmp_path, local)
    publish.compare(item, {WHEEL: None})
    assert item.status == "conflict"
    assert "no sha256" in item.detail


def test_auth_arguments() -> None:
    assert publish.auth_arguments({"UV_PUBLISH_TOKEN": "pypi-x"}) == ["--trusted-publishing", "never"]
    both = {"UV_PUBLISH_USERNAME": "u", "UV_PUBLISH_PASSWORD": "p", "GITHUB_ACTIONS": "true"}
    assert publish.auth_arguments(both) == ["--trusted-publishing", "never"]
    assert publish.auth_arguments({"GITHUB_ACTIONS": "true"}) == ["--trusted-publishing", "always"]
    with pytest.raises(SystemExit, match="UV_PUBLISH_TOKEN"):
        publish.auth_arguments({"UV_PUBLISH_USERNAME": "u"})


def test_cli_refuses_to_upload_without_credentials_and_unknown_packages(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DOVETAIL_PUBLISH_PYTHON": sys.executable, "HOME": str(tmp_path)}
    script = str(SCRIPTS / "publish_packages.sh")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", script, *args], capture_output=True, text=True, env=env, check=False)

    proc = run("--index-url", "http://127.0.0.1:9/simple/")
    assert proc.returncode == 1
    assert "no upload credentials" in proc.stderr
    proc = run("--dry-run", "--package", "dovetail-nope")
    assert proc.returncode == 1
    assert "unknown package 'dovetail-nope'" in proc.stderr
    assert run("--jobs", "0").returncode == 2


def test_unreachable_index_is_an_error_not_an_empty_index(tmp_path: Path) -> None:
    with pytest.raises(release_index.IndexReadError, match="gave up after 2 attempts"):
        release_index.project_files("http://127.0.0.1:9/simple/", "dovetail-core", release_index.RetryRule(2, 0.01), 2)


class _EmptyIndex(BaseHTTPRequestHandler):
    """An index that knows no project: every page is a 404."""

    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.integration
def test_package_whose_workspace_dependency_is_nowhere_is_refused(tmp_path: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmptyIndex)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    summary = tmp_path / "summary.json"
    try:
        proc = subprocess.run(
            [
                sys.executable,
                str(SCRIPTS / "publish.py"),
                "--dry-run",
                "--package",
                "dovetail-embeddings-openai",
                "--index-url",
                f"http://127.0.0.1:{server.server_address[1]}/simple/",
                "--summary-json",
                str(summary),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (row,) = json.loads(summary.read_text())["packages"]
    assert row["status"] == "missing-dependency"
    assert "dovetail-core" in row["detail"]
    assert "--package dovetail-core" in row["detail"]


def test_url_credentials_are_never_printed(tmp_path: Path) -> None:
    secret = "idx-Pa55-do-not-print"
    assert publish.scrub(f"GET https://ci:{secret}@pypi.example/simple/x/: HTTP 500") == (
        "GET https://***@pypi.example/simple/x/: HTTP 500"
    )
    summary = tmp_path / "summary.json"
    env = {"PATH": "/usr/bin:/bin", "DOVETAIL_PUBLISH_PYTHON": sys.executable, "HOME": str(tmp_path)}
    proc = subprocess.run(
        ["bash", str(SCRIPTS / "publish_packages.sh"), "--dry-run", "--package", "dovetail-core", "--attempts", "1",
         "--index-url", f"http://ci:{secret}@127.0.0.1:9/simple/", "--summary-json", str(summary)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "index-error" in proc.stdout, "the unreachable index is reported"
    assert "http://***@127.0.0.1:9/simple/" in proc.stderr
    assert secret not in proc.stdout + proc.stderr + summary.read_text()
