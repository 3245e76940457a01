"""The ``batchEmbedContents`` request and answer as JSON, without the SDK's per-text model round trips.

``models.embed_content`` of google-genai turns every text into pydantic ``Content``/``Part`` models, converts
them back into a dict, and validates the answer into ``EmbedContentResponse`` models: about 5 ms of CPU per
100-text request, which is more than a whole request's share of a core when 8 requests of 20 ms are in flight.
For the settings translated here (task type, output dimensionality, title) the embedder builds the same JSON
body itself and sends it through the same SDK client's request method (``BaseApiClient.request`` /
``async_request``, what ``embed_content`` itself calls), so the key header, base URL, API version, timeout and
the SDK's error classes stay the SDK's. Anything else (Vertex-only keys, an SDK without that method) goes
through ``embed_content`` as before.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from dovetail.core.errors import ProviderError

__all__ = ["BatchRequest", "async_sender", "batch_request", "read_vectors", "sync_sender"]

# EmbedContentConfig keys this module translates, with their JSON names and types.
_DIRECT_KEYS: Mapping[str, tuple[str, type]] = {
    "task_type": ("taskType", str),
    "output_dimensionality": ("outputDimensionality", int),
    "title": ("title", str),
}

BatchRequest = tuple[str, dict[str, Any]]
SyncSend = Callable[[str, str, dict[str, Any]], Any]
AsyncSend = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


def model_resource(model: str) -> str:
    """The Gemini API resource name of ``model`` (``models/<id>``; ``models/...`` and ``tunedModels/...`` kept)."""
    return model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"


def batch_request(model: str, texts: list[str], config: Mapping[str, Any]) -> BatchRequest | None:
    """The path and JSON body of one ``batchEmbedContents`` call embedding each of ``texts`` on its own, or
    ``None`` when ``config`` holds something only the SDK translates (or rejects)."""
    common: dict[str, Any] = {}
    for key, value in config.items():
        known = _DIRECT_KEYS.get(key)
        if known is None:
            return None
        name, kind = known
        if value is None:
            continue
        if type(value) is not kind:  # the SDK's pydantic model coerces or rejects it; let it
            return None
        common[name] = value
    resource = model_resource(model)
    if "/" in resource.split("/", 1)[1] or any(c in resource for c in "?&") or ".." in resource:
        return None  # the SDK validates odd model names and reports them
    common["model"] = resource
    requests = [{"content": {"parts": [{"text": text}], "role": "user"}, **common} for text in texts]
    return f"{resource}:batchEmbedContents", {"requests": requests}


def read_vectors(body: str | None) -> list[list[float]]:
    """The vectors of a ``batchEmbedContents`` answer, in request order.

    Raises:
        ProviderError: the answer is not JSON with an ``embeddings`` list.
    """
    try:
        embeddings = json.loads(body or "{}").get("embeddings")
        if not isinstance(embeddings, list):
            raise TypeError
        return [item.get("values") or [] for item in embeddings]
    except (ValueError, TypeError, AttributeError):
        msg = "gemini embed: the answer is not a batchEmbedContents response (no 'embeddings' list); check base_url"
        raise ProviderError(msg, provider="gemini") from None


def _api_client(client: Any) -> Any:
    return getattr(client, "_api_client", None)


def sync_sender(client: Any) -> SyncSend | None:
    """The SDK client's request method (``request(method, path, body)``), or ``None`` when this SDK has none."""
    send = getattr(_api_client(client), "request", None)
    return send if callable(send) else None


def async_sender(client: Any) -> AsyncSend | None:
    """The SDK client's async request method, or ``None`` when this SDK has none."""
    send = getattr(_api_client(client), "async_request", None)
    return send if callable(send) else None
