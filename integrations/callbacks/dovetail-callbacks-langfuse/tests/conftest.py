"""A loopback OTLP/HTTP receiver standing in for Langfuse's ingestion endpoint (real HTTP, real protobuf), on
core's shared loopback server."""

from __future__ import annotations

import gzip
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import free_port

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


class Receiver(LoopbackHTTPServer):
    """Decodes every OTLP export into :class:`Span` records; ``fail_with`` makes it answer every request with that
    HTTP status (body ``fail_body``) instead, accepting nothing."""

    name = "otlp-receiver"

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[Span] = []
        self.headers: list[dict[str, str]] = []  # of each accepted export request
        self.raw_bodies: list[bytes] = []  # each accepted request's protobuf, decompressed
        self.fail_with: int | None = None
        self.fail_body: bytes = b""
        self.lock = threading.Lock()
        self._by_request: list[list[Span]] = []
        self.add_route("POST", TRACES_PATH, self._export)

    def authorize(self, exchange: Exchange) -> bool:
        """Answer with ``fail_with`` while it is set."""
        if self.fail_with is None:
            return True
        exchange.send_bytes(self.fail_with, self.fail_body, "application/json")
        return False

    def _export(self, exchange: Exchange) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

        request = exchange.request
        gzipped = request.headers.get("content-encoding") == "gzip"
        raw = gzip.decompress(request.raw) if gzipped else request.raw
        spans = _decode(ExportTraceServiceRequest.FromString(raw))
        with self.lock:
            self.headers.append(request.headers)
            self.raw_bodies.append(raw)
            self._by_request.append(spans)
            self.spans.extend(spans)
        out = ExportTraceServiceResponse().SerializeToString()
        exchange.send_bytes(200, out, "application/x-protobuf")

    def wait_for(self, predicate: Callable[[list[Span]], bool], timeout: float = 10.0) -> list[Span]:
        """Wait until ``predicate(spans received so far)`` holds; return those spans."""
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
        """The spans of the export requests made with ``public_key``."""
        with self.lock:
            indices = [i for i, h in enumerate(self.headers) if h.get("x-langfuse-public-key") == public_key]
            return [span for i in indices for span in self._by_request[i]]


def _decode(request: Any) -> list[Span]:
    return [
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


@pytest.fixture(scope="session")
def receiver_server() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


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


@pytest.fixture
def dead_host() -> str:
    """A loopback URL nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"
