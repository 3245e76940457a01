"""A rate limiter for tests: lets every request through at once and records what it was asked for."""

from __future__ import annotations

from dovetail.core.rate_limiter import BaseRateLimiter

__all__ = ["RecordingRateLimiter"]


class RecordingRateLimiter(BaseRateLimiter):
    """Never waits; :attr:`sync_calls` and :attr:`async_calls` hold the ``num_tokens`` of each acquire.

    Args:
        counts_tokens: what :attr:`counts_tokens` says (callers pass ``0`` tokens when it is ``False``).
    """

    def __init__(self, *, counts_tokens: bool = True) -> None:
        self._counts_tokens = counts_tokens
        self.sync_calls: list[int] = []
        self.async_calls: list[int] = []

    @property
    def counts_tokens(self) -> bool:
        """As given."""
        return self._counts_tokens

    @property
    def calls(self) -> list[int]:
        """Every acquire, sync then async."""
        return [*self.sync_calls, *self.async_calls]

    def acquire(self, num_tokens: int = 0) -> None:
        """Record and return at once."""
        self.sync_calls.append(num_tokens)

    async def async_acquire(self, num_tokens: int = 0) -> None:
        """Record and return at once."""
        self.async_calls.append(num_tokens)
