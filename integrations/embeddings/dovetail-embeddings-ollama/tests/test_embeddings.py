"""``OllamaEmbedding`` against the loopback Ollama server: batching, instructions, faults."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderError
from dovetail.core.registry import resolve_embedding
from dovetail.core.testing.servers.ollama_loopback import LoopbackOllama
from dovetail.core.testing.servers.ollama_loopback import fake_vector
from dovetail.embeddings.ollama import OllamaEmbedding

pytestmark = pytest.mark.integration  # every test here talks to the loopback server

MakeEmbed = Callable[..., OllamaEmbedding]
EMBED = "/api/embed"


def test_one_request_per_batch_in_order(make_embed: MakeEmbed, server: LoopbackOllama) -> None:
    texts = [f"text {i}" for i in range(10)]
    vectors = make_embed(embed_batch_size=4).get_text_embedding_batch(texts)
    assert vectors == [fake_vector(t, 16) for t in texts]
    assert [len(r.body["input"]) for r in server.requests_to(EMBED)] == [4, 4, 2]


async def test_async_batches_are_bounded(make_embed: MakeEmbed, server: LoopbackOllama) -> None:
    server.latency = 0.05
    texts = [f"t{i}" for i in range(16)]
    vectors = await make_embed(embed_batch_size=2, max_concurrency=2).aget_text_embedding_batch(texts)
    assert vectors == [fake_vector(t, 16) for t in texts]
    arrivals = sorted(r.at for r in server.requests_to(EMBED))
    assert len(arrivals) == 8
    # With two requests in flight, the 8 requests arrive in about 4 waves of 50 ms.
    assert arrivals[-1] - arrivals[0] >= 0.14


def test_instructions_dimensions_and_options(make_embed: MakeEmbed, server: LoopbackOllama) -> None:
    embed = make_embed(
        query_instruction="search_query: ",
        text_instruction="search_document: ",
        dimensions=8,
        truncate=False,
        keep_alive="1m",
        ollama_additional_kwargs={"num_ctx": 2048},
    )
    assert embed.get_query_embedding("q") == fake_vector("search_query: q", 8)
    assert embed.get_text_embedding("d") == fake_vector("search_document: d", 8)
    body = server.requests[-1].body
    assert (body["dimensions"], body["truncate"], body["keep_alive"], body["options"]) == (
        8,
        False,
        "1m",
        {"num_ctx": 2048},
    )
    with pytest.raises(InvalidInputError, match="dimensions"):
        make_embed(ollama_additional_kwargs={"dimensions": 3})


def test_faults_retried_and_typed(make_embed: MakeEmbed, server: LoopbackOllama) -> None:
    server.add_fault(status=503, path=EMBED, times=1)
    server.add_fault(action="drop", path=EMBED, times=1)
    assert make_embed().get_text_embedding("x") == fake_vector("x", 16)
    assert len(server.requests_to(EMBED)) == 3
    server.add_fault(status=500, path=EMBED, times=5)
    with pytest.raises(ProviderError):
        make_embed(max_retries=1).get_text_embedding("x")
    with pytest.raises(NotFoundError, match="ollama pull"):
        make_embed(model_name="missing").get_text_embedding("x")


def test_registry_resolves_ollama(server: LoopbackOllama) -> None:
    embed = resolve_embedding("ollama:nomic-embed-text", base_url=server.url)
    assert isinstance(embed, OllamaEmbedding)
    assert embed.get_text_embedding("r") == fake_vector("r", 16)


async def test_retry_after_of_a_503_is_waited_for(make_embed: MakeEmbed, server: LoopbackOllama) -> None:
    # RFC 9110 lets a 503 carry Retry-After; the backoff alone would wait at most 0.5 s before the first retry.
    server.add_fault(status=503, headers={"Retry-After": "1.2"}, path=EMBED, times=1)
    assert make_embed(max_retries=1).get_text_embedding("x") == fake_vector("x", 16)
    server.add_fault(status=503, headers={"Retry-After": "1.2"}, path=EMBED, times=1)
    assert await make_embed(max_retries=1).aget_text_embedding("y") == fake_vector("y", 16)
    first, second, third, fourth = server.requests_to(EMBED)
    assert second.at - first.at >= 1.1
    assert fourth.at - third.at >= 1.1
