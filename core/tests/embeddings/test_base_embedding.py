"""BaseEmbedding behaviour: batching, cache, async bound, events and bad provider output."""

from __future__ import annotations

import asyncio
import math
import threading
from typing import Any

import pytest
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.embeddings import BaseEmbedding
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.embeddings import SimpleKVCache
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.schema import TextNode
from dovetail.core.testing.package_contract import assert_imports_without
from pydantic import ValidationError


class CountingEmbedding(BaseEmbedding):
    """Counts provider calls; vectors encode the text length and the mode, so tests can tell them apart."""

    calls: list[tuple[str, list[str]]] = []

    def model_post_init(self, __context: Any) -> None:
        self.calls = []

    def _get_query_embedding(self, query: str) -> list[float]:
        self.calls.append(("query", [query]))
        return [1.0, float(len(query))]

    def _get_text_embedding(self, text: str) -> list[float]:
        self.calls.append(("text", [text]))
        return [0.0, float(len(text))]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(("batch", list(texts)))
        return [[0.0, float(len(t))] for t in texts]


class BadEmbedding(BaseEmbedding):
    """Returns whatever ``output`` says, to exercise the output checks."""

    output: Any = None

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.output  # type: ignore[no-any-return]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.output  # type: ignore[no-any-return]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.output  # type: ignore[no-any-return]


def test_import_does_not_pull_numpy() -> None:
    modules = ["dovetail.core.embeddings", "dovetail.core.readers", "dovetail.core.retrievers"]
    assert_imports_without(modules, ["numpy"])


@pytest.mark.parametrize("size", [0, -1, 2049])
def test_embed_batch_size_is_validated(size: int) -> None:
    with pytest.raises(ValidationError):
        CountingEmbedding(embed_batch_size=size)


def test_batches_by_embed_batch_size_and_keeps_order() -> None:
    model = CountingEmbedding(embed_batch_size=4)
    texts = [f"t{'x' * i}" for i in range(10)]
    vectors = model.get_text_embedding_batch(texts)
    assert [call[1] for call in model.calls] == [texts[0:4], texts[4:8], texts[8:10]]
    assert vectors == [[0.0, float(len(t))] for t in texts]
    assert model.get_text_embeddings(texts[:2]) == vectors[:2]


def test_default_batch_falls_back_to_single_calls() -> None:
    class SingleOnly(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return [1.0]

        def _get_text_embedding(self, text: str) -> list[float]:
            return [float(len(text))]

    assert SingleOnly(embed_batch_size=2).get_text_embedding_batch(["a", "bb", "ccc"]) == [[1.0], [2.0], [3.0]]


def test_one_event_per_batch_with_chunks_and_embeddings(event_recorder: Any) -> None:
    recorder = event_recorder
    model = CountingEmbedding(embed_batch_size=3, callback_manager=CallbackManager([recorder]))
    vectors = model.get_text_embedding_batch(["a", "b", "c", "d"])
    pairs = [(kind, etype) for kind, etype, _ in recorder.events]
    assert pairs == [("start", CBEventType.EMBEDDING), ("end", CBEventType.EMBEDDING)] * 2
    ends = [payload for kind, _, payload in recorder.events if kind == "end"]
    assert [p[EventPayload.CHUNKS] for p in ends] == [["a", "b", "c"], ["d"]]
    assert ends[0][EventPayload.EMBEDDINGS] + ends[1][EventPayload.EMBEDDINGS] == vectors


def test_cache_is_keyed_by_mode_and_model() -> None:
    cache = SimpleKVCache()
    model = CountingEmbedding(embeddings_cache=cache, model_name="m1")
    assert model.get_query_embedding("hello") == [1.0, 5.0]
    assert model.get_text_embedding("hello") == [0.0, 5.0]  # a query hit must not answer a text lookup
    assert model.get_query_embedding("hello") == [1.0, 5.0]
    assert model.get_text_embedding("hello") == [0.0, 5.0]
    assert model.calls == [("query", ["hello"]), ("text", ["hello"])]
    assert len(cache) == 2
    model.get_text_embedding("hello").append(99.0)  # mutating a returned vector leaves the cache intact
    assert model.get_text_embedding("hello") == [0.0, 5.0]
    other = CountingEmbedding(embeddings_cache=cache, model_name="m2")
    other.get_text_embedding("hello")
    assert other.calls == [("text", ["hello"])]


def test_batch_uses_cache_for_hits_and_embeds_only_misses() -> None:
    cache = SimpleKVCache()
    model = CountingEmbedding(embeddings_cache=cache, embed_batch_size=10)
    model.get_text_embedding("bb")
    model.calls.clear()
    vectors = model.get_text_embedding_batch(["a", "bb", "ccc"])
    assert vectors == [[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]]
    assert model.calls == [("batch", ["a", "ccc"])]
    model.calls.clear()
    assert model.get_text_embedding_batch(["ccc", "a"]) == [[0.0, 3.0], [0.0, 1.0]]
    assert model.calls == []


def test_bad_provider_output_is_not_cached() -> None:
    cache = SimpleKVCache()
    model = BadEmbedding(output=[1.0, math.nan], embeddings_cache=cache)
    with pytest.raises(ProviderError, match="NaN"):
        model.get_text_embedding("x")
    assert len(cache) == 0


@pytest.mark.parametrize(
    ("output", "match"),
    [
        ([[1.0, 2.0], [1.0, math.nan]], "NaN"),
        ([[1.0, 2.0], [1.0, math.inf]], "NaN or infinite"),
        ([[1.0, 2.0], [1.0, 2.0, 3.0]], "dimension 3, expected 2"),
        ([[1.0, 2.0]], "1 vectors for 2 texts"),
        ([[], []], "dimension 0"),
        ([[1.0, "x"], [1.0, 2.0]], "non-numeric"),
        ([None, None], "NoneType"),
    ],
)
def test_bad_batch_output_raises_provider_error(output: Any, match: str) -> None:
    with pytest.raises(ProviderError, match=match):
        BadEmbedding(output=output).get_text_embedding_batch(["a", "b"])


def test_dimension_must_stay_the_same_across_batches() -> None:
    class Drifting(CountingEmbedding):
        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            self.calls.append(("batch", texts))
            return [[0.0] * len(self.calls) for _ in texts]

    with pytest.raises(ProviderError, match="dimension 2, expected 1"):
        Drifting(embed_batch_size=1).get_text_embedding_batch(["a", "b"])


async def test_async_batch_dimension_mismatch_across_batches() -> None:
    class Drifting(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return [1.0]

        def _get_text_embedding(self, text: str) -> list[float]:
            return [1.0] * len(text)

    with pytest.raises(ProviderError, match="mixed dimensions"):
        await Drifting(embed_batch_size=1).aget_text_embedding_batch(["a", "bb"])


@pytest.mark.parametrize("bad", [None, 3, b"bytes", ["ok", 3]])
def test_bad_input_types(bad: Any) -> None:
    model = CountingEmbedding()
    call = model.get_text_embedding_batch if isinstance(bad, list) else model.get_text_embedding
    with pytest.raises(InvalidInputError):
        call(bad)
    assert model.calls == []


def test_empty_batch_makes_no_call() -> None:
    model = CountingEmbedding()
    assert model.get_text_embedding_batch([]) == []
    assert asyncio.run(model.aget_text_embedding_batch([])) == []
    assert model.calls == []


async def test_async_defaults_run_off_the_loop_thread() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    class Blocking(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            seen.append(threading.get_ident())
            return [1.0]

        def _get_text_embedding(self, text: str) -> list[float]:
            seen.append(threading.get_ident())
            return [2.0]

    model = Blocking()
    assert await model.aget_query_embedding("q") == [1.0]
    assert await model.aget_text_embedding("t") == [2.0]
    assert await model.aget_text_embedding_batch(["a", "b"]) == [[2.0], [2.0]]
    assert seen
    assert loop_thread not in seen


async def test_async_batch_concurrency_is_bounded_by_num_workers() -> None:
    in_flight = 0
    peak = 0

    class Slow(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return [1.0]

        def _get_text_embedding(self, text: str) -> list[float]:
            return [1.0]

        async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return [[float(len(t))] for t in texts]

    texts = ["x" * i for i in range(1, 21)]
    vectors = await Slow(embed_batch_size=2, num_workers=3).aget_text_embedding_batch(texts)
    assert vectors == [[float(i)] for i in range(1, 21)]
    assert peak == 3


async def test_async_batch_uses_cache() -> None:
    model = CountingEmbedding(embeddings_cache=SimpleKVCache())
    first = await model.aget_text_embedding_batch(["a", "bb"])
    second = await model.aget_text_embedding_batch(["bb", "a"])
    assert second == [first[1], first[0]]
    assert len(model.calls) == 1


def test_agg_embedding_from_queries_is_the_mean() -> None:
    model = CountingEmbedding()
    assert model.get_agg_embedding_from_queries(["a", "abc"]) == [1.0, 2.0]
    assert asyncio.run(model.aget_agg_embedding_from_queries(["a", "abc"])) == [1.0, 2.0]
    assert model.get_agg_embedding_from_queries(["a", "abc"], agg_fn=lambda vs: vs[-1]) == [1.0, 3.0]


def test_call_embeds_nodes_without_embeddings() -> None:
    model = CountingEmbedding()
    done = TextNode(text="keep", embedding=[9.0, 9.0])
    todo = TextNode(text="abcd", metadata={"k": "v"})
    model([done, todo])
    assert done.embedding == [9.0, 9.0]
    assert todo.embedding == [0.0, float(len(todo.get_content("embed")))]  # type: ignore[arg-type]


def test_mock_embedding_is_deterministic_normalised_and_distinct() -> None:
    model = MockEmbedding(embed_dim=6)
    a = model.get_text_embedding("alpha")
    assert a == MockEmbedding(embed_dim=6).get_query_embedding("alpha")
    assert len(a) == 6
    assert math.isclose(sum(x * x for x in a), 1.0, rel_tol=1e-9)
    vectors = model.get_text_embedding_batch([f"text {i}" for i in range(200)])
    assert len({tuple(v) for v in vectors}) == 200
    assert model.similarity(a, a) == pytest.approx(1.0)


def test_mock_embedding_pins_known_vector() -> None:
    # Pinned so that every machine and version produces the same fake vectors (vector-store tests rely on it).
    assert [round(x, 6) for x in MockEmbedding(embed_dim=6).get_text_embedding("a")] == [
        -0.008547,
        0.279222,
        -0.218453,
        0.533346,
        -0.221758,
        -0.735259,
    ]
