"""Conformance kit for embedding models (``BaseEmbedding`` subclasses)."""

from __future__ import annotations

import math
from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.rate_limiter import estimate_tokens
from dovetail.core.testing._guard import ConformanceBase
from dovetail.core.testing.events import EventRecorder
from dovetail.core.testing.leaks import assert_no_secret_leak
from dovetail.core.testing.rate_limits import RecordingRateLimiter

__all__ = ["EmbeddingConformance"]

_TEXTS = ["The dovetail joint resists being pulled apart.", "Mortise and tenon.", "Glue cures overnight.", "ok", "z"]


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class EmbeddingConformance(ConformanceBase):
    """Kit tests every embedding model must pass.

    Subclass it, provide an ``embedding`` fixture returning a ready model (pointed at a local server when it
    talks HTTP) and set the capability flags.

    Attributes:
        supports_async: the model has async methods worth testing (the base class always provides them).
        supports_batch: ``get_text_embedding_batch`` is expected to work on several texts.
        embed_dim: the expected dimension, or ``None`` to only check consistency.
        same_vector_tolerance: minimum cosine between a batch vector and the single call for the same text.

    Troubleshooting:
        - ``test_batch_order_matches_single_calls``: return vectors in the order of the input texts.
        - ``test_one_event_per_provider_call``: don't fire EMBEDDING events yourself; the base class does.
        - ``test_no_secret_in_repr``: keep keys in ``pydantic.SecretStr`` fields.
    """

    _kit_class: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True
    supports_batch: ClassVar[bool] = True
    embed_dim: ClassVar[int | None] = None
    same_vector_tolerance: ClassVar[float] = 0.999

    @pytest.fixture
    def embedding(self) -> BaseEmbedding:
        """The model under test; subclasses must override this fixture."""
        pytest.fail("subclass EmbeddingConformance and provide an `embedding` fixture")

    def _check_vector(self, vector: Any) -> list[float]:
        assert isinstance(vector, list), f"expected a list of floats, got {type(vector).__name__}"
        assert vector, "empty embedding"
        assert all(isinstance(x, (float, int)) and math.isfinite(x) for x in vector), "non-finite or non-float value"
        if self.embed_dim is not None:
            assert len(vector) == self.embed_dim
        return vector

    def test_is_a_base_embedding(self, embedding: BaseEmbedding) -> None:
        """The model implements the core contract and validates its batch size."""
        assert isinstance(embedding, BaseEmbedding)
        assert 1 <= embedding.embed_batch_size <= 2048
        assert isinstance(embedding.model_name, str)

    def test_query_and_text_vectors(self, embedding: BaseEmbedding) -> None:
        """Query and text embeddings are non-empty, finite and of one dimension."""
        query = self._check_vector(embedding.get_query_embedding("What holds a drawer together?"))
        text = self._check_vector(embedding.get_text_embedding(_TEXTS[0]))
        assert len(query) == len(text)

    def test_different_texts_differ(self, embedding: BaseEmbedding) -> None:
        """Two unrelated texts do not get the same vector."""
        first = embedding.get_text_embedding(_TEXTS[0])
        second = embedding.get_text_embedding(_TEXTS[2])
        assert first != second

    def test_batch_order_matches_single_calls(self, embedding: BaseEmbedding) -> None:
        """A batch returns one vector per text, in input order, equal to the single-text result."""
        if not self.supports_batch:
            pytest.skip("supports_batch = False")
        batch = embedding.get_text_embedding_batch(list(_TEXTS))
        assert len(batch) == len(_TEXTS)
        for text, vector in zip(_TEXTS, batch, strict=True):
            self._check_vector(vector)
            assert _cosine(vector, embedding.get_text_embedding(text)) >= self.same_vector_tolerance, text

    def test_empty_batch_returns_empty_list(self, embedding: BaseEmbedding) -> None:
        """An empty batch gives ``[]`` without a provider call or an event."""
        recorder = EventRecorder()
        embedding.callback_manager = CallbackManager([recorder])
        assert embedding.get_text_embedding_batch([]) == []
        assert recorder.events == []

    def test_non_str_input_is_rejected(self, embedding: BaseEmbedding) -> None:
        """Non-string input raises ``InvalidInputError`` before any provider call."""
        with pytest.raises(InvalidInputError):
            embedding.get_text_embedding(42)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            embedding.get_query_embedding(None)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError):
            embedding.get_text_embedding_batch(["fine", b"bytes"])  # type: ignore[list-item]
        with pytest.raises(InvalidInputError):
            embedding.get_text_embedding_batch("not a list")  # type: ignore[arg-type]

    def test_one_event_per_provider_call(self, embedding: BaseEmbedding) -> None:
        """A batch split by ``embed_batch_size`` fires one EMBEDDING event per chunk, with chunks and vectors."""
        recorder = EventRecorder()
        embedding.callback_manager = CallbackManager([recorder])
        embedding.embed_batch_size = 2
        vectors = embedding.get_text_embedding_batch(list(_TEXTS))
        ends = [end.payload for end in recorder.of("end", CBEventType.EMBEDDING)]
        assert len(recorder.of("start", CBEventType.EMBEDDING)) == len(ends) == 3
        assert [text for payload in ends for text in payload[EventPayload.CHUNKS]] == _TEXTS
        assert [vector for payload in ends for vector in payload[EventPayload.EMBEDDINGS]] == vectors

    def test_rate_limiter_is_asked_once_per_provider_call(self, embedding: BaseEmbedding) -> None:
        """``rate_limiter=`` is asked for one request per batch of ``embed_batch_size`` texts, with their tokens."""
        limiter = RecordingRateLimiter()
        embedding.rate_limiter = limiter
        embedding.embed_batch_size = 2
        try:
            embedding.get_text_embedding_batch(list(_TEXTS))
        finally:
            embedding.rate_limiter = None
        assert limiter.sync_calls == [estimate_tokens(_TEXTS[i : i + 2]) for i in range(0, len(_TEXTS), 2)]

    async def test_async_query_and_text(self, embedding: BaseEmbedding) -> None:
        """The async single-text methods agree with the sync ones."""
        if not self.supports_async:
            pytest.skip("supports_async = False")
        query = self._check_vector(await embedding.aget_query_embedding("What holds a drawer together?"))
        text = self._check_vector(await embedding.aget_text_embedding(_TEXTS[0]))
        assert (
            _cosine(query, embedding.get_query_embedding("What holds a drawer together?")) >= self.same_vector_tolerance
        )
        assert _cosine(text, embedding.get_text_embedding(_TEXTS[0])) >= self.same_vector_tolerance

    async def test_async_batch_matches_sync(self, embedding: BaseEmbedding) -> None:
        """The async batch keeps input order across concurrent chunks and matches the sync batch."""
        if not self.supports_async:
            pytest.skip("supports_async = False")
        embedding.embed_batch_size = 2
        assert await embedding.aget_text_embedding_batch([]) == []
        async_vectors = await embedding.aget_text_embedding_batch(list(_TEXTS))
        sync_vectors = embedding.get_text_embedding_batch(list(_TEXTS))
        assert len(async_vectors) == len(_TEXTS)
        for a, b in zip(async_vectors, sync_vectors, strict=True):
            assert _cosine(a, b) >= self.same_vector_tolerance

    def test_no_secret_in_repr(self, embedding: BaseEmbedding) -> None:
        """Secrets (``SecretStr`` fields) never appear in ``repr``, ``str`` or the serialised model."""
        assert_no_secret_leak(embedding, embedding.model_dump_json())
