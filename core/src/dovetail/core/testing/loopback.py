"""Loopback test servers: a threaded stdlib HTTP server that provider stand-ins build on.

Integration tests drive the real provider SDK over real HTTP against a server on ``127.0.0.1``. This module holds
the plumbing every such server shares, so a provider's test server only registers its routes and writes its
replies:

- :func:`free_port` and :func:`wait_for_port` for servers started as subprocesses;
- :class:`LoopbackHTTPServer`: start/stop (or ``with``), ``url``/``port``, every request recorded
  (:class:`RecordedRequest`: method, path, query, headers, body, arrival time), routes per method and path
  template (``/v1beta/models/{model}:generateContent``), replies as JSON, server-sent events or NDJSON lines;
- queued faults (:class:`Fault`): an HTTP status with headers and body (429 + ``Retry-After``, 5xx, 529), a delay,
  a dropped connection (before the request is served, or after: the work is done but the reply is lost), a stream
  cut after N chunks, matched by path and consumed once or N times;
- a ``latency`` knob: no response starts sooner than ``latency`` seconds after its request arrived;
- counters: requests per path (:attr:`LoopbackHTTPServer.attempts`) and the most requests in flight at once per
  path (:attr:`LoopbackHTTPServer.max_in_flight`);
- :meth:`LoopbackHTTPServer.unrouted` for requests no route matches (404 by default; a proxy forwards them).

Example:
    ```python
    from dovetail.core.testing.loopback import Exchange, LoopbackHTTPServer

    class Echo(LoopbackHTTPServer):
        def __init__(self) -> None:
            super().__init__()
            self.add_route("POST", "/echo/{name}", self._echo)

        def _echo(self, exchange: Exchange) -> None:
            exchange.send_json(200, {"name": exchange.params["name"], "body": exchange.request.json})

    with Echo() as server:
        server.add_fault(status=429, headers={"Retry-After": "0"}, path="/echo/a")
        ...  # point the SDK at server.url
    ```
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import Literal
from urllib.parse import parse_qs

__all__ = [
    "Exchange",
    "Fault",
    "LoopbackHTTPServer",
    "RecordedRequest",
    "Route",
    "free_port",
    "wait_for_port",
]

FaultAction = Literal["status", "drop", "drop_after", "cut_stream", "delay_only"]
Route = Callable[["Exchange"], None]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that was free a moment ago (bind to port 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float = 10.0, process: subprocess.Popen[Any] | None = None) -> None:
    """Block until ``host:port`` accepts a TCP connection.

    Args:
        host: the address to connect to (``127.0.0.1``).
        port: the port.
        timeout: seconds to wait in total.
        process: the server's process, when it was started as a subprocess: if it exits first, fail at once
            with its exit code instead of waiting out the timeout.

    Raises:
        RuntimeError: the process exited before the port opened.
        TimeoutError: the port did not open within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            msg = f"server process exited with code {process.returncode} before {host}:{port} opened"
            raise RuntimeError(msg)
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                msg = f"nothing listened on {host}:{port} within {timeout:g} s; check the server's output"
                raise TimeoutError(msg) from None
            time.sleep(0.02)


@dataclass
class Fault:
    """One injected failure, consumed by the next ``times`` matching requests.

    Args:
        status: HTTP status to answer with (``action="status"``).
        headers: extra response headers, e.g. ``{"Retry-After": "0.3"}``.
        body: the JSON error body; the server's :meth:`LoopbackHTTPServer.error_body` by default; a ``str`` or
            ``bytes`` is sent as it is (a non-JSON body).
        delay: seconds to sleep before acting (a slow response).
        action: ``"status"`` answers with ``status``; ``"drop"`` closes the connection without an answer;
            ``"drop_after"`` serves the request (the route runs: a write is applied) but closes the connection
            instead of sending the reply; ``"cut_stream"`` answers normally but closes the connection after
            ``after_chunks`` stream chunks;
            ``"delay_only"`` sleeps ``delay`` and then answers normally.
        path: only requests whose path ends with this match (``""`` matches every path).
        times: how many requests this fault applies to.
        after_chunks: chunks (SSE events or NDJSON lines) sent before the cut.
    """

    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    action: FaultAction = "status"
    path: str = ""
    times: int = 1
    after_chunks: int = 2


@dataclass
class RecordedRequest:
    """A request as the server saw it.

    Attributes:
        method: ``GET``, ``POST``, ...
        path: the path without the query string.
        headers: header names lower-cased.
        body: the parsed JSON body (``None`` when empty or not JSON).
        at: ``time.monotonic()`` when the request line arrived.
        query: the query string's parameters.
        raw: the body's bytes.
        target: the request target as sent: the path with its query string.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float
    query: dict[str, list[str]] = field(default_factory=dict)
    raw: bytes = b""
    target: str = ""

    @property
    def json(self) -> Any:
        """The parsed JSON body (same as ``body``)."""
        return self.body


class LoopbackHTTPServer:
    """A threaded HTTP/1.1 server on ``127.0.0.1`` with routes, recorded requests, faults and latency.

    Subclasses register routes in ``__init__`` with :meth:`add_route`; a route gets an :class:`Exchange` and
    replies through it. Unknown routes get 404 with :meth:`error_body`. Override :meth:`authorize` to reject
    requests (reply and return ``False``) and :meth:`error_body` for the provider's error shape.

    Args:
        latency: the server's response time: no response starts sooner than ``latency`` seconds after its
            request arrived; the server's own work counts toward it.
        request_id_header: the response header carrying a request id (``x-request-id``, ``request-id``);
            ``None`` sends none.
    """

    name = "loopback"

    def __init__(self, *, latency: float = 0.0, request_id_header: str | None = "x-request-id") -> None:
        self.latency = latency
        self.request_id_header = request_id_header
        self.requests: list[RecordedRequest] = []
        self.max_in_flight: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._faults: list[Fault] = []
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._lock = threading.Lock()
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ----------------------------------------------------------------------------------------

    def start(self) -> LoopbackHTTPServer:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"{self.name}-server", daemon=True)
        self._thread.start()
        wait_for_port("127.0.0.1", self.port, timeout=5.0)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Any:  # Any: a subclass's ``with`` gets the subclass
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the server must be started)."""
        if self._httpd is None:
            msg = f"{type(self).__name__} is not started: call start() or use it as a context manager"
            raise RuntimeError(msg)
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    # ---- routes and hooks ---------------------------------------------------------------------------------

    def add_route(self, method: str, path: str, handler: Route) -> None:
        """Serve ``method path`` with ``handler``; ``{name}`` in ``path`` matches one segment (no ``/``)."""
        pattern = re.escape(path).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+?)", pattern)
        self._routes.append((method.upper(), re.compile(pattern), handler))

    def authorize(self, exchange: Exchange) -> bool:
        """Return ``False`` after replying to reject a request (e.g. 401 on a wrong key); accepts all by default."""
        return True

    def error_body(self, status: int, message: str) -> Any:
        """The JSON body of an error reply; subclasses return their provider's shape."""
        return {"error": {"code": status, "message": message}}

    def unrouted(self, exchange: Exchange) -> None:
        """Serve a request no route matches: 404 with :meth:`error_body` (a proxy overrides it to forward)."""
        exchange.send_error(404, f"no route {exchange.request.method} {exchange.request.path}")

    # ---- test controls ------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget recorded requests, counters and queued faults; latency back to 0."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self.max_in_flight.clear()
        self.latency = 0.0

    def add_fault(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        """Queue a fault (a :class:`Fault` or its fields as keywords); faults match in the order queued."""
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def requests_to(self, suffix: str) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``suffix``."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith(suffix)]

    @property
    def attempts(self) -> Counter[str]:
        """How many requests arrived per path (faulted ones included)."""
        with self._lock:
            return Counter(r.path for r in self.requests)

    def pending_faults(self) -> int:
        """How many queued fault applications are still unused."""
        with self._lock:
            return sum(fault.times for fault in self._faults)

    # ---- used by the handler ------------------------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests)

    def _entered(self, path: str, delta: int) -> None:
        with self._lock:
            self._in_flight[path] += delta
            self.max_in_flight[path] = max(self.max_in_flight[path], self._in_flight[path])

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and path.endswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    def _match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route_method, pattern, handler in self._routes:
            found = pattern.fullmatch(path)
            if route_method == method and found is not None:
                return handler, found.groupdict()
        return None


class _StreamCut(Exception):
    """Raised inside a route when an injected ``cut_stream`` fault closed the connection."""


class Exchange:
    """One request and the means to answer it (given to routes).

    Attributes:
        request: the recorded request.
        params: the values of the route's ``{name}`` placeholders.
        server: the server.
        request_id: the id sent in the server's request-id header.
    """

    def __init__(self, handler: _Handler, request: RecordedRequest, request_id: str, cut_after: int | None) -> None:
        self._handler = handler
        self.request = request
        self.server: LoopbackHTTPServer = handler.server_state
        self.params: dict[str, str] = {}
        self.request_id = request_id
        self._cut_after = cut_after
        self.replied = False

    # ---- whole replies ------------------------------------------------------------------------------------

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        """Reply with ``payload`` as JSON."""
        self.send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        """Reply with the server's error body for ``status``."""
        self.send_json(status, self.server.error_body(status, message), headers)

    def send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        """Reply with ``data`` as the whole body."""
        handler = self._handler
        self._start(status, content_type, {"Content-Length": str(len(data)), **(headers or {})})
        handler.wfile.write(data)

    # ---- streams ------------------------------------------------------------------------------------------

    def send_sse(
        self,
        events: Iterable[Any],
        *,
        done: str | None = None,
        headers: dict[str, str] | None = None,
        chunk_delay: float = 0.0,
    ) -> None:
        """Stream server-sent events, one HTTP chunk each.

        Args:
            events: each a JSON-able payload (sent as ``data: ...``) or a ``(name, payload)`` pair (sent as
                ``event: name`` + ``data: ...``); a ``str`` payload is sent as is.
            done: a final ``data:`` line such as ``"[DONE]"`` (OpenAI), or ``None``.
            headers: extra response headers.
            chunk_delay: seconds to sleep before each event (a slow stream).
        """
        chunks = [_sse(event) for event in events]
        if done is not None:
            chunks.append(f"data: {done}\n\n".encode())
        self.send_stream(chunks, "text/event-stream", headers, chunk_delay)

    def send_ndjson(
        self, lines: Iterable[Any], *, headers: dict[str, str] | None = None, chunk_delay: float = 0.0
    ) -> None:
        """Stream newline-delimited JSON, one line per HTTP chunk (Ollama's streaming format)."""
        chunks = [json.dumps(line).encode() + b"\n" for line in lines]
        self.send_stream(chunks, "application/x-ndjson", headers, chunk_delay)

    def send_stream(
        self,
        chunks: Iterable[bytes],
        content_type: str,
        headers: dict[str, str] | None = None,
        chunk_delay: float = 0.0,
    ) -> None:
        """Stream ``chunks`` with chunked transfer encoding, honouring a queued ``cut_stream`` fault."""
        handler = self._handler
        self._start(200, content_type, {"Transfer-Encoding": "chunked", **(headers or {})})
        for index, chunk in enumerate(chunks):
            if self._cut_after is not None and index >= self._cut_after:
                handler.wfile.flush()
                handler.drop()
                raise _StreamCut
            if chunk_delay:
                time.sleep(chunk_delay)
            handler.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    def _start(self, status: int, content_type: str, headers: dict[str, str]) -> None:
        handler = self._handler
        handler.wait_for_latency()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        names = {key.lower() for key in headers}
        header = self.server.request_id_header
        if header is not None and header.lower() not in names:
            handler.send_header(header, self.request_id)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        self.replied = True


def _sse(event: Any) -> bytes:
    name: str | None = None
    if isinstance(event, tuple):
        name, event = event
    data = event if isinstance(event, str) else json.dumps(event)
    head = f"event: {name}\n" if name else ""
    return f"{head}data: {data}\n\n".encode()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:  # clients hang up in fault tests
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
    server_state: LoopbackHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def parse_request(self) -> bool:
        self._arrived = time.monotonic()  # the request line has just been read; headers come next
        return super().parse_request()

    def wait_for_latency(self) -> None:
        remaining = self._arrived + self.server_state.latency - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        path = self.path.partition("?")[0]
        self.server_state._entered(path, 1)
        try:
            self._serve(method)
        finally:
            self.server_state._entered(path, -1)

    def _serve(self, method: str) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path, _, query = self.path.partition("?")
        headers = {key.lower(): value for key, value in self.headers.items()}
        recorded = RecordedRequest(method, path, headers, body, self._arrived, parse_qs(query), raw, self.path)
        number = state._record(recorded)
        fault = state._take_fault(path)
        exchange = Exchange(self, recorded, f"req_{number}", None)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.action == "drop":
                self.wait_for_latency()
                self.drop()
                return
            if fault.action == "status":
                payload = fault.body if fault.body is not None else state.error_body(fault.status, "injected fault")
                if isinstance(payload, (str, bytes)):  # sent as it is: a non-JSON body
                    raw = payload.encode() if isinstance(payload, str) else payload
                    exchange.send_bytes(fault.status, raw, "application/json", fault.headers)
                else:
                    exchange.send_json(fault.status, payload, fault.headers)
                return
            if fault.action == "cut_stream":
                exchange._cut_after = fault.after_chunks
        if not state.authorize(exchange):
            return
        if fault is not None and fault.action == "drop_after":
            wire, self.wfile = self.wfile, io.BytesIO()  # the reply is written nowhere
            try:
                self._route(state, exchange)
            finally:
                self.wfile = wire
            self.drop()
            return
        self._route(state, exchange)

    def _route(self, state: LoopbackHTTPServer, exchange: Exchange) -> None:
        matched = state._match(exchange.request.method, exchange.request.path)
        if matched is None:
            state.unrouted(exchange)
            return
        route, exchange.params = matched
        with contextlib.suppress(_StreamCut):
            route(exchange)
