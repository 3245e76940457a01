"""Check that async code runs blocking work off the event loop, without timing anything.

A test that counts loop "ticks" during a ``time.sleep`` fails whenever the machine is busy. :class:`LoopProgress`
proves the same thing by construction: the blocking code waits (in its worker thread) until the event loop has
run a few more times. If the code under test ran the blocking part on the loop's own thread, the loop could not
run, so :meth:`LoopProgress.wait` fails at once instead of deadlocking; when the loop is merely slow, the wait
takes longer but still passes.

Example:
    ```python
    from dovetail.core.testing.loop import LoopProgress

    async def test_aquery_runs_in_a_thread() -> None:
        async with LoopProgress() as progress:
            store = SlowStore(pause=progress.wait)  # ``query`` calls ``pause()`` where it would block
            await store.aquery(query)
    ```
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType

__all__ = ["LoopProgress"]


class LoopProgress:
    """A ticker task on the running event loop that blocking code can wait on.

    Args:
        ticks: how many loop iterations :meth:`wait` waits for by default.
        timeout: seconds :meth:`wait` waits at most (generous: only a blocked loop ever reaches it).
    """

    def __init__(self, ticks: int = 3, timeout: float = 30.0) -> None:
        self.ticks = ticks
        self.timeout = timeout
        self.count = 0
        self.waits = 0
        self._changed = threading.Condition()
        self._loop_thread: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopProgress:
        self._loop_thread = threading.get_ident()
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)  # let the ticker start
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(0.001)
            with self._changed:
                self.count += 1
                self._changed.notify_all()

    def wait(self, ticks: int | None = None) -> None:
        """Block until the event loop has run ``ticks`` more iterations (call it from the code under test).

        Raises:
            AssertionError: called on the event loop's own thread (the code under test blocks the loop), or the
                loop did not advance within ``timeout`` seconds.
        """
        if threading.get_ident() == self._loop_thread:
            msg = "blocking code ran on the event loop's thread: the async path does not hand it to a worker thread"
            raise AssertionError(msg)
        wanted = ticks if ticks is not None else self.ticks
        with self._changed:
            target = self.count + wanted
            advanced = self._changed.wait_for(lambda: self.count >= target, self.timeout)
            self.waits += 1
        if not advanced:
            msg = f"the event loop did not run {wanted} iterations within {self.timeout:g} s while code blocked"
            raise AssertionError(msg)
