"""gather_bounded: order, the bound on work in flight, and cancellation of the rest on the first failure."""

from __future__ import annotations

import asyncio
import contextvars
from functools import partial

import pytest
from dovetail.core.concurrency import gather_bounded

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


async def test_results_keep_input_order_when_work_finishes_out_of_order() -> None:
    async def job(value: int) -> int:
        await asyncio.sleep(0.001 * (10 - value))
        return value * value

    assert await gather_bounded([partial(job, v) for v in range(10)], 3) == [v * v for v in range(10)]


async def test_never_more_than_the_bound_in_flight() -> None:
    active = peak = 0

    async def job() -> None:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.001)
        active -= 1

    await gather_bounded([job for _ in range(25)], 4)
    assert peak == 4


async def test_empty_input_and_a_bound_below_one() -> None:
    assert await gather_bounded([], 8) == []

    async def one() -> int:
        return 1

    assert await gather_bounded([one, one], 0) == [1, 1]


async def test_first_failure_cancels_the_rest_before_it_propagates() -> None:
    started: list[int] = []
    finished: list[int] = []

    async def job(value: int) -> int:
        started.append(value)
        if value == 1:
            raise ValueError("job 1 failed")
        await asyncio.sleep(0.05)
        finished.append(value)
        return value

    with pytest.raises(ValueError, match="job 1 failed"):
        await gather_bounded([partial(job, v) for v in range(6)], 2)
    await asyncio.sleep(0.1)
    assert finished == [], "a sibling finished after the caller saw the error"
    assert started == [0, 1], "a job started after the failure"


async def test_caller_context_reaches_every_job() -> None:
    REQUEST_ID.set("req-7")

    async def job() -> str:
        return REQUEST_ID.get()

    assert await gather_bounded([job, job, job], 2) == ["req-7"] * 3
