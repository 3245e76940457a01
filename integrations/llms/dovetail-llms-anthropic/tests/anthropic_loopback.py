"""A loopback Anthropic Messages API server for tests and benchmarks, on core's ``LoopbackHTTPServer``.

``POST /v1/messages``, JSON and SSE streaming with the real event grammar: ``message_start``, ``ping``,
``content_block_start`` / ``content_block_delta`` (``text_delta``, ``thinking_delta``, ``signature_delta``,
``input_json_delta`` split over several events) / ``content_block_stop``, ``message_delta`` with usage,
``message_stop``, and ``error`` events (:meth:`LoopbackAnthropic.fail_stream`). Requests are checked the way the
API checks them (``x-api-key``, ``anthropic-version``, ``max_tokens``, block shapes, the thinking budget, thinking
blocks passed back with their signature before tool results) and answered with 400 ``invalid_request_error``.

The "model" is deterministic: it echoes the last user text (``"echo: <text>"``, with ``[n image(s)]`` and
``[n document(s): titles]``); with tools it calls the forced or first tool with arguments from the schema (or
quoted in the prompt); after a tool result it answers ``"tool said: <result>"``; with thinking on it first thinks
``"Thinking about: <text>"`` with a signature it can verify. Prompt caching: the prefix up to the last
``cache_control`` is written on first sight and read afterwards (usage ``cache_creation_input_tokens`` /
``cache_read_input_tokens``).

Run as a script (``python anthropic_loopback.py --latency 0.02``) it prints its port and serves until stdin closes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from typing import Any

from dovetail.core.testing.fakes import sample_args
from dovetail.core.testing.fakes import words
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import Fault
from dovetail.core.testing.loopback import LoopbackHTTPServer
from dovetail.core.testing.loopback import RecordedRequest
from dovetail.core.testing.servers.serve import serve_from_command_line

__all__ = ["API_KEY", "Fault", "LoopbackAnthropic", "RecordedRequest", "signature_of"]

API_KEY = "sk-ant-loopback-0123456789"
_STATUS_TYPE = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def signature_of(thinking: str) -> str:
    """The signature the server gives (and expects back with) a thinking block."""
    return "sig-" + hashlib.sha256(thinking.encode()).hexdigest()[:24]


class _BadRequest(Exception):
    pass


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text")


class LoopbackAnthropic(LoopbackHTTPServer):
    """The server. Use as a context manager or call :meth:`start`/:meth:`stop`; ``base_url`` is ``url``.

    Args:
        latency: the server's response time (see ``LoopbackHTTPServer``).
        api_key: the key requests must carry in ``x-api-key``.
    """

    name = "loopback-anthropic"

    def __init__(self, *, latency: float = 0.0, api_key: str = API_KEY) -> None:
        super().__init__(latency=latency, request_id_header="request-id")
        self.api_key = api_key
        self._state_lock = threading.Lock()
        self._cache: set[str] = set()
        self._scripts: deque[dict[str, Any]] = deque()
        self._stream_errors: deque[tuple[int, str]] = deque()
        self.add_route("POST", "/v1/messages", self._messages)

    # ---- test controls ----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget requests, faults, scripts, stream errors and the prompt cache; restore the key."""
        super().reset()
        with self._state_lock:
            self._cache.clear()
            self._scripts.clear()
            self._stream_errors.clear()
        self.api_key = API_KEY

    def script(self, text: str | None = None, tool_calls: list[dict[str, Any]] | None = None) -> None:
        """Queue the next reply: text and/or tool calls (``[{"name": ..., "input": {...}}]``)."""
        with self._state_lock:
            self._scripts.append({"text": text, "tool_calls": tool_calls or []})

    def fail_stream(self, after_events: int, error_type: str = "overloaded_error") -> None:
        """The next stream sends ``after_events`` events, then an ``error`` event of ``error_type``, and ends."""
        with self._state_lock:
            self._stream_errors.append((after_events, error_type))

    # ---- hooks --------------------------------------------------------------------------------------------

    def error_body(self, status: int, message: str) -> Any:
        """Anthropic's error shape."""
        return {"type": "error", "error": {"type": _STATUS_TYPE.get(status, "api_error"), "message": message}}

    def authorize(self, exchange: Exchange) -> bool:
        """401 unless the key comes in ``x-api-key`` or as a bearer token; 400 without ``anthropic-version``."""
        headers = exchange.request.headers
        bearer = headers.get("authorization", "").removeprefix("Bearer ")
        if self.api_key not in (headers.get("x-api-key"), bearer):
            exchange.send_error(401, "invalid x-api-key")
            return False
        if not headers.get("anthropic-version"):
            exchange.send_error(400, "anthropic-version: header is required")
            return False
        return True

    # ---- the endpoint ---------------------------------------------------------------------------------------

    def _messages(self, exchange: Exchange) -> None:
        body = exchange.request.json
        try:
            _validate(body)
            reply = self._reply(body)
        except _BadRequest as exc:
            exchange.send_error(400, str(exc))
            return
        usage = self._usage(body, reply)
        content = _content(reply)
        stop = "tool_use" if reply["tool_calls"] else "end_turn"
        message_id = f"msg_loopback_{len(self.requests)}"
        if not body.get("stream"):
            payload = {
                "id": message_id,
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": usage,
            }
            exchange.send_json(200, payload)
            return
        events = _events(message_id, body["model"], content, stop, usage)
        with self._state_lock:
            failure = self._stream_errors.popleft() if self._stream_errors else None
        if failure is not None:
            after, kind = failure
            error = {"type": "error", "error": {"type": kind, "message": f"injected {kind}"}}
            events = [*events[:after], ("error", error)]
        exchange.send_sse(events)

    def _reply(self, body: dict[str, Any]) -> dict[str, Any]:
        messages = body["messages"]
        last = messages[-1]
        user_text = _text_of(last.get("content"))
        thinking_on = (body.get("thinking") or {}).get("type") not in (None, "disabled")
        reply: dict[str, Any] = {"thinking": f"Thinking about: {user_text}" if thinking_on else None}
        with self._state_lock:
            script = self._scripts.popleft() if self._scripts else None
        if script is not None:
            return {**reply, **script}
        blocks = last.get("content") if isinstance(last.get("content"), list) else []
        results = [b for b in blocks if b.get("type") == "tool_result"]
        tools = body.get("tools") or []
        choice = body.get("tool_choice") or {"type": "auto"}
        if results:
            said = " ".join(_text_of(r.get("content")) for r in results)
            return {**reply, "text": f"tool said: {said}", "tool_calls": []}
        if tools and choice.get("type") != "none":
            tool = tools[0]
            if choice.get("type") == "tool":
                tool = next(t for t in tools if t["name"] == choice["name"])
            args = sample_args(tool.get("input_schema") or {}, user_text)
            return {**reply, "text": None, "tool_calls": [{"name": tool["name"], "input": args}]}
        images = sum(1 for b in blocks if b.get("type") == "image")
        documents = [b for b in blocks if b.get("type") == "document"]
        suffix = f" [{images} image(s)]" if images else ""
        if documents:
            titles = ", ".join(str(d.get("title", "untitled")) for d in documents)
            suffix += f" [{len(documents)} document(s): {titles}]"
        return {**reply, "text": f"echo: {user_text}{suffix}", "tool_calls": []}

    def _usage(self, body: dict[str, Any], reply: dict[str, Any]) -> dict[str, Any]:
        parts: list[Any] = [*_as_blocks(body.get("system")), *body["messages"]]
        total = sum(words(_all_text(p)) for p in parts)
        prefix = _cached_prefix(body)
        written = read = 0
        if prefix is not None:
            key = hashlib.sha256(json.dumps([body["model"], prefix], sort_keys=True).encode()).hexdigest()
            tokens = sum(words(_all_text(p)) for p in prefix)
            with self._state_lock:
                if key in self._cache:
                    read = tokens
                else:
                    self._cache.add(key)
                    written = tokens
        output = words(reply.get("text") or "") + words(reply.get("thinking") or "")
        output += sum(words(json.dumps(c["input"])) for c in reply["tool_calls"])
        return {
            "input_tokens": total - written - read,
            "output_tokens": max(output, 1),
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
        }


# ---- request checks -------------------------------------------------------------------------------------------

_PARAMS = {
    "model",
    "max_tokens",
    "messages",
    "system",
    "stream",
    "thinking",
    "tools",
    "tool_choice",
    "metadata",
    "stop_sequences",
    "cache_control",
    "output_config",
    "service_tier",
}
_BLOCK_TYPES = {"text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking"}


def _validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise _BadRequest("request body must be a JSON object")
    if not isinstance(body.get("model"), str):
        raise _BadRequest("model: Field required")
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise _BadRequest("max_tokens: Field required")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise _BadRequest("messages: at least one message is required")
    for i, message in enumerate(messages):
        if message.get("role") not in ("user", "assistant"):
            raise _BadRequest(f"messages.{i}.role: Input should be 'user' or 'assistant'")
        for j, block in enumerate(_as_blocks(message.get("content"))):
            if block.get("type") not in _BLOCK_TYPES:
                raise _BadRequest(f"messages.{i}.content.{j}.type: unknown block type {block.get('type')!r}")
            if block.get("type") == "text" and not block.get("text"):
                raise _BadRequest(f"messages.{i}.content.{j}: text content blocks must be non-empty")
            if block.get("type") == "thinking" and block.get("signature") != signature_of(block.get("thinking", "")):
                raise _BadRequest(f"messages.{i}.content.{j}: Invalid `signature` in `thinking` block")
    unknown = sorted(set(body) - _PARAMS)
    if unknown:
        raise _BadRequest(f"{unknown[0]}: Extra inputs are not permitted")
    thinking = body.get("thinking")
    if thinking and thinking.get("type") != "disabled":
        budget = thinking.get("budget_tokens")
        if thinking.get("type") == "enabled" and (not isinstance(budget, int) or budget < 1024 or budget >= max_tokens):
            raise _BadRequest("thinking.budget_tokens: must be >= 1024 and less than max_tokens")
        if (body.get("tool_choice") or {}).get("type") not in (None, "auto", "none"):
            raise _BadRequest("Thinking may not be enabled when tool_choice forces tool use.")
        _check_thinking_passed_back(messages)


def _check_thinking_passed_back(messages: list[dict[str, Any]]) -> None:
    """With thinking on, an assistant turn that used a tool must start with its thinking block."""
    for i, message in enumerate(messages):
        blocks = _as_blocks(message.get("content"))
        if message["role"] == "assistant" and any(b.get("type") == "tool_use" for b in blocks):
            first = blocks[0].get("type")
            if first not in ("thinking", "redacted_thinking"):
                raise _BadRequest(
                    f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `{first}`. "
                    "When `thinking` is enabled, a final `assistant` message must start with a thinking block."
                )


def _as_blocks(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content if isinstance(b, dict)]


def _all_text(part: Any) -> str:
    if isinstance(part, dict) and "role" in part:
        return " ".join(_all_text(b) for b in _as_blocks(part.get("content")))
    if isinstance(part, dict):
        if part.get("type") == "tool_result":
            return _text_of(part.get("content"))
        if part.get("type") == "document" and (part.get("source") or {}).get("type") == "text":
            return str(part["source"].get("data", ""))
        return str(part.get("text") or part.get("thinking") or "")
    return ""


def _cached_prefix(body: dict[str, Any]) -> list[Any] | None:
    """Everything up to and including the last block marked ``cache_control`` (system first), or ``None``."""
    flat: list[Any] = [*_as_blocks(body.get("system"))]
    for message in body["messages"]:
        flat.extend(_as_blocks(message.get("content")))
    marked = [i for i, block in enumerate(flat) if block.get("cache_control")]
    return flat[: marked[-1] + 1] if marked else None


# ---- replies ----------------------------------------------------------------------------------------------------


def _content(reply: dict[str, Any]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = []
    if reply.get("thinking"):
        content.append(
            {"type": "thinking", "thinking": reply["thinking"], "signature": signature_of(reply["thinking"])}
        )
    if reply.get("text"):
        content.append({"type": "text", "text": reply["text"]})
    for i, call in enumerate(reply.get("tool_calls") or []):
        content.append({"type": "tool_use", "id": f"toolu_loopback_{i}", "name": call["name"], "input": call["input"]})
    return content


def _pieces(text: str) -> list[str]:
    parts = text.split(" ")
    return [parts[0]] + [" " + p for p in parts[1:]]


def _events(message_id: str, model: str, content: list[dict[str, Any]], stop: str, usage: dict[str, Any]) -> list[Any]:
    start_usage = {**usage, "output_tokens": 1}
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": start_usage,
    }
    events: list[Any] = [("message_start", {"type": "message_start", "message": message}), ("ping", {"type": "ping"})]
    for index, block in enumerate(content):
        kind = block["type"]
        if kind == "text":
            head: dict[str, Any] = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in _pieces(block["text"])]
        elif kind == "thinking":
            head = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [{"type": "thinking_delta", "thinking": p} for p in _pieces(block["thinking"])]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        else:
            head = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            args = json.dumps(block["input"])
            deltas = [{"type": "input_json_delta", "partial_json": args[i : i + 7]} for i in range(0, len(args), 7)]
        events.append(("content_block_start", {"type": "content_block_start", "index": index, "content_block": head}))
        for delta in deltas:
            events.append(("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    final_usage = {"output_tokens": usage["output_tokens"]}
    end = {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None}, "usage": final_usage}
    events.append(("message_delta", end))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def main() -> None:
    """Serve until stdin closes: ``python anthropic_loopback.py --latency 0.02`` prints the port."""
    serve_from_command_line(LoopbackAnthropic, main.__doc__)


if __name__ == "__main__":
    main()
