"""LlamaIndex's own ``query_engine/test_async_aquery_fallbacks.py``, for the query engine dovetail offers.

LlamaIndex checks that engines whose async path falls back to sync code (retry, FLARE, router, graph engines,
none of which dovetail offers) run it in a worker thread. The same promise holds for a ``CustomQueryEngine``
that implements only ``custom_query``: ``aquery`` returns its answer and does not block the event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time

from dovetail.core.query_engine import CustomQueryEngine
from dovetail.core.response_synthesizers import Response


class SlowEngine(CustomQueryEngine):
    """Answers after blocking for 50 ms, recording the thread it ran on."""

    threads: list[int] = []

    def custom_query(self, query_str: str) -> str:
        self.threads.append(threading.get_ident())
        time.sleep(0.05)
        return f"answer to {query_str}"


async def test_aquery_returns_what_the_sync_method_returns() -> None:
    result = await SlowEngine().aquery("q")
    assert isinstance(result, Response)
    assert str(result) == "answer to q"


async def test_aquery_does_not_block_event_loop() -> None:
    engine = SlowEngine()
    ran: list[bool] = []

    async def background() -> None:
        await asyncio.sleep(0.01)
        ran.append(True)

    task = asyncio.create_task(background())
    await asyncio.sleep(0)
    await engine.aquery("q")
    assert ran == [True]  # the background task ran while the engine was blocking
    await task
    assert engine.threads[-1] != threading.get_ident()
