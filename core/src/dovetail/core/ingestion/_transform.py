"""Running transformations: per-document stages (cached), a batched and bounded embedding stage, stable ids.

A transformation is anything callable on a list of nodes that returns nodes (node parsers, extractors, an
embedding model). Embedding models get special treatment: their texts are embedded in batches of
``embed_batch_size`` with at most ``num_workers`` provider calls in flight, and each vector is cached by model
configuration and text.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Callable
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.concurrency import gather_bounded
from dovetail.core.concurrency import run_in_thread
from dovetail.core.concurrency import submit_in_context
from dovetail.core.ingestion._cache import IngestionCache
from dovetail.core.ingestion._cache import fingerprint
from dovetail.core.schema import BaseNode
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo

if TYPE_CHECKING:
    from dovetail.core.embeddings import BaseEmbedding

__all__ = [
    "Transformation",
    "aembed_nodes",
    "aembed_planned",
    "arun_transformations",
    "embed_nodes",
    "embed_planned",
    "is_embedding",
    "plan_embedding",
    "run_transformations",
    "stabilise_ids",
]

logger = logging.getLogger(__name__)

Transformation = Callable[..., Sequence[BaseNode]]
"""Anything called as ``transformation(nodes, **kwargs)`` that returns nodes."""

_NODE_ID_NAMESPACE = uuid.UUID("6f1c0b1e-5d1e-4c55-9a57-d0e7a11d0a11")


def is_embedding(transformation: Any) -> bool:
    """Whether ``transformation`` is an embedding model (checked without importing numpy)."""
    return callable(getattr(transformation, "get_text_embedding_batch", None)) and hasattr(
        transformation, "embed_batch_size"
    )


def _check_output(transformation: Any, output: Any) -> list[BaseNode]:
    if not isinstance(output, (list, tuple)) or not all(isinstance(node, BaseNode) for node in output):
        msg = f"transformation {type(transformation).__name__} must return a list of nodes, got {type(output).__name__}"
        raise InvalidInputError(msg)
    return list(output)


def _lookup(
    transformation: Any, nodes: list[BaseNode], cache: IngestionCache | None
) -> tuple[str | None, list[BaseNode] | None]:
    """The cache key of running ``transformation`` on ``nodes`` and its cached output (``None`` when not cached)."""
    if cache is None:
        return None, None
    key = IngestionCache.nodes_key(nodes, fingerprint(transformation))
    return key, cache.get_nodes(key)


def _keep(transformation: Any, output: Any, cache: IngestionCache | None, key: str | None) -> list[BaseNode]:
    """Check a transformation's ``output`` and cache it under ``key`` (from :func:`_lookup`)."""
    checked = _check_output(transformation, output)
    if cache is not None and key is not None:
        cache.put_nodes(key, checked)
    return checked


def _call(transformation: Any, nodes: list[BaseNode], cache: IngestionCache | None, **kwargs: Any) -> list[BaseNode]:
    if not callable(transformation):
        msg = f"transformation {transformation!r} is not callable; pass node parsers or embedding models"
        raise InvalidInputError(msg)
    key, cached = _lookup(transformation, nodes, cache)
    if cached is not None:
        return cached
    return _keep(transformation, transformation(nodes, **kwargs), cache, key)


async def _acall(
    transformation: Any, nodes: list[BaseNode], cache: IngestionCache | None, **kwargs: Any
) -> list[BaseNode]:
    acall = getattr(transformation, "acall", None)
    if acall is None or not inspect.iscoroutinefunction(acall):
        return await run_in_thread(_call, transformation, nodes, cache, **kwargs)
    key, cached = _lookup(transformation, nodes, cache)
    if cached is not None:
        return cached
    return _keep(transformation, await acall(nodes, **kwargs), cache, key)


def run_transformations(
    nodes: Sequence[BaseNode],
    transformations: Sequence[Any],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
    **kwargs: Any,
) -> list[BaseNode]:
    """Apply ``transformations`` in order; embedding models go through :func:`embed_nodes`."""
    current = list(nodes)
    for transformation in transformations:
        if is_embedding(transformation):
            current = embed_nodes(transformation, current, cache=cache, num_workers=num_workers)
        else:
            current = _call(transformation, current, cache, **kwargs)
    return current


async def arun_transformations(
    nodes: Sequence[BaseNode],
    transformations: Sequence[Any],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
    **kwargs: Any,
) -> list[BaseNode]:
    """Async :func:`run_transformations` (uses ``acall`` where a transformation has it)."""
    current = list(nodes)
    for transformation in transformations:
        if is_embedding(transformation):
            current = await aembed_nodes(transformation, current, cache=cache, num_workers=num_workers)
        else:
            current = await _acall(transformation, current, cache, **kwargs)
    return current


def plan_embedding(
    embed_model: BaseEmbedding, nodes: list[BaseNode], cache: IngestionCache | None, model_print: str | None = None
) -> tuple[list[BaseNode], list[str], list[str]]:
    """Fill cached vectors; return the nodes still to embed, their texts and their cache keys.

    ``model_print`` is the model's :func:`fingerprint` when the caller already has it (computed here otherwise).
    """
    if cache is not None and model_print is None:
        model_print = fingerprint(embed_model)
    todo: list[BaseNode] = []
    texts: list[str] = []
    keys: list[str] = []
    for node in nodes:
        if node.embedding is not None:
            continue
        text = node.get_content(MetadataMode.EMBED)
        key = IngestionCache.vector_key(model_print or "", text) if cache is not None else ""
        vector = cache.get_vector(key) if cache is not None else None
        if vector is not None:
            node.embedding = vector
            continue
        todo.append(node)
        texts.append(text)
        keys.append(key)
    return todo, texts, keys


def _apply(todo: list[BaseNode], keys: list[str], vectors: list[list[float]], cache: IngestionCache | None) -> None:
    for node, key, vector in zip(todo, keys, vectors, strict=True):
        node.embedding = vector
        if cache is not None:
            cache.put_vector(key, vector)


def _chunks(texts: list[str], size: int) -> list[list[str]]:
    return [texts[start : start + size] for start in range(0, len(texts), size)]


def embed_planned(
    embed_model: BaseEmbedding,
    todo: list[BaseNode],
    texts: list[str],
    keys: list[str],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
    batch_size: int | None = None,
) -> None:
    """Embed ``texts`` (from :func:`plan_embedding`) into ``todo``, ``num_workers`` batches at a time (threads), in
    calls of ``batch_size`` texts (default the model's ``embed_batch_size``)."""
    if not todo:
        return
    batches = _chunks(texts, batch_size or embed_model.embed_batch_size)
    workers = max(1, num_workers or 1)
    if workers == 1 or len(batches) == 1:
        vectors = [vector for batch in batches for vector in embed_model.get_text_embedding_batch(batch)]
    else:
        with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
            futures = [submit_in_context(pool, embed_model.get_text_embedding_batch, batch) for batch in batches]
            vectors = [vector for future in futures for vector in future.result()]
    _apply(todo, keys, vectors, cache)


async def aembed_planned(
    embed_model: BaseEmbedding,
    todo: list[BaseNode],
    texts: list[str],
    keys: list[str],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
    batch_size: int | None = None,
) -> None:
    """Async :func:`embed_planned`: at most ``num_workers`` batches in flight (default 4)."""
    if not todo:
        return
    batches = _chunks(texts, batch_size or embed_model.embed_batch_size)

    def thunk(batch: list[str]) -> Callable[[], Any]:
        return lambda: embed_model.aget_text_embedding_batch(batch)

    results = await gather_bounded([thunk(batch) for batch in batches], max(1, num_workers or 4))
    _apply(todo, keys, [vector for batch in results for vector in batch], cache)


def embed_nodes(
    embed_model: BaseEmbedding,
    nodes: Sequence[BaseNode],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
) -> list[BaseNode]:
    """Embed the nodes that have no embedding, ``num_workers`` batches at a time (threads)."""
    nodes = list(nodes)
    embed_planned(embed_model, *plan_embedding(embed_model, nodes, cache), cache=cache, num_workers=num_workers)
    return nodes


async def aembed_nodes(
    embed_model: BaseEmbedding,
    nodes: Sequence[BaseNode],
    cache: IngestionCache | None = None,
    num_workers: int | None = None,
) -> list[BaseNode]:
    """Async :func:`embed_nodes`: at most ``num_workers`` batches in flight."""
    nodes = list(nodes)
    todo, texts, keys = plan_embedding(embed_model, nodes, cache)
    await aembed_planned(embed_model, todo, texts, keys, cache=cache, num_workers=num_workers)
    return nodes


def stabilise_ids(
    document: BaseNode, nodes: list[BaseNode], rename: bool = True, first_position: int = 0
) -> list[BaseNode]:
    """Give the nodes cut from ``document`` ids derived from the document id, position and content.

    Re-ingesting the same document yields the same ids (idempotent upserts, resumable runs); a changed chunk
    gets a new id. Relationships between the nodes are rewritten to the new ids; a node without a source gets
    ``document`` as its source (also when ``rename`` is false). ``first_position`` is the position of the
    first node when ``nodes`` are a later section of the document's nodes.
    """
    mapping: dict[str, str] = {}
    for position, node in enumerate(nodes, start=first_position):
        if not rename or node.node_id == document.node_id:
            continue
        name = f"{document.node_id}\x00{position}\x00{node.hash}"
        mapping[node.node_id] = str(uuid.uuid5(_NODE_ID_NAMESPACE, name))
    for node in nodes:
        node.node_id = mapping.get(node.node_id, node.node_id)
        for relation, info in list(node.relationships.items()):
            if isinstance(info, list):
                node.relationships[relation] = [_remap(item, mapping) for item in info]
            else:
                node.relationships[relation] = _remap(info, mapping)
        if node.ref_doc_id is None:
            node.relationships[NodeRelationship.SOURCE] = document.as_related_node_info()
    return nodes


def _remap(info: RelatedNodeInfo, mapping: dict[str, str]) -> RelatedNodeInfo:
    new_id = mapping.get(info.node_id)
    return info if new_id is None else info.model_copy(update={"node_id": new_id})
