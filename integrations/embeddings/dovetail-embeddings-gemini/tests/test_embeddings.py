"""``GoogleGenAIEmbedding`` against the loopback Gemini server: task types, dimensions, batching, faults."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import RateLimitError
from dovetail.core.registry import resolve_embedding
from dovetail.core.testing.servers.gemini_loopback import API_KEY
from dovetail.core.testing.servers.gemini_loopback import LoopbackGemini
from dovetail.core.testing.servers.gemini_loopback import embedding_of
from dovetail.embeddings.gemini import GoogleGenAIEmbedding

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeEmbed = Callable[..., GoogleGenAIEmbedding]
BATCH = ":batchEmbedContents"


def test_query_and_document_task_types(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    embed = make_embed()
    assert embed.get_query_embedding("q") == embedding_of("q", "RETRIEVAL_QUERY", 16)
    assert embed.get_text_embedding("d") == embedding_of("d", "RETRIEVAL_DOCUMENT", 16)
    assert [r.body["requests"][0]["taskType"] for r in server.requests_to(BATCH)] == [
        "RETRIEVAL_QUERY",
        "RETRIEVAL_DOCUMENT",
    ]


def test_output_dimensionality_and_llamaindex_config(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    assert len(make_embed(output_dimensionality=8).get_text_embedding("x")) == 8
    assert server.requests[-1].body["requests"][0]["outputDimensionality"] == 8
    same = make_embed(embedding_config={"task_type": "SEMANTIC_SIMILARITY"})
    assert same.get_query_embedding("x") == same.get_text_embedding("x") == embedding_of("x", "SEMANTIC_SIMILARITY", 16)
    with pytest.raises(InvalidInputError, match="frobnicate"):
        make_embed(embedding_config={"frobnicate": 1})
    with pytest.raises(InvalidInputError, match="embed_batch_size"):
        make_embed(embed_batch_size=101)


def test_batches_of_at_most_100_in_order(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    texts = [f"text {i}" for i in range(250)]
    vectors = make_embed().get_text_embedding_batch(texts)
    assert vectors == [embedding_of(t, "RETRIEVAL_DOCUMENT", 16) for t in texts]
    assert [len(r.body["requests"]) for r in server.requests_to(BATCH)] == [100, 100, 50]


async def test_async_batches(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    texts = [f"t{i}" for i in range(30)]
    vectors = await make_embed(embed_batch_size=10, max_concurrency=2).aget_text_embedding_batch(texts)
    assert vectors == [embedding_of(t, "RETRIEVAL_DOCUMENT", 16) for t in texts]
    assert len(server.requests_to(BATCH)) == 3


def test_faults_and_errors(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    server.add_fault(status=503, path=BATCH, times=1)
    server.add_fault(action="drop", path=BATCH, times=1)
    assert make_embed().get_text_embedding("x") == embedding_of("x", "RETRIEVAL_DOCUMENT", 16)
    assert len(server.requests_to(BATCH)) == 3
    server.add_fault(status=429, headers={"Retry-After": "4"}, path=BATCH, times=3)
    with pytest.raises(RateLimitError) as info:
        make_embed(max_retries=0).get_text_embedding("x")
    assert info.value.retry_after == 4.0
    server.reset()
    server.add_fault(status=500, path=BATCH, times=5)
    with pytest.raises(ProviderError):
        make_embed(max_retries=1).get_text_embedding("x")
    server.reset()
    with pytest.raises(AuthenticationError):
        make_embed(api_key="AIza-wrong").get_text_embedding("x")
    assert len(server.requests) == 1  # not retried


def test_key_from_env_and_missing_key(server: LoopbackGemini, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", API_KEY)
    assert len(GoogleGenAIEmbedding(base_url=server.url).get_text_embedding("x")) == 16
    assert len(GoogleGenAIEmbedding(base_url=server.url, api_key="").get_text_embedding("x")) == 16  # empty: none
    monkeypatch.delenv("GEMINI_API_KEY")
    with pytest.raises(ConfigurationError, match="GOOGLE_API_KEY"):
        GoogleGenAIEmbedding(base_url=server.url).get_text_embedding("x")


def test_registry_resolves_gemini(server: LoopbackGemini) -> None:
    embed = resolve_embedding("gemini:text-embedding-004", api_key=API_KEY, base_url=server.url)
    assert isinstance(embed, GoogleGenAIEmbedding)
    assert embed.get_text_embedding("r") == embedding_of("r", "RETRIEVAL_DOCUMENT", 16)


def test_retry_after_of_a_503_is_waited_for(make_embed: MakeEmbed, server: LoopbackGemini) -> None:
    # RFC 9110 lets a 503 carry Retry-After; the backoff alone would wait at most 0.5 s before the first retry.
    server.add_fault(status=503, headers={"Retry-After": "1.2"}, path=BATCH, times=1)
    assert make_embed(max_retries=1).get_text_embedding("x") == embedding_of("x", "RETRIEVAL_DOCUMENT", 16)
    first, second = server.requests_to(BATCH)
    assert second.at - first.at >= 1.1
