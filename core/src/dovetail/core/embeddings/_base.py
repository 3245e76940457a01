"""``BaseEmbedding``: the embedding contract, with batching, caching, async and events built in.

Subclasses implement ``_get_query_embedding`` and ``_get_text_embedding``; they may override
``_get_text_embeddings`` (one provider call per batch) and the async twins ``_aget_*``. Everything public —
batching by ``embed_batch_size``, the ``embeddings_cache``, one ``CBEventType.EMBEDDING`` event per provider call,
input/output checks — lives here, so the per-text cost of the framework stays a few microseconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from functools import partial
from importlib import import_module
from typing import Any
from typing import ClassVar

from dovetail.core._component import TransformComponent
from dovetail.core._kwargs import reject_unknown_keywords
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.concurrency import gather_bounded
from dovetail.core.concurrency import run_in_thread
from dovetail.core.embeddings._cache import EmbeddingMode
from dovetail.core.embeddings._cache import cache_key
from dovetail.core.embeddings._checks import check_same_dim
from dovetail.core.embeddings._checks import check_text
from dovetail.core.embeddings._checks import check_texts
from dovetail.core.embeddings._checks import check_vector
from dovetail.core.embeddings._checks import check_vectors
from dovetail.core.embeddings._similarity import SimilarityMode
from dovetail.core.embeddings._similarity import mean_agg
from dovetail.core.embeddings._similarity import similarity
from dovetail.core.rate_limiter import BaseRateLimiter
from dovetail.core.rate_limiter import estimate_tokens
from dovetail.core.schema import BaseNode
from dovetail.core.schema import MetadataMode
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator

__all__ = ["DEFAULT_EMBED_BATCH_SIZE", "BaseEmbedding", "Embedding"]

logger = logging.getLogger(__name__)

Embedding = list[float]
DEFAULT_EMBED_BATCH_SIZE = 10
DEFAULT_ASYNC_CONCURRENCY = 4


def _default_callback_manager() -> CallbackManager:
    try:  # Share the global manager when dovetail.core.settings provides one.
        settings = import_module("dovetail.core.settings").Settings
        manager = getattr(settings, "callback_manager", None)
    except Exception:  # settings missing or not configurable yet: a private manager is fine
        manager = None
    return manager if isinstance(manager, CallbackManager) else CallbackManager()


class BaseEmbedding(TransformComponent):
    """Base class of every embedding model.

    Args:
        model_name: name of the model (part of the cache key).
        embed_batch_size: texts per provider call, 1..2048.
        callback_manager: receives one ``EMBEDDING`` event per provider call (``CHUNKS`` and ``EMBEDDINGS``);
            default (or ``None``) ``Settings.callback_manager``.
        num_workers: provider calls in flight at once on the async batch path (default 4).
        embeddings_cache: any object with ``get(key)``/``put(key, value)``, e.g. ``SimpleKVCache()``; keyed by
            model name, mode (query/text) and text.
        rate_limiter: every provider call (one per batch, one per single text) first waits for it (see
            :mod:`dovetail.core.rate_limiter`); cached texts take nothing from it.

    Raises (from the public methods):
        InvalidInputError: a text is not a ``str`` or ``texts`` is not a list.
        ProviderError: the provider returned the wrong number of vectors, vectors of mixed dimension, empty
            vectors, or NaN/infinite values. Nothing is cached in that case.

    Example:
        ```python
        class MyEmbedding(BaseEmbedding):
            def _get_query_embedding(self, query: str) -> list[float]:
                return my_model.encode(query)

            def _get_text_embedding(self, text: str) -> list[float]:
                return my_model.encode(text)

        vectors = MyEmbedding(embed_batch_size=32).get_text_embedding_batch(["a", "b"])
        ```
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=(), validate_assignment=True)

    provider_name: ClassVar[str | None] = None
    # ``model=`` names the model as for LLMs (and as the registry passes it for "provider:model" specs).
    _keyword_aliases: ClassVar[Mapping[str, str]] = {"model": "model_name"}

    model_name: str = Field(default="unknown", description="Name of the embedding model.")
    embed_batch_size: int = Field(default=DEFAULT_EMBED_BATCH_SIZE, gt=0, le=2048, description="Texts per call.")
    callback_manager: CallbackManager = Field(default_factory=_default_callback_manager, exclude=True)
    num_workers: int | None = Field(default=None, gt=0, description="Concurrent provider calls (async batch).")
    embeddings_cache: Any | None = Field(default=None, exclude=True, description="get/put key-value cache.")
    rate_limiter: BaseRateLimiter | None = Field(default=None, exclude=True, repr=False)

    @field_validator("callback_manager", mode="before")
    @classmethod
    def _none_is_default_manager(cls, value: Any) -> Any:
        return _default_callback_manager() if value is None else value

    @classmethod
    def class_name(cls) -> str:
        """Stable name of the class, used in events and errors."""
        return cls.__name__

    @property
    def _provider(self) -> str:
        return self.provider_name or self.class_name()

    def get_tokenizer(self) -> Callable[[str], Sequence[Any]] | None:
        """The model's exact tokenizer (``text -> tokens``, special tokens included), or ``None`` when dovetail
        does not know it; chunk budgets for this model are then counted with a never-undercounting estimate
        (:func:`dovetail.core.tokenizers.budget_tokenizer`). Integrations override this when they can."""
        return None

    # ---- what subclasses implement -----------------------------------------------------------------------

    def _get_query_embedding(self, query: str) -> Embedding:
        """Embed a query. Subclasses must implement this."""
        msg = f"{type(self).__name__} must implement _get_query_embedding"
        raise NotImplementedError(msg)

    def _get_text_embedding(self, text: str) -> Embedding:
        """Embed a document text. Subclasses must implement this."""
        msg = f"{type(self).__name__} must implement _get_text_embedding"
        raise NotImplementedError(msg)

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """Embed a batch; override with one provider call per batch when the provider supports it."""
        return [self._get_text_embedding(text) for text in texts]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        """Async query embedding; the default runs the sync one in a worker thread."""
        return await run_in_thread(self._get_query_embedding, query)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        """Async text embedding; the default runs the sync one in a worker thread."""
        return await run_in_thread(self._get_text_embedding, text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """Async batch: the subclass's async single call per text if it has one, else the sync batch in a thread."""
        if type(self)._aget_text_embedding is not BaseEmbedding._aget_text_embedding:
            thunks = [partial(self._aget_text_embedding, text) for text in texts]
            return await gather_bounded(thunks, self._concurrency)
        return await run_in_thread(self._get_text_embeddings, texts)

    @property
    def _concurrency(self) -> int:
        return self.num_workers or DEFAULT_ASYNC_CONCURRENCY

    # ---- public single-text API --------------------------------------------------------------------------

    def _cached(self, mode: EmbeddingMode, text: str) -> Embedding | None:
        cache = self.embeddings_cache
        if cache is None:
            return None
        value = cache.get(cache_key(self.model_name, mode, text))
        return list(value) if value is not None else None

    def _store(self, mode: EmbeddingMode, text: str, vector: Embedding) -> None:
        if self.embeddings_cache is not None:
            # A copy: the caller owns the returned list and may mutate it.
            self.embeddings_cache.put(cache_key(self.model_name, mode, text), list(vector))

    def _throttle(self, texts: list[str]) -> None:
        limiter = self.rate_limiter
        if limiter is not None:
            limiter.acquire(estimate_tokens(texts) if limiter.counts_tokens else 0)

    async def _athrottle(self, texts: list[str]) -> None:
        limiter = self.rate_limiter
        if limiter is not None:
            await limiter.async_acquire(estimate_tokens(texts) if limiter.counts_tokens else 0)

    def _one(self, mode: EmbeddingMode, text: Any, fn: Callable[[str], Any]) -> Embedding:
        text = check_text(text, mode)
        cached = self._cached(mode, text)
        if cached is not None:
            return cached
        self._throttle([text])
        with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
            vector = check_vector(fn(text), self._provider)
            ev.on_end(payload={EventPayload.CHUNKS: [text], EventPayload.EMBEDDINGS: [vector]})
        self._store(mode, text, vector)
        return vector

    async def _aone(self, mode: EmbeddingMode, text: Any, fn: Callable[[str], Any]) -> Embedding:
        text = check_text(text, mode)
        cached = self._cached(mode, text)
        if cached is not None:
            return cached
        await self._athrottle([text])
        with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
            vector = check_vector(await fn(text), self._provider)
            ev.on_end(payload={EventPayload.CHUNKS: [text], EventPayload.EMBEDDINGS: [vector]})
        self._store(mode, text, vector)
        return vector

    def get_query_embedding(self, query: str) -> Embedding:
        """Embed a query (cached under mode ``query``)."""
        return self._one("query", query, self._get_query_embedding)

    async def aget_query_embedding(self, query: str) -> Embedding:
        """Async :meth:`get_query_embedding`."""
        return await self._aone("query", query, self._aget_query_embedding)

    def get_text_embedding(self, text: str) -> Embedding:
        """Embed one document text (cached under mode ``text``)."""
        return self._one("text", text, self._get_text_embedding)

    async def aget_text_embedding(self, text: str) -> Embedding:
        """Async :meth:`get_text_embedding`."""
        return await self._aone("text", text, self._aget_text_embedding)

    def get_agg_embedding_from_queries(
        self, queries: list[str], agg_fn: Callable[[list[Embedding]], Embedding] | None = None
    ) -> Embedding:
        """Embed several queries and aggregate them (element-wise mean unless ``agg_fn`` is given)."""
        embeddings = [self.get_query_embedding(query) for query in check_texts(queries)]
        return (agg_fn or mean_agg)(embeddings)

    async def aget_agg_embedding_from_queries(
        self, queries: list[str], agg_fn: Callable[[list[Embedding]], Embedding] | None = None
    ) -> Embedding:
        """Async :meth:`get_agg_embedding_from_queries`."""
        embeddings = [await self.aget_query_embedding(query) for query in check_texts(queries)]
        return (agg_fn or mean_agg)(embeddings)

    # ---- public batch API --------------------------------------------------------------------------------

    def _split_cached(self, texts: list[str]) -> tuple[list[Embedding | None], list[int], list[str]]:
        """Cached vectors in input order (``None`` for misses), the indexes still to embed and their texts."""
        if self.embeddings_cache is None:
            return [None] * len(texts), list(range(len(texts))), texts
        found = [self._cached("text", text) for text in texts]
        todo = [i for i, vector in enumerate(found) if vector is None]
        return found, todo, texts if len(todo) == len(texts) else [texts[i] for i in todo]

    def _batch_event_start(self) -> dict[str, Any]:
        return {EventPayload.MODEL_NAME: self.model_name}

    def get_text_embedding_batch(self, texts: list[str], show_progress: bool = False, **kwargs: Any) -> list[Embedding]:
        """Embed many texts, ``embed_batch_size`` per provider call; the result keeps the input order.

        An empty list returns ``[]`` without calling the provider. ``show_progress`` logs each batch at INFO.
        """
        reject_unknown_keywords("get_text_embedding_batch", kwargs, ("texts", "show_progress"))
        texts = check_texts(texts)
        if not texts:
            return []
        found, todo, pending = self._split_cached(texts)
        size, total = self.embed_batch_size, len(pending)
        manager, provider = self.callback_manager, self._provider
        dim: int | None = None
        computed: list[Embedding] = []
        for start in range(0, total, size):
            batch = pending[start : start + size]
            self._throttle(batch)
            if not manager.handlers:  # nobody listens: skip the event bookkeeping on the hot path
                vectors = check_vectors(self._get_text_embeddings(batch), len(batch), provider, dim)
            else:
                with manager.event(CBEventType.EMBEDDING, self._batch_event_start()) as ev:
                    vectors = check_vectors(self._get_text_embeddings(batch), len(batch), provider, dim)
                    ev.on_end(payload={EventPayload.CHUNKS: batch, EventPayload.EMBEDDINGS: vectors})
            dim = len(vectors[0])
            computed.extend(vectors)
            if show_progress:
                logger.info("embedded %d/%d texts with %s", min(start + size, total), total, self.model_name)
        return self._merge(texts, found, todo, computed)

    def get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        """Same as :meth:`get_text_embedding_batch` (the name used in LlamaIndex's diagrams)."""
        return self.get_text_embedding_batch(texts)

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """Async :meth:`get_text_embedding_batch`: batches run concurrently, at most ``num_workers`` at once."""
        reject_unknown_keywords("aget_text_embedding_batch", kwargs, ("texts", "show_progress"))
        texts = check_texts(texts)
        if not texts:
            return []
        found, todo, pending = self._split_cached(texts)
        size, provider = self.embed_batch_size, self._provider

        async def run(batch: list[str]) -> list[Embedding]:
            await self._athrottle(batch)
            if not self.callback_manager.handlers:  # nobody listens: skip the event bookkeeping on the hot path
                vectors = check_vectors(await self._aget_text_embeddings(batch), len(batch), provider)
            else:
                with self.callback_manager.event(CBEventType.EMBEDDING, self._batch_event_start()) as ev:
                    vectors = check_vectors(await self._aget_text_embeddings(batch), len(batch), provider)
                    ev.on_end(payload={EventPayload.CHUNKS: batch, EventPayload.EMBEDDINGS: vectors})
            if show_progress:
                logger.info("embedded a batch of %d texts with %s", len(batch), self.model_name)
            return vectors

        batches = [pending[start : start + size] for start in range(0, len(pending), size)]
        results = await gather_bounded([partial(run, batch) for batch in batches], self._concurrency)
        computed = [vector for vectors in results for vector in vectors]
        check_same_dim(computed, provider)
        return self._merge(texts, found, todo, computed)

    def _merge(
        self, texts: list[str], found: list[Embedding | None], todo: list[int], computed: list[Embedding]
    ) -> list[Embedding]:
        if len(todo) == len(texts) and self.embeddings_cache is None:
            return computed
        for index, vector in zip(todo, computed, strict=True):
            found[index] = vector
            self._store("text", texts[index], vector)
        return found  # type: ignore[return-value]  # every None was filled from ``computed``

    # ---- helpers -----------------------------------------------------------------------------------------

    def similarity(
        self,
        embedding1: Sequence[float],
        embedding2: Sequence[float],
        mode: SimilarityMode = SimilarityMode.DEFAULT,
    ) -> float:
        """Similarity of two embeddings (see :func:`dovetail.core.embeddings.similarity`)."""
        return similarity(embedding1, embedding2, mode)

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        """Embed the nodes that have no embedding yet (as an ingestion transformation) and return them."""
        todo = [node for node in nodes if node.embedding is None]
        texts = [node.get_content(MetadataMode.EMBED) for node in todo]
        for node, vector in zip(todo, self.get_text_embedding_batch(texts, **kwargs), strict=True):
            node.embedding = vector
        return nodes

    async def acall(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        """Async :meth:`__call__`."""
        todo = [node for node in nodes if node.embedding is None]
        texts = [node.get_content(MetadataMode.EMBED) for node in todo]
        for node, vector in zip(todo, await self.aget_text_embedding_batch(texts, **kwargs), strict=True):
            node.embedding = vector
        return nodes
