"""Run blocking work off the event loop without losing the callback context, and bound fan-out."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterable
from concurrent.futures import Executor
from concurrent.futures import Future
from typing import Any
from typing import ParamSpec
from typing import TypeVar

__all__ = ["gather_bounded", "run_in_thread", "submit_in_context"]

P = ParamSpec("P")
T = TypeVar("T")


async def run_in_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking ``fn`` in a worker thread with the caller's contextvars (trace/span ids) intact."""
    return await asyncio.to_thread(fn, *args, **kwargs)


def submit_in_context(executor: Executor, fn: Callable[..., T], *args: Any) -> Future[T]:
    """``executor.submit`` that runs ``fn`` inside a copy of the current context."""
    context = contextvars.copy_context()
    return executor.submit(context.run, fn, *args)


async def gather_bounded(awaitables: Iterable[Callable[[], Awaitable[T]]], max_concurrency: int) -> list[T]:
    """Await the given thunks with at most ``max_concurrency`` in flight; results keep the input order.

    ``max_concurrency`` workers take the thunks in order (no task per thunk). When one fails, the others are
    cancelled and awaited before its exception propagates, so nothing keeps running behind the caller's back.
    """
    thunks = list(awaitables)
    results: list[Any] = [None] * len(thunks)
    order = iter(range(len(thunks)))

    async def worker() -> None:
        for index in order:
            results[index] = await thunks[index]()

    workers = [asyncio.ensure_future(worker()) for _ in range(min(max(1, max_concurrency), len(thunks)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return results
