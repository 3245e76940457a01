"""Reads that break or stall: resumed by ``_id`` through the shared retry policy, bounded by socket timeouts.

The faults come from a TCP proxy in front of secantusdb (``tcp_proxy.py``) that cuts a connection in the middle
of a read or swallows a ``find`` so the server never answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.retry import RetryPolicy
from dovetail.readers.mongodb import SimpleMongoReader

from .tcp_proxy import FIND
from .tcp_proxy import GET_MORE
from .tcp_proxy import StallingProxy

pytestmark = pytest.mark.integration

FAST = RetryPolicy(max_retries=3, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def proxy(mongo_uri: str, corpus: list[dict[str, Any]]) -> Iterator[StallingProxy]:
    port = urlsplit(mongo_uri).port
    assert port is not None
    with StallingProxy(port) as started:
        yield started


def _titles_ids(corpus: list[dict[str, Any]]) -> list[str]:
    return sorted(str(doc["_id"]) for doc in corpus)


def test_a_read_cut_midway_resumes_after_the_last_id(proxy: StallingProxy, corpus: list[dict[str, Any]]) -> None:
    proxy.drop_on(GET_MORE, 3)
    with SimpleMongoReader(uri=proxy.uri, retry_policy=FAST) as reader:
        docs = reader.load_data("library", "corpus", field_names=["title"], batch_size=500)
    ids = [doc.id_ for doc in docs]
    assert len(ids) == len(set(ids)), "no document twice"
    assert ids == _titles_ids(corpus), "no document lost, in _id order"
    assert proxy.count(FIND) == 2, "the read was resumed once, with a new find"


def test_a_resumed_read_keeps_max_docs(proxy: StallingProxy, corpus: list[dict[str, Any]]) -> None:
    proxy.drop_on(GET_MORE, 1)
    with SimpleMongoReader(uri=proxy.uri, retry_policy=FAST) as reader:
        docs = reader.load_data(
            "library", "corpus", field_names=["title"], batch_size=40, max_docs=100, on_missing="error"
        )
    assert [doc.id_ for doc in docs] == _titles_ids(corpus)[:100]


async def test_async_read_cut_midway_resumes(proxy: StallingProxy, corpus: list[dict[str, Any]]) -> None:
    proxy.drop_on(GET_MORE, 2)
    with SimpleMongoReader(uri=proxy.uri, retry_policy=FAST) as reader:
        docs = await reader.aload_data("library", "corpus", field_names=["title"], batch_size=1000)
    assert [doc.id_ for doc in docs] == _titles_ids(corpus)
    assert proxy.count(FIND) == 2


def test_without_retries_the_cut_is_a_typed_error(proxy: StallingProxy) -> None:
    proxy.drop_on(GET_MORE, 1)
    with SimpleMongoReader(uri=proxy.uri, max_retries=0) as reader, pytest.raises(ProviderConnectionError):
        reader.load_data("library", "corpus", field_names=["title"], batch_size=100)


def test_a_stalled_find_times_out_instead_of_hanging(proxy: StallingProxy) -> None:
    reader = SimpleMongoReader(uri=proxy.uri, socket_timeout_ms=400, max_retries=1)
    reader.load_data("library", "small")  # connected and healthy first
    proxy.stall_on(FIND)
    outcome: list[BaseException | int] = []

    def load() -> None:
        try:
            outcome.append(len(reader.load_data("library", "corpus", field_names=["title"])))
        except BaseException as exc:
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=10)
    elapsed = time.monotonic() - started
    proxy.close()  # frees a hung reader on code without the timeout
    worker.join(timeout=10)
    reader.close()
    assert elapsed < 10, "load_data hung on a stalled server"
    assert len(outcome) == 1
    assert isinstance(outcome[0], ProviderTimeoutError), outcome[0]
    assert proxy.count(FIND) >= 3, "the stalled read was retried once (2 finds after the healthy one)"


def test_timeouts_are_on_by_default_and_configurable() -> None:
    from pymongo import MongoClient

    defaults = SimpleMongoReader(uri="mongodb://127.0.0.1:1")._client_options()
    assert defaults["socketTimeoutMS"] == 30_000
    assert "timeoutMS" not in defaults
    custom = SimpleMongoReader(uri="mongodb://127.0.0.1:1", socket_timeout_ms=1500, timeout_ms=9000)._client_options()
    with MongoClient("mongodb://127.0.0.1:1", connect=False, **custom) as client:
        assert client.options.pool_options.socket_timeout == 1.5
        assert client.options.timeout == 9.0
    in_uri = SimpleMongoReader(uri="mongodb://127.0.0.1:1/?socketTimeoutMS=5")._client_options()
    assert "socketTimeoutMS" not in in_uri, "the URI's own setting wins"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"socket_timeout_ms": 0}, "socket_timeout_ms must be a positive integer"),
        ({"timeout_ms": -5}, "timeout_ms must be a positive integer"),
        ({"max_retries": 11}, "max_retries must be an integer from 0 to 10"),
        ({"retry_policy": 3}, "retry_policy must be a dovetail.core.retry.RetryPolicy"),
    ],
)
def test_bad_timeouts_fail_when_the_reader_is_built(kwargs: dict[str, Any], match: str) -> None:
    from dovetail.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match=match):
        SimpleMongoReader(uri="mongodb://127.0.0.1:1", **kwargs)
