"""Run blocking work off the event loop without losing the callback context, and bound fan-out."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import Executor, Future
from typing import Any, ParamSpec, TypeVar

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
    """Await the given thunks with at most ``max_concurrency`` in flight; results keep the input order."""
    semaphore = asyncio.Semaphore(max(1, max_concurrency))

    async def _one(thunk: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await thunk()

    return list(await asyncio.gather(*(_one(thunk) for thunk in awaitables)))
