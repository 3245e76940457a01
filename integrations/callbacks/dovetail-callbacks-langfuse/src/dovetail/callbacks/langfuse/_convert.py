"""Pure mapping from dovetail event payloads to Langfuse observation fields (no SDK, no I/O).

What is sent (also in the package README):

- LLM events become *generations*: ``input`` = the chat messages (``[{"role", "content"}]``) or the prompt,
  ``output`` = the assistant message or completion text, ``model`` = ``EventPayload.MODEL_NAME`` (else the
  ``model``/``model_name`` of ``EventPayload.SERIALIZED``), ``model_parameters`` = a fixed allow-list of sampling
  settings from ``SERIALIZED``/``ADDITIONAL_KWARGS`` (never keys or headers), ``usage_details`` =
  ``{"input", "output", "total"}`` tokens from ``EventPayload.USAGE`` or the response's ``additional_kwargs``.
- Every other event becomes a *span*: ``input`` from the start payload (query string, template, function call,
  chunk/document counts...), ``output`` from the end payload (nodes as id/score/text, the response text,
  embedding count and dimension - never the vectors).
- ``EventPayload.EXCEPTION`` in the end payload sets ``level="ERROR"`` and ``status_message="<Type>: <message>"``.
- Values are made JSON-safe and bounded: strings over ``max_chars`` are cut, lists over 50 items are cut, vectors
  are summarised, unknown objects become ``str(obj)`` (cut).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from enum import Enum
from typing import Any

from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.callbacks import usage_from_payload

__all__ = ["EndFields", "StartFields", "end_fields", "end_kwargs", "jsonable", "start_fields", "start_kwargs"]

MAX_ITEMS = 50
_USAGE_NAMES = (("prompt_tokens", "input"), ("completion_tokens", "output"), ("total_tokens", "total"))
_MODEL_PARAMETERS = (
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "seed",
    "stop",
    "n",
    "context_window",
    "num_output",
    "embed_batch_size",
    "dimensions",
)
_NOT_INPUT = {
    EventPayload.SERIALIZED.value,
    EventPayload.MODEL_NAME.value,
    EventPayload.ADDITIONAL_KWARGS.value,
    EventPayload.EXCEPTION.value,
    EventPayload.USAGE.value,
    EventPayload.EMBEDDINGS.value,
}


@dataclass
class StartFields:
    """What an event start contributes to its observation."""

    input: Any = None
    model: str | None = None
    model_parameters: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class EndFields:
    """What an event end contributes to its observation."""

    output: Any = None
    input: Any = None
    model: str | None = None
    usage: dict[str, int] | None = None
    level: str | None = None
    status_message: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _cut(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else f"{text[:max_chars]}... [{len(text) - max_chars} more chars]"


def _is_vector(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and len(value) > 16 and all(isinstance(x, float) for x in value[:16])


def jsonable(value: Any, max_chars: int = 20_000, _depth: int = 0) -> Any:
    """A bounded, JSON-safe rendering of ``value`` (see the module docstring)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return _cut(value, max_chars)
    if isinstance(value, Enum):
        return jsonable(value.value, max_chars, _depth)
    if isinstance(value, BaseException):
        return _cut(f"{type(value).__name__}: {value}", max_chars)
    if _depth > 6:
        return _cut(str(value), max_chars)
    if _is_vector(value):
        return f"<vector dim={len(value)}>"
    if hasattr(value, "tolist") and hasattr(value, "shape"):
        return f"<array shape={tuple(value.shape)}>"
    if isinstance(value, Mapping):
        items = list(value.items())
        out = {str(jsonable(k, 200, _depth + 1)): jsonable(v, max_chars, _depth + 1) for k, v in items[:MAX_ITEMS]}
        if len(items) > MAX_ITEMS:
            out["..."] = f"{len(items) - MAX_ITEMS} more keys"
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        seq = list(value)
        rendered = [jsonable(item, max_chars, _depth + 1) for item in seq[:MAX_ITEMS]]
        if len(seq) > MAX_ITEMS:
            rendered.append(f"... {len(seq) - MAX_ITEMS} more items")
        return rendered
    return _known_object(value, max_chars, _depth)


def _known_object(value: Any, max_chars: int, depth: int) -> Any:
    """Render dovetail objects by shape (duck typing keeps this free of imports)."""
    if hasattr(value, "role") and hasattr(value, "content"):  # ChatMessage
        return {"role": jsonable(value.role, 50, depth + 1), "content": jsonable(value.content, max_chars, depth + 1)}
    if hasattr(value, "message") and hasattr(getattr(value, "message", None), "content"):  # ChatResponse
        return jsonable(value.message, max_chars, depth + 1)
    if hasattr(value, "node") and hasattr(value, "score"):  # NodeWithScore
        node = value.node
        return {
            "id": jsonable(getattr(node, "id_", None), 200, depth + 1),
            "score": jsonable(value.score, 50, depth + 1),
            "text": jsonable(getattr(node, "text", None), min(max_chars, 2_000), depth + 1),
        }
    if hasattr(value, "id_") and hasattr(value, "text"):  # TextNode / Document
        return {"id": jsonable(value.id_, 200, depth + 1), "text": jsonable(value.text, min(max_chars, 2_000), depth)}
    if hasattr(value, "response") and isinstance(getattr(value, "response", None), (str, type(None))):  # Response
        return jsonable(value.response, max_chars, depth + 1)
    if hasattr(value, "text") and isinstance(getattr(value, "text", None), str):  # CompletionResponse
        return _cut(value.text, max_chars)
    return _cut(str(value), max_chars)


def _get(payload: Mapping[Any, Any], key: EventPayload) -> Any:
    if key in payload:
        return payload[key]
    return payload.get(key.value)


def _model_name(payload: Mapping[Any, Any]) -> str | None:
    name = _get(payload, EventPayload.MODEL_NAME)
    if not name:
        serialized = _get(payload, EventPayload.SERIALIZED)
        if isinstance(serialized, Mapping):
            name = serialized.get("model") or serialized.get("model_name")
    return str(name)[:200] if name else None


def _model_parameters(payload: Mapping[Any, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for source in (_get(payload, EventPayload.SERIALIZED), _get(payload, EventPayload.ADDITIONAL_KWARGS)):
        if not isinstance(source, Mapping):
            continue
        for key in _MODEL_PARAMETERS:
            value = source.get(key)
            if isinstance(value, (bool, int, float, str)) and not (
                isinstance(value, float) and not math.isfinite(value)
            ):
                params[key] = value
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                params[key] = list(value)
    return params


def _rest(payload: Mapping[Any, Any], max_chars: int) -> Any:
    """Every payload entry except the bookkeeping ones, keyed by the plain key name."""
    rest = {
        (key.value if isinstance(key, Enum) else str(key)): value
        for key, value in payload.items()
        if (key.value if isinstance(key, Enum) else str(key)) not in _NOT_INPUT
    }
    if not rest:
        return None
    if len(rest) == 1:
        return jsonable(next(iter(rest.values())), max_chars)
    return jsonable(rest, max_chars)


def start_fields(event_type: CBEventType, payload: Mapping[Any, Any] | None, max_chars: int) -> StartFields:
    """Observation fields from an event's start payload."""
    if not payload:
        return StartFields()
    fields = StartFields(model=_model_name(payload))
    if event_type == CBEventType.LLM:
        messages = _get(payload, EventPayload.MESSAGES)
        prompt = _get(payload, EventPayload.PROMPT)
        fields.input = jsonable(messages if messages is not None else prompt, max_chars)
        fields.model_parameters = _model_parameters(payload)
        return fields
    if event_type == CBEventType.EMBEDDING:
        fields.model_parameters = _model_parameters(payload)
        if fields.model:
            fields.metadata["model"] = fields.model
    fields.input = _rest(payload, max_chars)
    if event_type == CBEventType.FUNCTION_CALL:
        tool = _get(payload, EventPayload.TOOL)
        name = getattr(getattr(tool, "metadata", None), "name", None) or getattr(tool, "name", None)
        if isinstance(name, str):
            fields.metadata["tool"] = name
    return fields


def _usage(payload: Mapping[Any, Any]) -> dict[str, int] | None:
    """Langfuse ``usage_details`` (``input``/``output``/``total``) from the provider-reported usage."""
    usage = usage_from_payload(payload)
    if usage is None:
        return None
    out = {name: usage[key] for key, name in _USAGE_NAMES if key in usage}
    if "total" not in out and "input" in out and "output" in out:
        out["total"] = out["input"] + out["output"]
    return out


def end_fields(event_type: CBEventType, payload: Mapping[Any, Any] | None, max_chars: int) -> EndFields:
    """Observation fields from an event's end payload."""
    fields = EndFields()
    if not payload:
        return fields
    error = _get(payload, EventPayload.EXCEPTION)
    if error is not None:
        fields.level = "ERROR"
        fields.status_message = jsonable(error, 2_000) if isinstance(error, BaseException) else _cut(str(error), 2_000)
    if event_type == CBEventType.LLM:
        response = _get(payload, EventPayload.RESPONSE)
        if response is None:
            response = _get(payload, EventPayload.COMPLETION)
        fields.output = jsonable(response, max_chars) if response is not None else None
        fields.usage = _usage(payload)
        fields.model = _model_name(payload)
        return fields
    if event_type == CBEventType.EMBEDDING:
        chunks = _get(payload, EventPayload.CHUNKS)
        vectors = _get(payload, EventPayload.EMBEDDINGS)
        if chunks is not None:
            fields.input = jsonable(chunks, max_chars)
        if isinstance(vectors, (list, tuple)):
            first: Any = vectors[0] if vectors else None
            fields.output = {
                "embeddings": len(vectors),
                "dimensions": len(first) if hasattr(first, "__len__") else None,
            }
        return fields
    fields.output = _rest(payload, max_chars)
    return fields


def start_kwargs(
    event_type: CBEventType,
    event_id: str,
    fields: StartFields,
    payload: Mapping[Any, Any] | None,
    *,
    capture: bool,
) -> dict[str, Any]:
    """Keyword arguments of ``start_observation`` for one event (``capture=False`` leaves the input out)."""
    generation = event_type == CBEventType.LLM
    kwargs: dict[str, Any] = {
        "name": event_type.value,
        "as_type": "generation" if generation else "span",
        "metadata": {"dovetail.event_id": event_id, **fields.metadata},
    }
    if capture and fields.input is not None:
        kwargs["input"] = fields.input
    if generation:
        if fields.model:
            kwargs["model"] = fields.model
        if fields.model_parameters:
            kwargs["model_parameters"] = fields.model_parameters
    error = _get(payload, EventPayload.EXCEPTION) if payload else None
    if event_type == CBEventType.EXCEPTION or error is not None:
        kwargs["level"] = "ERROR"
        if error is not None:
            kwargs["status_message"] = _cut(f"{type(error).__name__}: {error}", 2_000)
    return kwargs


def end_kwargs(event_type: CBEventType, fields: EndFields, *, capture: bool, has_model: bool) -> dict[str, Any]:
    """Keyword arguments of the observation's ``update`` at the end of an event."""
    update: dict[str, Any] = {}
    if capture:
        if fields.output is not None:
            update["output"] = fields.output
        if fields.input is not None:
            update["input"] = fields.input
    if fields.level:
        update["level"] = fields.level
        update["status_message"] = fields.status_message
    if event_type == CBEventType.LLM:
        if fields.usage:
            update["usage_details"] = fields.usage
        if fields.model and not has_model:
            update["model"] = fields.model
    return update
