"""A loopback Ollama server for tests and benchmarks, on core's ``LoopbackHTTPServer``.

It speaks Ollama's HTTP API as the ``ollama`` SDK uses it: ``POST /api/chat`` (one JSON object, or NDJSON lines
when ``stream`` is true: content pieces, thinking pieces, whole tool calls, and a last ``done`` line with
``prompt_eval_count``/``eval_count``), ``POST /api/embed`` (batch ``input``, ``dimensions``, ``truncate``),
``GET /api/tags`` and ``GET /api/version``. Unknown models get 404 ``model "x" not found, try pulling it first``;
errors are ``{"error": "..."}``. Faults come from the base class (:meth:`add_fault`), and
:meth:`LoopbackOllama.fail_stream` puts an ``{"error": ...}`` line into the next stream.

The "model" is deterministic: chat echoes the last user text (``"echo: <text>"``, ``[n image(s)]``); with tools
it calls the first tool with arguments from its schema (or quoted in the prompt); after a tool result it answers
``"tool said: <result>"``; with ``think`` it first thinks ``"Thinking about: <text>"``; with ``format`` (a JSON
schema) it answers JSON that fits. Embeddings are hashed unit vectors (:func:`fake_vector`).

Run as a script (``python ollama_loopback.py --latency 0.02``) it prints its port and serves until stdin closes.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any

from dovetail.core.testing.fakes import fake_vector
from dovetail.core.testing.fakes import fake_vectors
from dovetail.core.testing.fakes import sample_args
from dovetail.core.testing.fakes import words
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import Fault
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import RecordedRequest
from dovetail.core.testing.servers.serve import serve_from_command_line

__all__ = ["MODELS", "Fault", "LoopbackOllama", "RecordedRequest", "fake_vector"]

MODELS = {"llama3.2": 0, "qwen3": 0, "gemma3": 0, "nomic-embed-text": 768, "all-minilm": 384}
DEFAULT_DIMS = 16


class LoopbackOllama(LoopbackHTTPServer):
    """The server. Use as a context manager or call :meth:`start`/:meth:`stop`; the SDK's ``host`` is ``url``.

    Args:
        latency: the server's response time (see ``LoopbackHTTPServer``).
        dims: the embedding size of every embedding model (tests and benchmarks keep it small).
    """

    name = "loopback-ollama"

    def __init__(self, *, latency: float = 0.0, dims: int = DEFAULT_DIMS) -> None:
        super().__init__(latency=latency, request_id_header=None)
        self.dims = dims
        self._state_lock = threading.Lock()
        self._stream_errors: deque[int] = deque()
        self.add_route("POST", "/api/chat", self._chat)
        self.add_route("POST", "/api/embed", self._embed)
        self.add_route("GET", "/api/tags", self._tags)
        self.add_route("GET", "/api/version", lambda ex: ex.send_json(200, {"version": "0.12.0"}))

    def reset(self) -> None:
        """Forget requests, faults and stream errors."""
        super().reset()
        with self._state_lock:
            self._stream_errors.clear()

    def fail_stream(self, after_lines: int) -> None:
        """The next chat stream sends ``after_lines`` lines, then an ``{"error": ...}`` line, and ends."""
        with self._state_lock:
            self._stream_errors.append(after_lines)

    def error_body(self, status: int, message: str) -> Any:
        """Ollama's error shape."""
        return {"error": message}

    # ---- routes -----------------------------------------------------------------------------------------

    def _known(self, exchange: Exchange, model: Any) -> bool:
        if model not in MODELS:
            exchange.send_error(404, f'model "{model}" not found, try pulling it first')
            return False
        return True

    def _tags(self, exchange: Exchange) -> None:
        exchange.send_json(200, {"models": [{"name": f"{m}:latest", "model": f"{m}:latest"} for m in MODELS]})

    def _chat(self, exchange: Exchange) -> None:
        body = exchange.request.json or {}
        if not self._known(exchange, body.get("model")):
            return
        messages = body.get("messages") or []
        if not messages:
            exchange.send_error(400, "messages are required")
            return
        reply = _reply(body)
        prompt = sum(words(m.get("content") or "") for m in messages)
        output = words(reply["content"]) + words(reply.get("thinking") or "")
        output += sum(words(json.dumps(c["function"]["arguments"])) for c in reply["tool_calls"])
        final = {
            "model": body["model"],
            "created_at": "2026-12-03T00:00:00Z",
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "load_duration": 10,
            "prompt_eval_count": prompt,
            "prompt_eval_duration": 100,
            "eval_count": max(output, 1),
            "eval_duration": 100,
        }
        if body.get("stream") is False:
            message: dict[str, Any] = {"role": "assistant", "content": reply["content"]}
            if reply.get("thinking"):
                message["thinking"] = reply["thinking"]
            if reply["tool_calls"]:
                message["tool_calls"] = reply["tool_calls"]
            exchange.send_json(200, {**final, "message": message})
            return
        lines = _stream_lines(body["model"], reply, final)
        with self._state_lock:
            cut = self._stream_errors.popleft() if self._stream_errors else None
        if cut is not None:
            lines = [*lines[:cut], {"error": "an error was encountered while running the model: injected"}]
        exchange.send_ndjson(lines)

    def _embed(self, exchange: Exchange) -> None:
        body = exchange.request.json or {}
        if not self._known(exchange, body.get("model")):
            return
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
            exchange.send_error(400, "invalid input type")
            return
        dims = int(body.get("dimensions") or self.dims)
        vectors = fake_vectors(inputs, dims).tolist() if inputs else []
        tokens = sum(words(t) for t in inputs)
        exchange.send_json(
            200,
            {
                "model": body["model"],
                "embeddings": vectors,
                "total_duration": 1000,
                "load_duration": 10,
                "prompt_eval_count": tokens,
            },
        )


def _reply(body: dict[str, Any]) -> dict[str, Any]:
    messages = body["messages"]
    last = messages[-1]
    users = [m for m in messages if m.get("role") == "user"]
    text = (users[-1].get("content") or "") if users else ""
    thinking = f"Thinking about: {text}" if body.get("think") else None
    reply: dict[str, Any] = {"thinking": thinking, "tool_calls": []}
    if last.get("role") == "tool":
        return {**reply, "content": f"tool said: {last.get('content', '')}"}
    tools = body.get("tools") or []
    if tools:
        function = tools[0]["function"]
        args = sample_args(function.get("parameters") or {}, text)
        return {**reply, "content": "", "tool_calls": [{"function": {"name": function["name"], "arguments": args}}]}
    schema = body.get("format")
    if isinstance(schema, dict):
        return {**reply, "content": json.dumps(sample_args(schema, text))}
    if schema == "json":
        return {**reply, "content": json.dumps({"echo": text})}
    images = len(users[-1].get("images") or []) if users else 0
    suffix = f" [{images} image(s)]" if images else ""
    return {**reply, "content": f"echo: {text}{suffix}"}


def _stream_lines(model: str, reply: dict[str, Any], final: dict[str, Any]) -> list[dict[str, Any]]:
    head = {"model": model, "created_at": "2026-12-03T00:00:00Z", "done": False}
    lines: list[dict[str, Any]] = []
    if reply.get("thinking"):
        for i, piece in enumerate(reply["thinking"].split(" ")):
            chunk = piece if i == 0 else " " + piece
            lines.append({**head, "message": {"role": "assistant", "content": "", "thinking": chunk}})
    if reply["tool_calls"]:
        lines.append({**head, "message": {"role": "assistant", "content": "", "tool_calls": reply["tool_calls"]}})
    if reply["content"]:
        for i, piece in enumerate(reply["content"].split(" ")):
            chunk = piece if i == 0 else " " + piece
            lines.append({**head, "message": {"role": "assistant", "content": chunk}})
    lines.append({**final, "message": {"role": "assistant", "content": ""}})
    return lines


def main() -> None:
    """Serve until stdin closes: ``python ollama_loopback.py --latency 0.02`` prints the port."""
    serve_from_command_line(LoopbackOllama, main.__doc__, dims=DEFAULT_DIMS)


if __name__ == "__main__":
    main()
