"""Checkpoints of an async pipeline run: serialised, and never abandoned half-way by a cancellation.

A checkpoint runs in a worker thread (persisting is blocking file I/O). Cancelling the task that awaits it
cannot stop the thread, so :func:`finish_shielded` keeps awaiting the thread's work and only then lets the
cancellation through: when ``arun`` has raised ``CancelledError``, no checkpoint of it is still writing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["finish_shielded"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


async def finish_shielded(work: Awaitable[T]) -> T:
    """Await ``work``; if the caller is cancelled meanwhile, wait for ``work`` to end, then re-raise."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        while not task.done():
            try:
                await asyncio.wait({task})
            except asyncio.CancelledError:
                continue  # cancelled again: the thread still runs, keep waiting for it
        if not task.cancelled() and task.exception() is not None:
            logger.warning("checkpoint failed while the run was being cancelled: %r", task.exception())
        raise
