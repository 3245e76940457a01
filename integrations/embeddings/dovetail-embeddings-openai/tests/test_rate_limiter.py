"""One rate limiter shared by the OpenAI LLM and embedding model: its budget is what reaches the server."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from dovetail.core.rate_limiter import TokenBucketRateLimiter
from dovetail.embeddings.openai import OpenAIEmbedding
from dovetail.llms.openai import OpenAI

# The tests here talk to the loopback OpenAI-compatible server over real HTTP.
pytestmark = pytest.mark.integration


def _spent(limiter: TokenBucketRateLimiter, requests: int) -> None:
    for _ in range(requests):
        limiter.acquire()


def test_a_shared_budget_spaces_the_requests_that_reach_the_server(server: Any) -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)  # one per 0.5 s once the burst is spent
    llm = OpenAI(api_key="k", api_base=server.base_url, rate_limiter=limiter)
    embed_model = OpenAIEmbedding(api_key="k", api_base=server.base_url, rate_limiter=limiter, embed_batch_size=2)
    with llm, embed_model:
        assert llm.complete("first").text == "echo: first"
        _spent(limiter, 120)  # the rest of the burst (and what refilled meanwhile)
        started = time.monotonic()
        vectors = embed_model.get_text_embedding_batch(["oak", "pine", "ash"])  # two requests: two waits
        waited = time.monotonic() - started
    assert len(vectors) == 3
    assert waited >= 0.8
    assert len(server.requests_to("/v1/chat/completions")) == 1
    assert len(server.requests_to("/v1/embeddings")) == 2


def test_async_calls_wait_for_the_budget(server: Any) -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)
    llm = OpenAI(api_key="k", api_base=server.base_url, rate_limiter=limiter)
    _spent(limiter, 120)

    async def main() -> float:
        started = time.monotonic()
        async with llm:
            answer = await llm.acomplete("later")
        assert answer.text == "echo: later"
        return time.monotonic() - started

    assert asyncio.run(main()) >= 0.3  # the budget was spent: the call waited (on the loop: core's tests prove it)
    assert len(server.requests_to("/v1/chat/completions")) == 1


def test_a_token_budget_counts_the_prompt(server: Any) -> None:
    limiter = TokenBucketRateLimiter(tokens_per_minute=600)  # 10 tokens per second
    llm = OpenAI(api_key="k", api_base=server.base_url, rate_limiter=limiter)
    limiter.acquire(600)
    started = time.monotonic()
    with llm:
        llm.complete("five words in this prompt")  # about five tokens: about half a second
    assert time.monotonic() - started >= 0.3
