"""Stream wrappers that keep an LLM event open until the stream is exhausted, closed or fails.

Each pull runs with the LLM event as the current event, so events started by the provider's stream nest under
it, also when the sync stream is pulled in a worker thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from collections.abc import AsyncIterator
from collections.abc import Generator
from collections.abc import Iterator
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

__all__ = ["EventAsyncStream", "EventStream", "StreamCall"]

R = TypeVar("R")
S = TypeVar("S")


class StreamCall(Protocol):
    """What a stream wrapper needs from the call that produced it."""

    def enter(self) -> Any:
        """Make the call's event current; returns tokens for ``exit``."""

    def exit(self, tokens: Any) -> None:
        """Undo ``enter``."""

    def finish(self, response: Any, error: BaseException | None = None) -> None:
        """End the call's event with the final response (idempotent)."""


def _as_exception(typ: Any, val: Any) -> BaseException:
    if isinstance(val, BaseException):
        return val
    if isinstance(typ, BaseException):
        return typ
    return typ() if val is None else typ(val)  # type: ignore[no-any-return]


class _EventEnd(Generic[S, R]):
    """The part both stream wrappers share: the source, the last chunk, and ending the event exactly once."""

    def __init__(self, source: S, call: StreamCall) -> None:
        self._source = source
        self._call = call
        self._last: R | None = None
        self._done = False

    def _finish(self, error: BaseException | None = None) -> None:
        if not self._done:
            self._done = True
            self._call.finish(self._last, error)

    def __del__(self) -> None:
        if not getattr(self, "_done", True):
            with contextlib.suppress(Exception):  # never raise from a finalizer
                self._finish()


class EventStream(_EventEnd[Iterator[R], R], Generator[R, None, None]):
    """A generator that ends the call's event with the last chunk when the source is done."""

    def send(self, value: None) -> R:
        """Pull the next chunk."""
        if self._done:
            raise StopIteration
        tokens = self._call.enter()
        try:
            item = next(self._source)
        except StopIteration:
            self._finish()
            raise
        except BaseException as exc:
            self._finish(exc)
            raise
        finally:
            self._call.exit(tokens)
        self._last = item
        return item

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> R:
        """Raise inside the stream: the source is closed and the event ends with the error."""
        error = _as_exception(typ, val)
        try:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
        finally:
            self._finish(error)
        raise error

    def close(self) -> None:
        """Stop early: close the source and end the event with what was received so far."""
        if self._done:
            return
        try:
            close = getattr(self._source, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()


class EventAsyncStream(_EventEnd[AsyncIterator[R], R], AsyncGenerator[R, None]):
    """An async generator that ends the call's event with the last chunk when the source is done."""

    async def asend(self, value: None) -> R:
        """Pull the next chunk."""
        if self._done:
            raise StopAsyncIteration
        tokens = self._call.enter()
        try:
            item = await self._source.__anext__()
        except StopAsyncIteration:
            self._finish()
            raise
        except BaseException as exc:
            self._finish(exc)
            raise
        finally:
            self._call.exit(tokens)
        self._last = item
        return item

    async def athrow(self, typ: Any, val: Any = None, tb: Any = None) -> R:
        """Raise inside the stream: the source is closed and the event ends with the error."""
        error = _as_exception(typ, val)
        try:
            aclose = getattr(self._source, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            self._finish(error)
        raise error

    async def aclose(self) -> None:
        """Stop early: close the source and end the event with what was received so far."""
        if self._done:
            return
        try:
            aclose = getattr(self._source, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            self._finish()
