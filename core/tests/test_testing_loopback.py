"""The loopback server base: routes, recording, faults, latency, streams, ports (over real sockets, with httpx)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import dovetail.core.testing as kit
import httpx
import pytest
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import Fault
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.loopback import wait_for_port

pytestmark = pytest.mark.integration  # real sockets on 127.0.0.1


class _Demo(LoopbackHTTPServer):
    def __init__(self) -> None:
        super().__init__(request_id_header="request-id")
        self.add_route("POST", "/v1/echo", self._echo)
        self.add_route("POST", "/v1beta/models/{model}:generate", self._model)
        self.add_route("GET", "/sse", self._sse)
        self.add_route("GET", "/ndjson", self._ndjson)

    def _echo(self, exchange: Exchange) -> None:
        exchange.send_json(200, {"got": exchange.request.json})

    def _model(self, exchange: Exchange) -> None:
        exchange.send_json(200, {"model": exchange.params["model"]})

    def _sse(self, exchange: Exchange) -> None:
        exchange.send_sse([("ping", {"n": 1}), {"n": 2}, ("stop", {"n": 3})], done="[DONE]")

    def _ndjson(self, exchange: Exchange) -> None:
        exchange.send_ndjson([{"n": n} for n in range(4)])

    def authorize(self, exchange: Exchange) -> bool:
        if exchange.request.headers.get("x-key") == "bad":
            exchange.send_error(401, "bad key")
            return False
        return True


@pytest.fixture
def server() -> Iterator[_Demo]:
    with _Demo() as started:
        yield started


def test_routes_record_requests_and_request_ids(server: _Demo) -> None:
    response = httpx.post(f"{server.url}/v1/echo?x=1", json={"a": 1})
    assert response.json() == {"got": {"a": 1}}
    assert response.headers["request-id"] == "req_1"
    (recorded,) = server.requests
    assert (recorded.method, recorded.path, recorded.query) == ("POST", "/v1/echo", {"x": ["1"]})
    assert recorded.body == {"a": 1}
    assert recorded.raw == b'{"a":1}'
    assert recorded.headers["content-type"] == "application/json"
    assert httpx.post(f"{server.url}/v1beta/models/gemini-2.0-flash:generate").json() == {"model": "gemini-2.0-flash"}


def test_unknown_route_and_authorize(server: _Demo) -> None:
    missing = httpx.get(f"{server.url}/nowhere")
    assert missing.status_code == 404
    assert "no route GET /nowhere" in missing.text
    rejected = httpx.post(f"{server.url}/v1/echo", json={}, headers={"x-key": "bad"})
    assert rejected.status_code == 401
    assert rejected.json() == {"error": {"code": 401, "message": "bad key"}}


def test_status_fault_is_consumed_n_times_and_matched_by_path(server: _Demo) -> None:
    server.add_fault(status=529, headers={"retry-after": "2"}, body={"type": "overloaded"}, path="/echo", times=2)
    assert httpx.get(f"{server.url}/sse").status_code == 200  # another path: not consumed
    first = httpx.post(f"{server.url}/v1/echo", json={})
    assert (first.status_code, first.headers["retry-after"], first.json()) == (529, "2", {"type": "overloaded"})
    assert httpx.post(f"{server.url}/v1/echo", json={}).status_code == 529
    assert httpx.post(f"{server.url}/v1/echo", json={}).status_code == 200
    assert len(server.requests_to("/v1/echo")) == 3


def test_drop_fault_closes_without_answer(server: _Demo) -> None:
    server.add_fault(action="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{server.url}/v1/echo", json={})
    assert httpx.post(f"{server.url}/v1/echo", json={}).status_code == 200


def test_drop_after_fault_serves_the_request_but_loses_the_reply() -> None:
    applied: list[object] = []

    class Writes(LoopbackHTTPServer):
        def __init__(self) -> None:
            super().__init__()
            self.add_route("PATCH", "/items/{item}", self._patch)

        def _patch(self, exchange: Exchange) -> None:
            applied.append(exchange.request.json)
            exchange.send_json(200, {"ok": exchange.params["item"]})

    with Writes() as server:
        server.add_fault(action="drop_after", path="/items/a")
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.patch(f"{server.url}/items/a", json={"n": 1})
        assert applied == [{"n": 1}]  # the write happened; only the answer was lost
        assert httpx.patch(f"{server.url}/items/a", json={"n": 2}).json() == {"ok": "a"}
        assert server.pending_faults() == 0


def test_unrouted_counts_and_in_flight() -> None:
    release = threading.Event()

    class Proxy(LoopbackHTTPServer):
        def unrouted(self, exchange: Exchange) -> None:
            release.wait(10)
            exchange.send_bytes(200, exchange.request.target.encode(), "text/plain")

    with Proxy() as server:
        with httpx.Client() as client, ThreadPoolExecutor(3) as pool:
            replies = [pool.submit(client.get, f"{server.url}/any/path?q={n}") for n in range(3)]
            deadline = time.monotonic() + 10
            while server.attempts["/any/path"] < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            release.set()
            texts = sorted(reply.result().text for reply in replies)
        assert texts == [f"/any/path?q={n}" for n in range(3)]
        assert server.attempts == {"/any/path": 3}
        assert server.max_in_flight["/any/path"] == 3  # all three were held until released
        server.reset()
        assert server.attempts == {}
        assert server.max_in_flight == {}


def test_sse_events_with_names_and_done(server: _Demo) -> None:
    text = httpx.get(f"{server.url}/sse").text
    assert text == ('event: ping\ndata: {"n": 1}\n\ndata: {"n": 2}\n\nevent: stop\ndata: {"n": 3}\n\ndata: [DONE]\n\n')


def test_ndjson_and_cut_stream(server: _Demo) -> None:
    lines = httpx.get(f"{server.url}/ndjson").text.splitlines()
    assert lines == ['{"n": 0}', '{"n": 1}', '{"n": 2}', '{"n": 3}']
    server.add_fault(Fault(action="cut_stream", after_chunks=2, path="/ndjson"))
    received: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", f"{server.url}/ndjson") as response:
        received.extend(response.iter_lines())
    assert received == ['{"n": 0}', '{"n": 1}']


def test_latency_and_delay(server: _Demo) -> None:
    server.latency = 0.15
    start = time.monotonic()
    httpx.post(f"{server.url}/v1/echo", json={})
    assert time.monotonic() - start >= 0.15
    server.reset()
    server.add_fault(action="delay_only", delay=0.2)
    start = time.monotonic()
    assert httpx.post(f"{server.url}/v1/echo", json={}).status_code == 200
    assert time.monotonic() - start >= 0.2
    assert len(server.requests) == 1


def test_stop_is_idempotent_and_port_needs_start() -> None:
    server = _Demo()
    with pytest.raises(RuntimeError, match="not started"):
        _ = server.port
    server.start()
    port = server.port
    server.stop()
    server.stop()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        pass


def test_free_port_and_wait_for_port() -> None:
    port = free_port()
    with pytest.raises(TimeoutError, match=str(port)):
        wait_for_port("127.0.0.1", port, timeout=0.2)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        wait_for_port("127.0.0.1", port, timeout=1)


def test_wait_for_port_fails_fast_when_the_process_exits() -> None:
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="exited with code 3"):
        wait_for_port("127.0.0.1", free_port(), timeout=30, process=process)
    assert time.monotonic() - start < 10


def test_exported_lazily_from_the_kit() -> None:
    assert kit.LoopbackHTTPServer is LoopbackHTTPServer
    assert {"LoopbackHTTPServer", "Fault", "free_port", "wait_for_port"} <= set(kit.__all__)
