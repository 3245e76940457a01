"""A loopback Gemini API server for tests and benchmarks, on core's ``LoopbackHTTPServer``.

It speaks the Gemini API (``v1`` and ``v1beta``) as the ``google-genai`` SDK uses it:
``models/{model}:generateContent``,
``models/{model}:streamGenerateContent?alt=sse`` (``data:`` events, one ``GenerateContentResponse`` each, usage on
the last), ``models/{model}:batchEmbedContents`` and ``:embedContent`` (``taskType``, ``outputDimensionality``).
The key comes in ``x-goog-api-key``; a wrong one gets 400 ``API_KEY_INVALID`` as Gemini answers. Errors are
``{"error": {"code", "message", "status"}}``.

The "model" is deterministic: it echoes the last user text (``"echo: <text>"``, ``[n media]`` for inline or file
parts); with function declarations it calls the first one with arguments from its schema (or quoted in the
prompt); after a function response it answers ``"tool said: <result>"``; with ``includeThoughts`` it first
thinks ``"Thinking about: <text>"``; with ``responseJsonSchema`` it answers JSON that fits. With thinking on,
a function call sent back without its ``thoughtSignature`` is rejected (400), as Gemini does. Embeddings depend
on the task type: ``fake_vector(f"{task_type}:{text}")``.
"""

from __future__ import annotations

import base64
import functools
import json
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

__all__ = ["API_KEY", "Fault", "LoopbackGemini", "RecordedRequest", "camel_keys", "embedding_of", "fake_vector"]

API_KEY = "AIza-loopback-0123456789"
_STATUS = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
MODELS = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash", "gemini-embedding-001", "text-embedding-004")
DEFAULT_DIMS = 16


def embedding_of(text: str, task_type: str | None, dims: int) -> list[float]:
    """The vector the server returns for ``text`` embedded for ``task_type``."""
    return fake_vector(f"{task_type or 'NONE'}:{text}", dims)


def signature_for(name: str) -> str:
    """The ``thoughtSignature`` the server attaches to a call of ``name`` (base64)."""
    return base64.b64encode(f"sig:{name}".encode()).decode()


class _BadRequest(Exception):
    pass


_OPAQUE = {"parametersJsonSchema", "parameters", "responseJsonSchema", "responseSchema", "args", "response"}


@functools.lru_cache(maxsize=1024)  # a few dozen distinct keys, seen thousands of times per embedding batch
def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.title() for word in rest)


def _camel_top(value: Any) -> Any:
    return {_camel(key): item for key, item in value.items()} if isinstance(value, dict) else {}


def camel_keys(value: Any) -> Any:
    """The request with snake_case keys spelled camelCase, as the API's JSON parser accepts both; schemas,
    arguments and function responses are left as they are."""
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        name = _camel(key)
        out[name] = item if name in _OPAQUE else camel_keys(item)
    return out


class LoopbackGemini(LoopbackHTTPServer):
    """The server; the SDK's ``base_url`` is ``url``.

    Args:
        latency: the server's response time (see ``LoopbackHTTPServer``).
        dims: the default embedding size.
    """

    name = "loopback-gemini"

    def __init__(self, *, latency: float = 0.0, dims: int = DEFAULT_DIMS) -> None:
        super().__init__(latency=latency)
        self.dims = dims
        self.api_key = API_KEY
        for version in ("v1", "v1beta"):  # SDK releases differ in the API version they call
            self.add_route("POST", f"/{version}/models/{{model}}:generateContent", self._generate)
            self.add_route("POST", f"/{version}/models/{{model}}:streamGenerateContent", self._generate)
            self.add_route("POST", f"/{version}/models/{{model}}:batchEmbedContents", self._batch_embed)
            self.add_route("POST", f"/{version}/models/{{model}}:embedContent", self._embed_one)

    def reset(self) -> None:
        """Forget requests and faults; restore the key."""
        super().reset()
        self.api_key = API_KEY

    def error_body(self, status: int, message: str) -> Any:
        """Gemini's error shape."""
        return {"error": {"code": status, "message": message, "status": _STATUS.get(status, "UNKNOWN")}}

    def authorize(self, exchange: Exchange) -> bool:
        """400 ``API_KEY_INVALID`` unless ``x-goog-api-key`` is the server's key."""
        if exchange.request.headers.get("x-goog-api-key") != self.api_key:
            body = self.error_body(400, "API key not valid. Please pass a valid API key.")
            body["error"]["details"] = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ]
            exchange.send_json(400, body)
            return False
        return True

    def _known(self, exchange: Exchange) -> bool:
        model = exchange.params["model"]
        if model not in MODELS:
            exchange.send_error(404, f"models/{model} is not found for API version v1beta")
            return False
        return True

    # ---- generateContent ------------------------------------------------------------------------------------

    def _generate(self, exchange: Exchange) -> None:
        if not self._known(exchange):
            return
        body = camel_keys(exchange.request.json or {})
        try:
            parts, prompt_tokens = _reply(body)
        except _BadRequest as exc:
            exchange.send_error(400, str(exc))
            return
        thoughts = sum(words(p["text"]) for p in parts if p.get("thought"))
        answer = sum(words(p.get("text", "")) for p in parts if not p.get("thought"))
        answer += sum(words(json.dumps(p["functionCall"]["args"])) for p in parts if "functionCall" in p)
        usage = {
            "promptTokenCount": prompt_tokens,
            "candidatesTokenCount": max(answer, 1),
            "totalTokenCount": prompt_tokens + max(answer, 1) + thoughts,
        }
        if thoughts:
            usage["thoughtsTokenCount"] = thoughts
        model = exchange.params["model"]
        if exchange.request.path.endswith(":generateContent"):
            candidate = {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
            exchange.send_json(200, {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model})
            return
        events: list[dict[str, Any]] = []
        for piece in _stream_pieces(parts):
            candidate = {"content": {"role": "model", "parts": [piece]}, "index": 0}
            events.append({"candidates": [candidate], "modelVersion": model})
        last = {"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP", "index": 0}
        events.append({"candidates": [last], "usageMetadata": usage, "modelVersion": model})
        exchange.send_sse(events)

    # ---- embeddings -------------------------------------------------------------------------------------------

    def _vector(self, request: dict[str, Any]) -> list[float]:
        text = " ".join(p.get("text", "") for p in (request.get("content") or {}).get("parts") or [])
        dims = int(request.get("outputDimensionality") or self.dims)
        return embedding_of(text, request.get("taskType"), dims)

    def _batch_embed(self, exchange: Exchange) -> None:
        if not self._known(exchange):
            return
        # Only each request's own keys have two spellings (``task_type``); ``content``/``parts``/``text`` have one,
        # so the whole body need not go through camel_keys (the cost of a 100-text request would double).
        requests = [_camel_top(r) for r in (exchange.request.json or {}).get("requests") or []]
        if not requests or len(requests) > 100:
            exchange.send_error(400, "* BatchEmbedContentsRequest.requests: between 1 and 100 requests are allowed")
            return
        texts = []
        for request in requests:
            text = " ".join(p.get("text", "") for p in (request.get("content") or {}).get("parts") or [])
            texts.append(f"{request.get('taskType') or 'NONE'}:{text}")
        dims = int(requests[0].get("outputDimensionality") or self.dims)
        rows = fake_vectors(texts, dims).tolist()
        exchange.send_json(200, {"embeddings": [{"values": row} for row in rows]})

    def _embed_one(self, exchange: Exchange) -> None:
        if not self._known(exchange):
            return
        exchange.send_json(200, {"embedding": {"values": self._vector(camel_keys(exchange.request.json or {}))}})


def _texts(parts: list[dict[str, Any]]) -> str:
    return " ".join(p["text"] for p in parts if "text" in p and not p.get("thought"))


def _reply(body: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    contents = body.get("contents") or []
    if not contents:
        msg = "* GenerateContentRequest.contents: contents is not specified"
        raise _BadRequest(msg)
    config = body.get("generationConfig") or {}
    thinking = config.get("thinkingConfig")
    for i, content in enumerate(contents):
        for part in content.get("parts") or []:
            is_call = thinking and content.get("role") == "model" and "functionCall" in part
            if is_call and part.get("thoughtSignature") != signature_for(part["functionCall"]["name"]):
                msg = f"Function call is missing a thought_signature in functionCall parts (contents[{i}])"
                raise _BadRequest(msg)
    system = _texts((body.get("systemInstruction") or {}).get("parts") or [])
    prompt_tokens = words(system) + sum(words(_texts(c.get("parts") or [])) for c in contents)
    last = contents[-1].get("parts") or []
    users = [c for c in contents if c.get("role") == "user" and any("text" in p for p in c.get("parts") or [])]
    text = _texts(users[-1]["parts"]) if users else ""
    out: list[dict[str, Any]] = []
    if thinking and thinking.get("includeThoughts"):
        out.append({"text": f"Thinking about: {text}", "thought": True})
    results = [p["functionResponse"] for p in last if "functionResponse" in p]
    declarations = [d for tool in body.get("tools") or [] for d in tool.get("functionDeclarations") or []]
    mode = ((body.get("toolConfig") or {}).get("functionCallingConfig") or {}).get("mode", "AUTO")
    if results:
        said = " ".join(str((r.get("response") or {}).get("result", "")) for r in results)
        out.append({"text": f"tool said: {said}"})
    elif declarations and mode != "NONE":
        declaration = declarations[0]
        args = sample_args(declaration.get("parametersJsonSchema") or declaration.get("parameters") or {}, text)
        call: dict[str, Any] = {"functionCall": {"name": declaration["name"], "args": args}}
        if thinking:
            call["thoughtSignature"] = signature_for(declaration["name"])
        out.append(call)
    elif config.get("responseJsonSchema"):
        out.append({"text": json.dumps(sample_args(config["responseJsonSchema"], text))})
    else:
        media = sum(1 for p in last if "inlineData" in p or "fileData" in p)
        suffix = f" [{media} media]" if media else ""
        out.append({"text": f"echo: {text}{suffix}"})
    return out, prompt_tokens


def _stream_pieces(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pieces: list[dict[str, Any]] = []
    for part in parts:
        if "text" in part:
            words_ = part["text"].split(" ")
            for i, word in enumerate(words_):
                pieces.append({**part, "text": word if i == 0 else " " + word})
        else:
            pieces.append(part)
    return pieces


def main() -> None:
    """Serve until stdin closes: ``python gemini_loopback.py --latency 0.02`` prints the port."""
    serve_from_command_line(LoopbackGemini, main.__doc__, dims=DEFAULT_DIMS)


if __name__ == "__main__":
    main()
