"""Real local Pinecone stand-in for the tests: ``needledb`` (a Pinecone-shaped data plane) behind a stdlib proxy.

The proxy forwards every request to needledb unchanged, counts attempts per path, answers the control-plane
``GET /indexes/{name}`` in Pinecone's 2026-07 shape (needledb's own answer lacks ``schema``), and injects faults
a test queues for a path: an HTTP status (with ``Retry-After``), a dropped connection before or after the request
reached needledb, or a delay.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.testing.processes import ServerProcess

API_KEY = "needle-test-key"
DIMENSION = 6
# needledb declares requires-python >= 3.11 (the root dev group installs it only there).
NEEDLEDB_PYTHON = (3, 11)


class NeedleDB:
    """A running ``needledb serve`` process."""

    def __init__(self, data: Path) -> None:
        beside = Path(sys.executable).parent / "needledb"
        exe = str(beside) if beside.exists() else shutil.which("needledb")
        if exe is None and sys.version_info < NEEDLEDB_PYTHON:
            pytest.skip(
                "needledb (the local Pinecone server) supports Python >= 3.11 only; the server-backed Pinecone "
                "tests run on 3.11+, the pure translator tests run here"
            )
        if exe is None:
            pytest.fail("needledb is not installed; run `make install` (it is in the root dev group)")
        command = [exe, "serve", "--data", str(data), "--host", "{host}", "--port", "{port}"]
        self.server = ServerProcess([*command, "--api-key", API_KEY, "--log-level", "warning"]).start()
        self.port = self.server.port
        self.url = self.server.url

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Api-Key": API_KEY, "Content-Type": "application/json"}
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            conn.close()

    def create_index(self, name: str, dimension: int = DIMENSION, metric: str = "cosine") -> None:
        status, body = self.request(
            "POST", "/indexes", {"name": name, "dimension": dimension, "metric": metric, "index_type": "flat"}
        )
        assert status in (200, 201), body

    def stop(self) -> None:
        self.server.close()


class FaultProxy:
    """A stdlib HTTP server in front of needledb that counts attempts and injects queued faults."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.attempts: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        self.max_in_flight: Counter[str] = Counter()
        self.bodies: list[tuple[str, bytes]] = []
        self._faults: dict[str, list[tuple[str, Any]]] = {}
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            upstream: http.client.HTTPConnection | None = None

            def _handle(self) -> None:
                proxy._serve(self)

            def finish(self) -> None:
                super().finish()
                if self.upstream is not None:
                    self.upstream.close()

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # -- test API ---------------------------------------------------------------------------------------------

    def fail(self, path: str, *faults: tuple[str, Any]) -> None:
        """Queue faults for the next requests to ``path`` (no query string): ``("status", (code, retry_after))``
        (or ``(code, retry_after, message)``),
        ``("drop", None)`` (close before forwarding), ``("drop_after", None)`` (forward, then close without
        answering) or ``("delay", seconds)``."""
        with self._lock:
            self._faults.setdefault(path, []).extend(faults)

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self.attempts.clear()
            self.max_in_flight.clear()
            self.bodies.clear()

    def count(self, path: str) -> int:
        with self._lock:
            return self.attempts[path]

    def pending(self) -> int:
        with self._lock:
            return sum(len(queue) for queue in self._faults.values())

    # -- serving ----------------------------------------------------------------------------------------------

    def _next_fault(self, path: str) -> tuple[str, Any] | None:
        with self._lock:
            self.attempts[path] += 1
            queue = self._faults.get(path)
            return queue.pop(0) if queue else None

    def _upstream(self, handler: Any) -> http.client.HTTPConnection:
        # One keep-alive upstream connection per client connection, closed with it (Handler.finish).
        if handler.upstream is None:
            handler.upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        conn: http.client.HTTPConnection = handler.upstream
        return conn

    def _forward(self, handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, dict[str, str], bytes]:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")}
        for attempt in range(2):
            conn = self._upstream(handler)
            try:
                conn.request(handler.command, handler.path, body=body or None, headers=headers)
                response = conn.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _describe(self, handler: BaseHTTPRequestHandler, name: str) -> tuple[int, bytes]:
        status, _headers, raw = self._forward(handler, b"")
        if status != 200:
            return status, raw
        info = json.loads(raw)
        model = {
            "name": info["name"],
            "status": {"ready": True, "state": "Ready"},
            "schema": {
                "fields": {"values": {"type": "dense_vector", "dimension": info["dimension"], "metric": info["metric"]}}
            },
            "deployment": {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"},
            "deletion_protection": "disabled",
            "host": f"{self.url}/indexes/{name}",
        }
        return 200, json.dumps(model).encode()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.in_flight[path] += 1
            self.max_in_flight[path] = max(self.max_in_flight[path], self.in_flight[path])
        try:
            self._serve_one(handler)
        finally:
            with self._lock:
                self.in_flight[path] -= 1

    def _serve_one(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = handler.path.split("?", 1)[0]
        fault = self._next_fault(path)
        with self._lock:
            self.bodies.append((path, body))
        if fault is not None:
            kind, arg = fault
            if kind == "delay":
                time.sleep(arg)
            elif kind == "status":
                code, retry_after, *message = arg  # an optional third item replaces the error message
                text = message[0] if message else f"injected {code}"
                payload = json.dumps({"error": {"code": "INJECTED", "message": text}}).encode()
                handler.send_response(code)
                if retry_after is not None:
                    handler.send_header("Retry-After", str(retry_after))
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(payload)))
                handler.end_headers()
                handler.wfile.write(payload)
                return
            elif kind in ("drop", "drop_after"):
                if kind == "drop_after":
                    self._forward(handler, body)
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return
        parts = path.strip("/").split("/")
        if handler.command == "GET" and len(parts) == 2 and parts[0] == "indexes":
            status, raw = self._describe(handler, parts[1])
            ctype = "application/json"
        else:
            status, headers, raw = self._forward(handler, body)
            ctype = headers.get("content-type", "application/json")
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(raw)))
        handler.end_headers()
        handler.wfile.write(raw)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def needledb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NeedleDB]:
    """A needledb server with a 6-d cosine index ``kit`` (the conformance kit's dimension)."""
    server = NeedleDB(tmp_path_factory.mktemp("needledb"))
    try:
        server.create_index("kit", DIMENSION, "cosine")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def proxy_server(needledb: NeedleDB) -> Iterator[FaultProxy]:
    """The fault-injecting proxy in front of :func:`needledb` (shared; use :func:`proxy` in tests)."""
    server = FaultProxy(needledb.port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def proxy(proxy_server: FaultProxy) -> Iterator[FaultProxy]:
    """The proxy with counters and fault queues reset for this test."""
    proxy_server.reset()
    yield proxy_server
    proxy_server.reset()


@pytest.fixture
def namespace() -> str:
    """A fresh namespace, so tests sharing the index never see each other's records."""
    return f"t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def api_key() -> str:
    """The key needledb accepts."""
    return API_KEY


@pytest.fixture
async def make_store(proxy: FaultProxy, namespace: str) -> Any:
    """Build stores on the ``kit`` index through the proxy (fast retries); all are closed at teardown."""
    from dovetail.core.retry import RetryPolicy
    from dovetail.vector_stores.pinecone import PineconeVectorStore

    created: list[PineconeVectorStore] = []

    def make(**overrides: Any) -> PineconeVectorStore:
        settings: dict[str, Any] = {
            "host": f"{proxy.url}/indexes/kit",
            "api_key": API_KEY,
            "namespace": namespace,
            "retry_policy": RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05),
        }
        settings.update(overrides)
        store = PineconeVectorStore(**settings)
        created.append(store)
        return store

    yield make
    for store in created:
        await store.aclose()
