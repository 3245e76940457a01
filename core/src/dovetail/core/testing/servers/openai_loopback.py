"""A loopback OpenAI-compatible HTTP server for tests and benchmarks, on core's ``LoopbackHTTPServer``.

It speaks enough of the OpenAI wire format for the real ``openai`` SDK: ``/v1/chat/completions`` (JSON and SSE
streaming with tool-call deltas split over chunks and a usage chunk), ``/v1/completions``, ``/v1/embeddings``
(float and base64) and ``/v1/models``. Faults are queued per test with :meth:`LoopbackOpenAI.add_fault`
(:class:`dovetail.core.testing.loopback.Fault`): an HTTP status with headers (429 + ``Retry-After``, 5xx, 401), a
delay, a dropped connection, or a stream cut after a few chunks. Every request is recorded with its arrival time so
tests can count attempts and waits.

It serves the OpenAI LLM and embedding tests (and any other package's tests that need an OpenAI-compatible
server) and ``bench/bench_openai.py``, which runs it as a script.

The "model" is deterministic: chat echoes the last user text (``"echo: <text>"``); when tools are offered and
the last message is from the user it calls the first (or the forced) tool with arguments synthesised from the
JSON schema; after a tool result it answers ``"tool said: <result>"``. Tests can queue exact replies with
:meth:`LoopbackOpenAI.script_chat`.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import deque
from typing import Any

from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import Fault
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import RecordedRequest
from dovetail.core.testing.servers.openai_loopback_wire import MODELS
from dovetail.core.testing.servers.openai_loopback_wire import fake_vector
from dovetail.core.testing.servers.openai_loopback_wire import fake_vectors
from dovetail.core.testing.servers.openai_loopback_wire import message_text
from dovetail.core.testing.servers.openai_loopback_wire import sample_args
from dovetail.core.testing.servers.openai_loopback_wire import words
from dovetail.core.testing.servers.serve import serve_from_command_line

__all__ = ["OPENAI_AMBIENT_ENV", "Fault", "LoopbackOpenAI", "RecordedRequest", "fake_vector", "fake_vectors"]

OPENAI_AMBIENT_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_API_BASE",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "DOVETAIL_CONFIG",
)
"""Environment variables the OpenAI SDK or dovetail read, which tests against the loopback server must not see."""


class LoopbackOpenAI(LoopbackHTTPServer):
    """The server. Use as a context manager or call :meth:`start`/:meth:`stop`.

    Args:
        latency: the server's response time: no response starts sooner than ``latency`` seconds after its request
            arrived, and the server's own work counts toward it (benchmarks, concurrency tests).
        api_key: when set, requests with another bearer token get 401.
        dims: default embedding dimension.
    """

    name = "loopback-openai"

    def __init__(self, *, latency: float = 0.0, api_key: str | None = None, dims: int = 16) -> None:
        super().__init__(latency=latency)
        self.api_key = api_key
        self.dims = dims
        self._scripts: deque[dict[str, Any]] = deque()
        self._script_lock = threading.Lock()
        self.add_route("GET", "/v1/models", self._models)
        self.add_route("POST", "/v1/chat/completions", self._chat)
        self.add_route("POST", "/v1/completions", self._completions)
        self.add_route("POST", "/v1/embeddings", self._embeddings)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``, what ``api_base`` / ``base_url`` takes."""
        return f"{self.url}/v1"

    # ---- test controls ---------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget recorded requests, faults and scripted replies; restore defaults."""
        super().reset()
        with self._script_lock:
            self._scripts.clear()
        self.api_key = None

    def script_chat(self, content: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> None:
        """Queue the next chat reply: text and/or tool calls (``[{"name": ..., "arguments": {...}}]``)."""
        with self._script_lock:
            self._scripts.append({"content": content, "tool_calls": tool_calls})

    def _take_script(self) -> dict[str, Any] | None:
        with self._script_lock:
            return self._scripts.popleft() if self._scripts else None

    # ---- hooks -----------------------------------------------------------------------------------------

    def error_body(self, status: int, message: str) -> Any:
        """OpenAI's error shape."""
        return {"error": {"message": message, "type": "invalid_request_error", "code": str(status)}}

    def authorize(self, exchange: Exchange) -> bool:
        """401 when ``api_key`` is set and the bearer token differs."""
        if self.api_key is not None and exchange.request.headers.get("authorization") != f"Bearer {self.api_key}":
            exchange.send_error(401, "Incorrect API key provided.")
            return False
        return True

    def _models(self, exchange: Exchange) -> None:
        exchange.send_json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in MODELS]})

    # ---- chat ------------------------------------------------------------------------------------------

    def _chat_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        script = self._take_script()
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

    def _chat(self, exchange: Exchange) -> None:
        body = exchange.request.json or {}
        reply = self._chat_reply(body)
        model = body.get("model", "loopback-model")
        prompt_tokens = sum(words(message_text(m)) for m in body.get("messages") or [])
        content = reply.get("content")
        calls: list[dict[str, Any]] = [
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
            exchange.send_json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})
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
        exchange.send_sse(events, done="[DONE]")

    # ---- completions -----------------------------------------------------------------------------------

    def _completions(self, exchange: Exchange) -> None:
        body = exchange.request.json or {}
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
            exchange.send_json(200, {**base, "object": "text_completion", "choices": [choice], "usage": usage})
            return
        events: list[dict[str, Any]] = []
        for i, word in enumerate(text.split(" ")):
            piece = word if i == 0 else " " + word
            choice = {"index": 0, "text": piece, "finish_reason": None, "logprobs": None}
            events.append({**base, "object": "text_completion", "choices": [choice]})
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**base, "object": "text_completion", "choices": [], "usage": usage})
        exchange.send_sse(events, done="[DONE]")

    # ---- embeddings ------------------------------------------------------------------------------------

    def _embeddings(self, exchange: Exchange) -> None:
        body = exchange.request.json or {}
        inputs = body.get("input")
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not inputs or len(inputs) > 2048:
            exchange.send_error(400, "'$.input' is invalid: 1..2048 inputs required")
            return
        if any(isinstance(text, str) and not text for text in inputs):
            exchange.send_error(400, "'$.input' is invalid: empty string")
            return
        dims = int(body.get("dimensions") or self.dims)
        matrix = fake_vectors([str(text) for text in inputs], dims)
        if body.get("encoding_format") == "base64":
            encoded: list[Any] = [base64.b64encode(row.tobytes()).decode() for row in matrix]
        else:
            encoded = matrix.tolist()
        data = [{"object": "embedding", "index": i, "embedding": e} for i, e in enumerate(encoded)]
        tokens = sum(words(str(text)) for text in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        payload = {"object": "list", "data": data, "model": body.get("model"), "usage": usage}
        exchange.send_json(200, payload)


def main() -> None:
    """Serve until stdin closes: ``python openai_loopback.py --latency 0.02`` prints the port (benchmarks)."""
    serve_from_command_line(LoopbackOpenAI, main.__doc__, dims=16)


if __name__ == "__main__":
    main()
