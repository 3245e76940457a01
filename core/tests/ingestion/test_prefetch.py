"""The next documents are split in a worker thread while the current ones are embedded, in order, errors in place."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from functools import partial

import pytest
from dovetail.core.ingestion._prefetch import prefetched


def test_items_in_order_and_the_producer_runs_ahead() -> None:
    produced: list[int] = []
    ahead = threading.Condition()

    def source() -> Iterator[int]:
        for number in range(5):
            with ahead:
                produced.append(number)
                ahead.notify_all()
            yield number

    seen = []
    for item in prefetched(source()):
        seen.append(item)
        if item < 4:  # the next item is made while this one is being handled
            with ahead:
                assert ahead.wait_for(partial(_more_than, produced, item + 1), timeout=5)
    assert seen == [0, 1, 2, 3, 4]


def _more_than(items: list[int], count: int) -> bool:
    return len(items) > count


def test_an_error_arrives_after_the_items_before_it() -> None:
    def source() -> Iterator[int]:
        yield 1
        yield 2
        raise RuntimeError("cannot split document 3")

    items = prefetched(source())
    assert [next(items), next(items)] == [1, 2]
    with pytest.raises(RuntimeError, match="document 3"):
        next(items)


def test_stopping_early_stops_the_worker() -> None:
    made = []

    def source() -> Iterator[int]:
        for number in range(1000):
            made.append(number)
            yield number

    items = prefetched(source())
    assert next(items) == 0
    items.close()
    count = len(made)
    time.sleep(0.2)
    assert len(made) == count <= 3
    assert not any(t.name == "dovetail-prefetch" and t.is_alive() for t in threading.enumerate())
