"""``LoopProgress``: passes when blocking work runs off the loop, fails at once when it runs on it."""

from __future__ import annotations

import asyncio

import pytest
from dovetail.core.testing.loop import LoopProgress


async def test_wait_in_a_worker_thread_returns_after_the_loop_ran() -> None:
    async with LoopProgress(ticks=5) as progress:
        before = progress.count
        await asyncio.to_thread(progress.wait)
        assert progress.count >= before + 5
    assert progress.waits == 1


async def test_wait_on_the_loop_thread_fails_at_once() -> None:
    async with LoopProgress() as progress:
        with pytest.raises(AssertionError, match="event loop's thread"):
            progress.wait()


async def test_wait_fails_when_the_loop_does_not_advance() -> None:
    progress = LoopProgress(timeout=0.05)
    async with progress:
        pass  # the ticker is stopped: nothing advances the count any more
    with pytest.raises(AssertionError, match="did not run 3 iterations"):
        await asyncio.to_thread(progress.wait)
