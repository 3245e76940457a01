"""Overlap splitting with embedding: the next items of an iterator are computed in a worker thread meanwhile.

The pipeline transforms a document (reading its parts, splitting) and then embeds its texts. A local model spends
most of a call inside onnxruntime, which releases the GIL, so the splitter of the next document can run at the
same time on a spare core. :func:`prefetched` runs the producing iterator in one worker thread, at most ``depth``
items ahead, in the caller's context (callbacks keep their trace ids); an exception raised by the producer
reaches the consumer at the position where it happened, so error handling keeps its order.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Generator
from collections.abc import Iterator
from typing import TypeVar

__all__ = ["prefetched"]

T = TypeVar("T")

_DONE = object()


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(items: Iterator[T], depth: int = 1) -> Generator[T, None, None]:
    """Yield the items of ``items`` in order while a worker thread computes up to ``depth`` of the next ones."""
    slots: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there in order
            slots.put(_Failure(exc))

    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(produce,), name="dovetail-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting for a free slot, then let it finish its item
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.1)
