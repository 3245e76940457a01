"""What a package index already holds, and the retry rule shared by index reads and uploads.

The simple repository API (PEP 503 HTML and PEP 691 JSON) lists a project's files with their sha256, either as a
``#sha256=`` URL fragment (HTML) or in ``hashes`` (JSON). That is all the publisher needs to tell "already
published, identical" from "this version exists with different content".
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TypeVar

from workspace import normalize

ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_TRANSIENT_TEXT = re.compile(
    r"connection (?:reset|refused|closed|aborted)|broken pipe|timed? ?out|error sending request|"
    r"incomplete message|unexpected eof|temporarily unavailable|dns error",
    re.IGNORECASE,
)
_STATUS_TEXT = re.compile(r"status code (\d{3})")
T = TypeVar("T")


class IndexReadError(Exception):
    """The index could not be read (after retries) or answered something unusable."""


class TransientError(Exception):
    """A failure worth retrying: 5xx, 408/429, connection reset, timeout."""


@dataclass(frozen=True)
class RetryRule:
    """How often and how patiently to retry transient failures (exponential backoff)."""

    attempts: int = 4
    backoff: float = 1.0

    def delays(self) -> list[float]:
        """The sleeps between attempts."""
        return [self.backoff * 2**i for i in range(max(self.attempts - 1, 0))]


def with_retries(call: Callable[[], T], rule: RetryRule, on_retry: Callable[[int, Exception], None]) -> T:
    """Run ``call``; retry on :class:`TransientError` per ``rule``; re-raise the last one when attempts run out."""
    delays = rule.delays()
    for attempt in range(len(delays) + 1):
        try:
            return call()
        except TransientError as exc:
            if attempt == len(delays):
                raise
            on_retry(attempt + 1, exc)
            time.sleep(delays[attempt])
    msg = "unreachable"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def is_transient_output(output: str) -> bool:
    """Whether a failed ``uv publish`` output describes a transient failure (5xx/408/429, reset, timeout).

    A 4xx other than 408/425/429 (400 bad metadata, 403 forbidden, 409 conflict ...) is a real failure.
    """
    statuses = [int(code) for code in _STATUS_TEXT.findall(output)]
    if statuses:
        return all(code in RETRYABLE_STATUS for code in statuses)
    return bool(_TRANSIENT_TEXT.search(output))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def parse_simple_page(body: str, content_type: str) -> dict[str, str | None]:
    """File name → sha256 (``None`` when the index gives no sha256) from a project page."""
    files: dict[str, str | None] = {}
    if "json" in content_type:
        data = json.loads(body)
        for entry in data.get("files", []):
            files[str(entry["filename"])] = (entry.get("hashes") or {}).get("sha256")
        return files
    parser = _Links()
    parser.feed(body)
    for href, text in parser.links:
        parsed = urllib.parse.urlsplit(href)
        name = text or urllib.parse.unquote(parsed.path.rsplit("/", 1)[-1])
        fragment = urllib.parse.parse_qs(parsed.fragment)
        files[name] = fragment["sha256"][0].lower() if "sha256" in fragment else None
    return files


def file_version(filename: str) -> str:
    """The version part of a wheel or sdist file name (``name-1.2.3-py3-none-any.whl``, ``name-1.2.3.tar.gz``)."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return parts[1] if len(parts) >= 5 else ""
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):
            return filename[: -len(suffix)].rpartition("-")[2]
    return ""


def project_files(index_url: str, name: str, rule: RetryRule, timeout: float = 30.0) -> dict[str, str | None]:
    """Every file the index lists for ``name`` (empty when the project does not exist: 404)."""
    url = f"{index_url.rstrip('/')}/{normalize(name)}/"
    request = urllib.request.Request(url, headers={"Accept": ACCEPT, "User-Agent": "dovetail-publish"})

    def fetch() -> dict[str, str | None]:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read().decode("utf-8", errors="replace")
                return parse_simple_page(body, response.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return {}
            if exc.code in RETRYABLE_STATUS:
                msg = f"GET {url}: HTTP {exc.code}"
                raise TransientError(msg) from exc
            msg = f"GET {url}: HTTP {exc.code} {exc.reason}; check --index-url"
            raise IndexReadError(msg) from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            msg = f"GET {url}: {getattr(exc, 'reason', exc)}"
            raise TransientError(msg) from exc
        except ValueError as exc:
            msg = f"GET {url}: unreadable index page ({exc})"
            raise IndexReadError(msg) from exc

    try:
        return with_retries(fetch, rule, lambda n, exc: None)
    except TransientError as exc:
        msg = f"{exc} (gave up after {rule.attempts} attempts); is the index reachable?"
        raise IndexReadError(msg) from exc
