"""Rate limiters for LLM and embedding calls (LlamaIndex's ``llama_index.core.rate_limiter``).

Give one limiter to every model that uses the same provider account, and they share one budget:

Example:
    ```python
    from dovetail.core.rate_limiter import TokenBucketRateLimiter

    limiter = TokenBucketRateLimiter(requests_per_minute=30, tokens_per_minute=60_000)
    llm = OpenAI(model="gpt-4o-mini", rate_limiter=limiter)
    embed_model = OpenAIEmbedding(rate_limiter=limiter)
    ```

Every ``LLM`` call method (``chat``, ``complete``, their streaming and async forms) and every provider call of a
``BaseEmbedding`` (one per batch of ``embed_batch_size`` texts, one per single query or text) first takes one
request from the limiter, with the estimated input tokens of that call (counted by the global tokenizer, and only
when the limiter counts tokens). A call that finds the budget spent waits (``time.sleep`` in sync code,
``asyncio.sleep`` in async code) instead of failing with the provider's 429.

A limiter's budget lives in its process: a copy sent to another process (Ray workers, multiprocessing) starts with
a full budget of its own.
"""

from __future__ import annotations

import asyncio
import threading
import time
from abc import ABC
from abc import abstractmethod
from typing import Any

from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PrivateAttr

__all__ = ["BaseRateLimiter", "RateLimiter", "TokenBucketRateLimiter", "estimate_tokens"]


class BaseRateLimiter(ABC):
    """What ``rate_limiter=`` of an LLM or embedding model takes: wait until one request may be sent.

    Subclass it for another strategy (a budget shared through Redis, a fixed concurrency cap, ...).
    """

    @property
    def counts_tokens(self) -> bool:
        """Whether :meth:`acquire` uses ``num_tokens``; when ``False`` callers skip counting them."""
        return True

    @abstractmethod
    def acquire(self, num_tokens: int = 0) -> None:
        """Block until one request of about ``num_tokens`` input tokens may be sent."""

    @abstractmethod
    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Wait, without blocking the event loop, until one request of about ``num_tokens`` tokens may be sent."""


class TokenBucketRateLimiter(BaseRateLimiter, KeywordCheckedModel):
    """A requests-per-minute and tokens-per-minute budget, refilled continuously.

    Both buckets start full, so a burst of up to the per-minute limits goes through at once; after that, requests
    are let through at the sustained rate. A request whose tokens exceed ``tokens_per_minute`` on its own waits
    for a full bucket and then goes through, leaving the bucket in debt (the next requests wait longer); it is
    never refused and never waits forever.

    Args:
        requests_per_minute: requests allowed per minute (``None``: requests are not limited).
        tokens_per_minute: input tokens allowed per minute (``None``: tokens are not counted).
    """

    model_config = ConfigDict(frozen=True)

    requests_per_minute: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    tokens_per_minute: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _requests: float = PrivateAttr(default=0.0)
    _tokens: float = PrivateAttr(default=0.0)
    _refilled_at: float = PrivateAttr(default=0.0)

    def model_post_init(self, context: Any, /) -> None:
        """Start with both buckets full."""
        self._requests = self.requests_per_minute or 0.0
        self._tokens = self.tokens_per_minute or 0.0
        self._refilled_at = time.monotonic()

    @property
    def counts_tokens(self) -> bool:
        """Whether a token budget is set."""
        return self.tokens_per_minute is not None

    def acquire(self, num_tokens: int = 0) -> None:
        """Block until one request of ``num_tokens`` tokens fits the budget, then take it."""
        while (wait := self._take_or_wait(num_tokens)) > 0:
            time.sleep(wait)

    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Async :meth:`acquire`: sleeps on the event loop."""
        while True:
            wait = self._take_or_wait(num_tokens)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _take_or_wait(self, num_tokens: int) -> float:
        """Take one request now and return 0, or return the seconds until it would fit."""
        tokens = max(0, num_tokens) if self.tokens_per_minute is not None else 0
        with self._lock:
            now = time.monotonic()
            elapsed, self._refilled_at = now - self._refilled_at, now
            wait = 0.0
            if self.requests_per_minute is not None:
                self._requests = min(self.requests_per_minute, self._requests + elapsed * self.requests_per_minute / 60)
                wait = _seconds_until(1.0, self._requests, self.requests_per_minute)
            if self.tokens_per_minute is not None and tokens:
                needed = min(tokens, self.tokens_per_minute)  # more than a minute's budget: wait for a full bucket
                self._tokens = min(self.tokens_per_minute, self._tokens + elapsed * self.tokens_per_minute / 60)
                wait = max(wait, _seconds_until(needed, self._tokens, self.tokens_per_minute))
            if wait > 0:
                return wait
            if self.requests_per_minute is not None:
                self._requests -= 1.0
            if self.tokens_per_minute is not None:
                self._tokens -= tokens
            return 0.0

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private.pop("_lock", None)
        return {**state, "__pydantic_private__": private}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        object.__setattr__(
            self, "__pydantic_private__", {**(self.__pydantic_private__ or {}), "_lock": threading.Lock()}
        )
        self.model_post_init(None)  # a copy in another process starts with full buckets


def _seconds_until(needed: float, have: float, per_minute: float) -> float:
    """Seconds of refill at ``per_minute`` until ``have`` reaches ``needed`` (0 when it already has)."""
    if have >= needed:
        return 0.0
    return max((needed - have) * 60 / per_minute, 1e-3)


RateLimiter = TokenBucketRateLimiter
"""LlamaIndex's older name of :class:`TokenBucketRateLimiter`."""


def estimate_tokens(texts: list[str]) -> int:
    """Input tokens of ``texts`` by the global tokenizer (what a limiter that counts tokens is given)."""
    from dovetail.core.tokenizers import fast_batch_counter
    from dovetail.core.tokenizers import get_tokenizer

    return sum(fast_batch_counter(get_tokenizer())([text for text in texts if text]))
