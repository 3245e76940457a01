"""A loopback OpenAI-compatible HTTP server for tests and benchmarks (stdlib only, one thread per connection).

It speaks enough of the OpenAI wire format for the real ``openai`` SDK: ``/v1/chat/completions`` (JSON and SSE
streaming with tool-call deltas split over chunks and a usage chunk), ``/v1/completions``, ``/v1/embeddings``
(float and base64) and ``/v1/models``. Faults are queued per test with :meth:`LoopbackOpenAI.add_fault`:
an HTTP status with headers (429 + ``Retry-After``, 5xx, 401), a delay, a dropped connection, or a stream cut
after a few chunks. Every request is recorded with its arrival time so tests can count attempts and waits.

This module (with ``openai_loopback_wire.py`` beside it, imported by name: the tests directory is on
``sys.path``) serves the LLM tests, the embedding tests and ``bench/bench_openai.py`` (which runs it as a script).

The "model" is deterministic: chat echoes the last user text (``"echo: <text>"``); when tools are offered and
the last message is from the user it calls the first (or the forced) tool with arguments synthesised from the
JSON schema; after a tool result it answers ``"tool said: <result>"``. Tests can queue exact replies with
:meth:`LoopbackOpenAI.script_chat`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from openai_loopback_wire import (
    MODELS,
    Fault,
    RecordedRequest,
    fake_vector,
    fake_vectors,
    message_text,
    sample_args,
    words,
)

__all__ = ["Fault", "LoopbackOpenAI", "RecordedRequest", "fake_vector", "fake_vectors"]


class LoopbackOpenAI:
    """The server. Use as a context manager or call :meth:`start`/:meth:`stop`.

    Args:
        latency: the server's response time: no response starts sooner than ``latency`` seconds after its request
            arrived, and the server's own work counts toward it (benchmarks, concurrency tests).
        api_key: when set, requests with another bearer token get 401.
        dims: default embedding dimension.
    """

    def __init__(self, *, latency: float = 0.0, api_key: str | None = None, dims: int = 16) -> None:
        self.latency = latency
        self.api_key = api_key
        self.dims = dims
        self.requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._scripts: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> LoopbackOpenAI:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="loopback-openai", daemon=True)
        self._thread.start()
        with socket.create_connection(("127.0.0.1", self.port), timeout=5):
            pass
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LoopbackOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``, what ``api_base`` / ``base_url`` takes."""
        return f"http://127.0.0.1:{self.port}/v1"

    # ---- test controls ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget recorded requests, faults and scripted replies; restore defaults."""
        with self._lock:
            self.requests.clear()
            self._faults.clear()
            self._scripts.clear()
        self.latency = 0.0
        self.api_key = None

    def add_fault(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        """Queue a fault (a :class:`Fault` or its fields as keywords)."""
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def script_chat(self, content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> None:
        """Queue the next chat reply: text and/or tool calls (``[{"name": ..., "arguments": {...}}]``)."""
        with self._lock:
            self._scripts.append({"content": content, "tool_calls": tool_calls})

    def requests_to(self, suffix: str) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``suffix``."""
        with self._lock:
            return [r for r in self.requests if r.path.endswith(suffix)]

    # ---- internals used by the handler -----------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.times > 0 and path.endswith(fault.path):
                    fault.times -= 1
                    return fault
        return None

    def _take_script(self) -> dict[str, Any] | None:
        with self._lock:
            return self._scripts.popleft() if self._scripts else None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:  # clients hang up in fault tests
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stalls
    server_state: LoopbackOpenAI

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    # ---- plumbing --------------------------------------------------------------------------------------

    def parse_request(self) -> bool:
        self._arrived = time.monotonic()  # the request line has just been read; headers come next
        return super().parse_request()

    def _wait_for_latency(self) -> None:
        remaining = self._arrived + self.server_state.latency - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()  # str: sent raw
        self._wait_for_latency()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if not any(key.lower() == "x-request-id" for key in headers or {}):
            self.send_header("x-request-id", f"req_{len(self.server_state.requests)}")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None, body: Any = None) -> None:
        payload = body or {"error": {"message": message, "type": "invalid_request_error", "code": str(status)}}
        self._send_json(status, payload, headers)

    def _drop(self) -> None:
        self._wait_for_latency()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        state._record(
            RecordedRequest(method, path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
        )
        fault = state._take_fault(path)
        cut_after: int | None = None
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.action == "drop":
                self._drop()
                return
            if fault.action == "status":
                self._error(fault.status, f"injected {fault.status}", fault.headers, fault.body)
                return
            if fault.action == "cut_stream":
                cut_after = fault.after_chunks
        if state.api_key is not None and self.headers.get("Authorization") != f"Bearer {state.api_key}":
            self._error(401, "Incorrect API key provided.")
            return
        routes = {
            "/v1/chat/completions": self._chat,
            "/v1/completions": self._completions,
            "/v1/embeddings": self._embeddings,
        }
        if method == "GET" and path == "/v1/models":
            self._send_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})
        elif method == "POST" and path in routes:
            routes[path](body or {}, cut_after)
        else:
            self._error(404, f"no route {method} {path}")

    # ---- SSE -------------------------------------------------------------------------------------------

    def _stream(self, events: list[dict[str, Any]], cut_after: int | None) -> None:
        self._wait_for_latency()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", "req_stream")
        self.end_headers()
        payloads = [f"data: {json.dumps(event)}\n\n".encode() for event in events] + [b"data: [DONE]\n\n"]
        for index, payload in enumerate(payloads):
            if cut_after is not None and index >= cut_after:
                self.wfile.flush()
                self._drop()
                return
            self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # ---- chat ------------------------------------------------------------------------------------------

    def _chat_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        script = self.server_state._take_script()
        if script is not None:
            return script
        messages = body.get("messages") or []
        last = messages[-1] if messages else {}
        tools = body.get("tools") or []
        choice = body.get("tool_choice")
        if last.get("role") == "tool":
            return {"content": f"tool said: {message_text(last)}", "tool_calls": None}
        if tools and choice != "none":
            tool = tools[0]["function"]
            if isinstance(choice, dict):
                tool = next(t["function"] for t in tools if t["function"]["name"] == choice["function"]["name"])
            user = [m for m in messages if m.get("role") == "user"]
            args = sample_args(tool.get("parameters") or {}, message_text(user[-1]) if user else "")
            return {"content": None, "tool_calls": [{"name": tool["name"], "arguments": args}]}
        user = [m for m in messages if m.get("role") == "user"]
        text = message_text(user[-1]) if user else ""
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            schema = response_format["json_schema"].get("schema") or {}
            return {"content": json.dumps(sample_args(schema, text)), "tool_calls": None}
        images = sum(
            1
            for part in (user[-1].get("content") if user and isinstance(user[-1].get("content"), list) else [])
            if part.get("type") == "image_url"
        )
        suffix = f" [{images} image(s)]" if images else ""
        return {"content": f"echo: {text}{suffix}", "tool_calls": None}

    def _chat(self, body: dict[str, Any], cut_after: int | None) -> None:
        reply = self._chat_reply(body)
        model = body.get("model", "loopback-model")
        prompt_tokens = sum(words(message_text(m)) for m in body.get("messages") or [])
        content = reply.get("content")
        calls = [
            {
                "id": f"call_{i}",
                "type": "function",
                "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
            }
            for i, c in enumerate(reply.get("tool_calls") or [])
        ]
        completion_tokens = words(content or "") + sum(words(c["function"]["arguments"]) for c in calls)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        finish = "tool_calls" if calls else "stop"
        base = {"id": "chatcmpl-loopback", "created": 1_700_000_000, "model": model}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": content}
            if calls:
                message["tool_calls"] = calls
            choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            self._send_json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})
            return
        chunk = {**base, "object": "chat.completion.chunk"}
        events: list[dict[str, Any]] = [
            {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
        ]
        for word in (content or "").split(" ") if content else []:
            piece = word if not events[1:] else " " + word
            events.append({**chunk, "choices": [{"index": 0, "delta": {"content": piece}}]})
        for i, call in enumerate(calls):
            head = {"index": i, "id": call["id"], "type": "function"}
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            events.append({**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [head]}}]})
            args = call["function"]["arguments"]
            for start in range(0, len(args), 7):  # split the JSON arguments across several deltas
                part = {"index": i, "function": {"arguments": args[start : start + 7]}}
                events.append({**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [part]}}]})
        events.append({**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**chunk, "choices": [], "usage": usage})
        self._stream(events, cut_after)

    # ---- completions -----------------------------------------------------------------------------------

    def _completions(self, body: dict[str, Any], cut_after: int | None) -> None:
        prompt = body.get("prompt", "")
        prompt = prompt if isinstance(prompt, str) else " ".join(map(str, prompt))
        text = f"echo: {prompt}"
        usage = {
            "prompt_tokens": words(prompt),
            "completion_tokens": words(text),
            "total_tokens": words(prompt) + words(text),
        }
        base = {"id": "cmpl-loopback", "created": 1_700_000_000, "model": body.get("model", "loopback-model")}
        if not body.get("stream"):
            choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
            self._send_json(200, {**base, "object": "text_completion", "choices": [choice], "usage": usage})
            return
        events: list[dict[str, Any]] = []
        for i, word in enumerate(text.split(" ")):
            piece = word if i == 0 else " " + word
            choice = {"index": 0, "text": piece, "finish_reason": None, "logprobs": None}
            events.append({**base, "object": "text_completion", "choices": [choice]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**base, "object": "text_completion", "choices": [], "usage": usage})
        self._stream(events, cut_after)

    # ---- embeddings ------------------------------------------------------------------------------------

    def _embeddings(self, body: dict[str, Any], cut_after: int | None) -> None:
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or len(inputs) > 2048:
            self._error(400, "'$.input' is invalid: 1..2048 inputs required")
            return
        if any(isinstance(text, str) and not text for text in inputs):
            self._error(400, "'$.input' is invalid: empty string")
            return
        dims = int(body.get("dimensions") or self.server_state.dims)
        matrix = fake_vectors([str(text) for text in inputs], dims)
        if body.get("encoding_format") == "base64":
            encoded: list[Any] = [base64.b64encode(row.tobytes()).decode() for row in matrix]
        else:
            encoded = matrix.tolist()
        data = [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(encoded)]
        tokens = sum(words(str(text)) for text in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        payload = {"object": "list", "data": data, "model": body.get("model"), "usage": usage}
        self._send_json(200, payload)


def main() -> None:
    """Serve until stdin closes: ``python openai_loopback.py --latency 0.02`` prints the port (benchmarks)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--dims", type=int, default=16)
    args = parser.parse_args()
    with LoopbackOpenAI(latency=args.latency, dims=args.dims) as server:
        print(server.port, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
