"""A loopback OTLP/HTTP receiver standing in for Langfuse's ingestion endpoint (real HTTP, real protobuf)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TRACES_PATH = "/api/public/otel/v1/traces"


def _value(v: Any) -> Any:
    kind = v.WhichOneof("value")
    if kind == "array_value":
        return [_value(x) for x in v.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, kind) if kind else None


def _attrs(items: Any) -> dict[str, Any]:
    return {a.key: _value(a.value) for a in items}


@dataclass
class Span:
    """One exported span, decoded."""

    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]
    resource: dict[str, Any]
    scope: dict[str, Any]
    status_code: int
    start_ns: int
    end_ns: int


@dataclass
class Receiver:
    """Records every export request; ``fail_with`` makes it answer with an HTTP error (body ``fail_body``) instead."""

    url: str
    spans: list[Span] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    raw_bodies: list[bytes] = field(default_factory=list)
    fail_with: int | None = None
    fail_body: bytes = b""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, predicate: Callable[[list[Span]], bool], timeout: float = 10.0) -> list[Span]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                spans = list(self.spans)
            if predicate(spans):
                return spans
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver did not get the expected spans; got {[s.name for s in spans]}")
            time.sleep(0.02)

    def for_key(self, public_key: str) -> list[Span]:
        with self.lock:
            indices = [i for i, h in enumerate(self.headers) if h.get("x-langfuse-public-key") == public_key]
            return [span for i in indices for span in self._by_request[i]]

    _by_request: list[list[Span]] = field(default_factory=list)


def _make_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
        ExportTraceServiceRequest,
        ExportTraceServiceResponse,
    )

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if receiver.fail_with is not None:
                self.send_response(receiver.fail_with)
                self.send_header("content-length", str(len(receiver.fail_body)))
                self.end_headers()
                self.wfile.write(receiver.fail_body)
                return
            if self.path != TRACES_PATH:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            raw = gzip.decompress(body) if self.headers.get("content-encoding") == "gzip" else body
            request = ExportTraceServiceRequest.FromString(raw)
            spans = [
                Span(
                    name=s.name,
                    trace_id=s.trace_id.hex(),
                    span_id=s.span_id.hex(),
                    parent_id=s.parent_span_id.hex(),
                    attributes=_attrs(s.attributes),
                    resource=_attrs(rs.resource.attributes),
                    scope={"name": ss.scope.name, **_attrs(ss.scope.attributes)},
                    status_code=s.status.code,
                    start_ns=s.start_time_unix_nano,
                    end_ns=s.end_time_unix_nano,
                )
                for rs in request.resource_spans
                for ss in rs.scope_spans
                for s in ss.spans
            ]
            with receiver.lock:
                receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                receiver.raw_bodies.append(raw)
                receiver._by_request.append(spans)
                receiver.spans.extend(spans)
            out = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _make_handler(receiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="otlp-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    receiver_server.fail_with = None
    receiver_server.fail_body = b""
    return receiver_server


@pytest.fixture
def keys() -> tuple[str, str]:
    """Fresh keys per test: the SDK keeps one client per public key and process."""
    suffix = uuid.uuid4().hex[:12]
    return f"pk-lf-test-{suffix}", f"sk-lf-test-{suffix}"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_host() -> str:
    return f"http://127.0.0.1:{closed_port()}"
