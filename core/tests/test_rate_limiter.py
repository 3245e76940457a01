"""Rate limiters: the token bucket's budget, and the LLM and embedding calls that wait for it."""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Callable

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.embeddings import SimpleKVCache
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import MockLLM
from dovetail.core.rate_limiter import RateLimiter
from dovetail.core.rate_limiter import TokenBucketRateLimiter
from dovetail.core.rate_limiter import estimate_tokens
from dovetail.core.testing.rate_limits import RecordingRateLimiter
from pydantic import ValidationError


def _elapsed(fn: Callable[..., object], *args: object) -> float:
    started = time.monotonic()
    fn(*args)
    return time.monotonic() - started


def _repeat(fn: Callable[[], object], times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            fn()

    return run


# ---- the token bucket --------------------------------------------------------------------------------------


def test_a_full_request_bucket_lets_a_burst_through_then_spaces_requests() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)  # one per 0.5 s after the burst
    burst = _elapsed(_repeat(limiter.acquire, 120))
    assert burst < 0.2
    spaced = _elapsed(_repeat(limiter.acquire, 2))
    assert spaced >= 1.0 - burst - 0.05


def test_the_token_bucket_waits_for_the_tokens_a_request_needs() -> None:
    limiter = TokenBucketRateLimiter(tokens_per_minute=6000)  # 100 tokens per second
    assert _elapsed(limiter.acquire, 6000) < 0.5  # the whole minute's budget at once
    assert _elapsed(limiter.acquire, 30) >= 0.3 * 0.9
    assert _elapsed(limiter.acquire, 0) < 0.05  # no tokens asked: no token budget needed


def test_a_request_larger_than_the_minute_budget_goes_through_and_leaves_a_debt() -> None:
    limiter = TokenBucketRateLimiter(tokens_per_minute=600)
    assert _elapsed(limiter.acquire, 10_000) < 0.5  # a full bucket lets it through instead of waiting forever

    async def next_request() -> None:
        await asyncio.wait_for(limiter.async_acquire(1), timeout=0.3)

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(next_request())  # the debt of 9,400 tokens is paid back before anything else goes


def test_async_acquire_waits_without_blocking_the_event_loop() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=600)  # one per 0.1 s after the burst
    acquired = False
    seen_while_waiting: list[bool] = []

    async def watcher() -> None:
        seen_while_waiting.append(acquired)

    async def main() -> float:
        nonlocal acquired
        for _ in range(600):
            await limiter.async_acquire()
        task = asyncio.create_task(watcher())
        started = time.monotonic()
        await limiter.async_acquire()
        acquired = True
        await task
        return time.monotonic() - started

    assert asyncio.run(main()) >= 0.1 * 0.9
    assert seen_while_waiting == [False]  # the other task ran during the wait: the loop was not blocked


def test_requests_and_tokens_are_both_limited() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=6000, tokens_per_minute=60)  # 1 token per second
    limiter.acquire(60)
    assert _elapsed(limiter.acquire, 0) < 0.05  # requests are plenty
    assert _elapsed(limiter.acquire, 1) >= 0.9 * 0.9  # tokens are not


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "fast"])
def test_a_limit_that_is_not_a_positive_number_is_refused(value: object) -> None:
    with pytest.raises(ValidationError):
        TokenBucketRateLimiter(requests_per_minute=value)


def test_a_misspelt_keyword_names_the_right_one() -> None:
    with pytest.raises(TypeError, match="requests_per_minute"):
        TokenBucketRateLimiter(request_per_minute=10)


def test_limits_cannot_change_under_a_running_bucket() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=10)
    with pytest.raises(ValidationError):
        limiter.requests_per_minute = 100  # type: ignore[misc]


def test_a_pickled_copy_has_its_own_full_budget() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)
    for _ in range(120):
        limiter.acquire()
    copy = pickle.loads(pickle.dumps(limiter))
    assert copy.requests_per_minute == limiter.requests_per_minute
    assert _elapsed(_repeat(copy.acquire, 120)) < 0.2
    assert _elapsed(limiter.acquire) >= 0.25  # the original's budget is still spent


def test_rate_limiter_is_llama_index_s_older_name() -> None:
    assert RateLimiter is TokenBucketRateLimiter
    assert TokenBucketRateLimiter().counts_tokens is False
    assert TokenBucketRateLimiter(tokens_per_minute=10).counts_tokens is True


# ---- LLM calls ---------------------------------------------------------------------------------------------


def test_every_llm_call_method_takes_one_request_with_its_input_tokens() -> None:
    limiter = RecordingRateLimiter()
    llm = MockLLM(rate_limiter=limiter)
    prompt = "How is a dovetail joint cut by hand?"
    messages = [ChatMessage(role="user", content=prompt)]
    llm.complete(prompt)
    llm.chat(messages)
    list(llm.stream_complete(prompt))
    list(llm.stream_chat(messages))
    expected = estimate_tokens([prompt])
    assert expected > 0
    assert limiter.sync_calls == [expected] * 4  # chat delegating to complete takes no second request

    async def run_async() -> None:
        await llm.acomplete(prompt)
        await llm.achat(messages)
        async for _ in await llm.astream_complete(prompt):
            pass
        async for _ in await llm.astream_chat(messages):
            pass

    asyncio.run(run_async())
    assert limiter.async_calls == [expected] * 4
    assert len(limiter.sync_calls) == 4  # the async methods never block on the sync acquire


def test_a_refused_request_takes_nothing_from_the_limiter() -> None:
    limiter = RecordingRateLimiter()
    with pytest.raises(InvalidInputError, match="context window"):
        MockLLM(rate_limiter=limiter).complete("x", max_tokens=10**9)
    assert limiter.sync_calls == []


def test_a_limiter_that_does_not_count_tokens_is_asked_for_zero() -> None:
    limiter = RecordingRateLimiter(counts_tokens=False)
    MockLLM(rate_limiter=limiter).complete("several words of prompt")
    assert limiter.sync_calls == [0]


def test_an_llm_waits_for_a_spent_budget() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)  # one per 0.5 s after the burst
    llm = MockLLM(rate_limiter=limiter)
    for _ in range(120):
        limiter.acquire()
    assert _elapsed(llm.complete, "one more") >= 0.25


def test_the_limiter_stays_out_of_the_llm_s_serialised_form() -> None:
    llm = MockLLM(rate_limiter=TokenBucketRateLimiter(requests_per_minute=5))
    assert "rate_limiter" not in llm.model_dump()
    assert "rate_limiter" not in repr(llm)


# ---- embedding calls ---------------------------------------------------------------------------------------


def test_each_embedding_batch_takes_one_request_and_cached_texts_take_none() -> None:
    limiter = RecordingRateLimiter()
    model = MockEmbedding(embed_dim=4, embed_batch_size=2, rate_limiter=limiter, embeddings_cache=SimpleKVCache())
    texts = ["oak", "pine joint", "walnut", "cherry", "ash"]
    model.get_text_embedding_batch(texts)
    assert limiter.sync_calls == [estimate_tokens(texts[0:2]), estimate_tokens(texts[2:4]), estimate_tokens(texts[4:])]
    model.get_text_embedding_batch(texts)  # all cached now
    model.get_text_embedding("oak")
    assert len(limiter.sync_calls) == 3
    model.get_query_embedding("which wood?")
    assert limiter.sync_calls[-1] == estimate_tokens(["which wood?"])


def test_async_embedding_batches_take_their_requests_asynchronously() -> None:
    limiter = RecordingRateLimiter()
    model = MockEmbedding(embed_dim=4, embed_batch_size=2, rate_limiter=limiter)
    asyncio.run(model.aget_text_embedding_batch(["a b", "c", "d e f"]))
    asyncio.run(model.aget_query_embedding("g"))
    assert sorted(limiter.async_calls) == sorted(
        [estimate_tokens(["a b", "c"]), estimate_tokens(["d e f"]), estimate_tokens(["g"])]
    )
    assert limiter.sync_calls == []


def test_a_shared_limiter_is_one_budget_for_llm_and_embedding() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)  # one per 0.5 s after the burst
    llm, model = MockLLM(rate_limiter=limiter), MockEmbedding(embed_dim=4, rate_limiter=limiter)
    for _ in range(60):
        llm.complete("x")
    for _ in range(60):
        model.get_query_embedding("y")
    assert _elapsed(llm.complete, "z") >= 0.25


def test_an_embedding_rate_limiter_must_be_a_rate_limiter() -> None:
    with pytest.raises(ValidationError):
        MockEmbedding(embed_dim=4, rate_limiter="30/min")


def test_a_cancelled_wait_takes_nothing_from_the_budget() -> None:
    limiter = TokenBucketRateLimiter(requests_per_minute=120)  # one per 0.5 s after the burst
    for _ in range(120):
        limiter.acquire()

    async def give_up() -> None:
        await asyncio.wait_for(limiter.async_acquire(), timeout=0.05)

    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(give_up())
    # Had the cancelled wait taken its request, the next one would wait for a second one to refill (~1 s).
    assert _elapsed(limiter.acquire) < 0.75
