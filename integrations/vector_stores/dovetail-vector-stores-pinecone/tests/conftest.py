"""Real local Pinecone stand-in for the tests: ``needledb`` (a Pinecone-shaped data plane) behind a proxy built on
core's loopback server (:mod:`dovetail.core.testing.loopback`).

The proxy forwards every request to needledb unchanged, counts attempts per path, answers the control-plane
``GET /indexes/{name}`` in Pinecone's 2026-07 shape (needledb's own answer lacks ``schema``), and injects faults
a test queues for a path: an HTTP status (with ``Retry-After``), a dropped connection before or after the request
reached needledb, or a delay.
"""

from __future__ import annotations

import http.client
import json
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.testing.fixtures import loopback_server_fixtures
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import RecordedRequest
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


class FaultProxy(LoopbackHTTPServer):
    """Core's loopback server as a proxy in front of needledb: it forwards every request, answers the control
    plane's ``GET /indexes/{name}``, counts attempts and requests in flight per path, and injects queued faults."""

    name = "pinecone-proxy"

    def __init__(self, upstream_port: int) -> None:
        super().__init__(request_id_header=None)
        self.upstream_port = upstream_port
        self.add_route("GET", "/indexes/{name}", self._describe)

    # -- test API ---------------------------------------------------------------------------------------------

    def fail(self, path: str, *faults: tuple[str, Any]) -> None:
        """Queue faults for the next requests to ``path`` (no query string): ``("status", (code, retry_after))``
        (or ``(code, retry_after, message)``), ``("drop", None)`` (close before forwarding), ``("drop_after",
        None)`` (forward, then close without answering) or ``("delay", seconds)`` (then forward)."""
        for kind, arg in faults:
            if kind == "status":
                code, retry_after, *message = arg  # an optional third item replaces the error message
                text = message[0] if message else f"injected {code}"
                headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
                body = {"error": {"code": "INJECTED", "message": text}}
                self.add_fault(status=code, headers=headers, body=body, path=path)
            elif kind == "delay":
                self.add_fault(action="delay_only", delay=arg, path=path)
            else:
                assert kind in ("drop", "drop_after"), kind
                self.add_fault(action=kind, path=path)

    def count(self, path: str) -> int:
        """Requests that arrived for exactly ``path``."""
        return self.attempts[path]

    def pending(self) -> int:
        """Queued faults not used yet."""
        return self.pending_faults()

    @property
    def bodies(self) -> list[tuple[str, bytes]]:
        """``(path, raw body)`` of every request, in arrival order."""
        with self._lock:
            return [(r.path, r.raw) for r in self.requests]

    # -- serving ----------------------------------------------------------------------------------------------

    def unrouted(self, exchange: Exchange) -> None:
        """Forward to needledb unchanged and relay its answer."""
        status, headers, raw = self._forward(exchange.request)
        exchange.send_bytes(status, raw, headers.get("content-type", "application/json"))

    def _forward(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        headers = {k: v for k, v in request.headers.items() if k not in ("host", "connection", "content-length")}
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            conn.request(request.method, request.target, body=request.raw or None, headers=headers)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def _describe(self, exchange: Exchange) -> None:
        status, _headers, raw = self._forward(exchange.request)
        if status != 200:
            exchange.send_bytes(status, raw, "application/json")
            return
        info = json.loads(raw)
        name = exchange.params["name"]
        exchange.send_json(
            200,
            {
                "name": info["name"],
                "status": {"ready": True, "state": "Ready"},
                "schema": {
                    "fields": {
                        "values": {"type": "dense_vector", "dimension": info["dimension"], "metric": info["metric"]}
                    }
                },
                "deployment": {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"},
                "deletion_protection": "disabled",
                "host": f"{self.url}/indexes/{name}",
            },
        )


@pytest.fixture(scope="session")
def needledb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NeedleDB]:
    """A needledb server with a 6-d cosine index ``kit`` (the conformance kit's dimension)."""
    server = NeedleDB(tmp_path_factory.mktemp("needledb"))
    try:
        server.create_index("kit", DIMENSION, "cosine")
        yield server
    finally:
        server.stop()


def _fault_proxy(needledb: NeedleDB) -> FaultProxy:
    """The fault-injecting proxy in front of :func:`needledb`."""
    return FaultProxy(needledb.port)


# ``_server``: the proxy, shared by the session; ``proxy``: the same proxy, its counters and fault queues reset
# around each test (use this one in tests).
_server, proxy = loopback_server_fixtures(_fault_proxy, needs="needledb")


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
    from dovetail.core.testing.fixtures import closing_factory
    from dovetail.vector_stores.pinecone import PineconeVectorStore

    async with closing_factory(
        PineconeVectorStore,
        host=f"{proxy.url}/indexes/kit",
        api_key=API_KEY,
        namespace=namespace,
        retry_policy=RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05),
    ) as make:
        yield make
