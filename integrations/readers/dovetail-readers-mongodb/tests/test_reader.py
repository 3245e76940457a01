"""SimpleMongoReader against a real MongoDB wire-protocol server (secantusdb) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import socket
import time
import tracemalloc
import warnings
from collections.abc import Generator
from collections.abc import Iterator
from typing import Any

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.schema import Document
from dovetail.readers.mongodb import SimpleMongoReader

pytestmark = pytest.mark.integration


@pytest.fixture
def reader(mongo_uri: str, corpus: list[dict[str, Any]]) -> Iterator[SimpleMongoReader]:
    with SimpleMongoReader(uri=mongo_uri) as mongo_reader:
        yield mongo_reader


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def _with_body(corpus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc for doc in corpus if "body" in doc]


def test_loads_all_10k_documents_with_object_ids(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    docs = reader.load_data("library", "corpus", field_names=["title"], metadata_names=["n"])
    assert len(docs) == len(corpus) == 10_000
    assert {doc.id_ for doc in docs} == {str(raw["_id"]) for raw in corpus}
    by_id = {str(raw["_id"]): raw for raw in corpus}
    sample = docs[1234]
    assert sample.text == by_id[sample.id_]["title"]
    assert sample.metadata == {"n": by_id[sample.id_]["n"]}


def test_missing_text_fields_are_skipped_and_logged(
    reader: SimpleMongoReader, corpus: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="dovetail.readers.mongodb"):
        docs = reader.load_data("library", "corpus", field_names=["title", "body"])
    expected = _with_body(corpus)
    assert len(docs) == len(expected) == 9_900
    assert "skipped 100" in caplog.text
    first = next(doc for doc in docs if doc.id_ == str(expected[0]["_id"]))
    assert first.text == f"{expected[0]['title']}\n{expected[0]['body']}"


def test_on_missing_error_and_empty(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    no_body = next(doc for doc in corpus if "body" not in doc)
    query = {"n": no_body["n"]}
    with pytest.raises(InvalidInputError, match="has no text field 'body'") as info:
        reader.load_data("library", "corpus", field_names=["body"], query_dict=query, on_missing="error")
    assert str(no_body["_id"]) in str(info.value)
    [doc] = reader.load_data("library", "corpus", field_names=["title", "body"], query_dict=query, on_missing="empty")
    assert doc.text == no_body["title"]


@pytest.mark.parametrize(
    ("query", "predicate"),
    [
        ({"n": {"$lt": 250}}, lambda d: d["n"] < 250),
        ({"category": "b", "author.age": {"$gte": 60}}, lambda d: d["category"] == "b" and d["author"]["age"] >= 60),
        ({"tags": "t3"}, lambda d: "t3" in d["tags"]),
        ({"$or": [{"n": 7}, {"n": {"$in": [11, 13]}}]}, lambda d: d["n"] in (7, 11, 13)),
        ({"n": {"$gt": 10**9}}, lambda d: False),
    ],
)
def test_filters(reader: SimpleMongoReader, corpus: list[dict[str, Any]], query: Any, predicate: Any) -> None:
    docs = reader.load_data("library", "corpus", field_names=["title"], query_dict=query)
    assert {doc.id_ for doc in docs} == {str(raw["_id"]) for raw in corpus if predicate(raw)}


def test_nested_fields_and_conversions(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    raw = corpus[42]
    [doc] = reader.load_data(
        "library",
        "corpus",
        field_names=["author.name", "chapters.0.title", "chapters.title", "tags"],
        separator=" | ",
        query_dict={"n": 42},
        metadata_names=["author.age", "created", "tags", "author"],
    )
    assert doc.text == f"{raw['author']['name']} | c42-1 | c42-1\nc42-2 | {raw['tags'][0]}\n{raw['tags'][1]}"
    assert doc.metadata == {
        "author.age": raw["author"]["age"],
        "created": raw["created"].isoformat(),
        "tags": f'["{raw["tags"][0]}","{raw["tags"][1]}"]',
        "author": f'{{"name":"{raw["author"]["name"]}","age":{raw["author"]["age"]}}}',
    }


def test_projection_is_sent_to_the_server(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    # The caller's projection wins: "n" is not projected, so it cannot reach the metadata.
    docs = reader.load_data(
        "library",
        "corpus",
        field_names=["title"],
        metadata_names=["n"],
        query_dict={"n": {"$lt": 3}},
        projection={"title": 1},
    )
    assert [doc.metadata for doc in docs] == [{}, {}, {}]
    # Excluding a text field server-side makes every document miss it.
    assert (
        reader.load_data(
            "library", "corpus", field_names=["title"], projection={"title": 0}, query_dict={"n": {"$lt": 50}}
        )
        == []
    )
    # List projections work too.
    docs = reader.load_data(
        "library", "corpus", field_names=["title"], metadata_names=["n"], max_docs=2, projection=["title", "n"]
    )
    assert [doc.metadata["n"] for doc in docs] == [0, 1]


def test_max_docs_and_batch_size(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    docs = reader.load_data("library", "corpus", field_names=["title"], max_docs=25, batch_size=7)
    assert [doc.id_ for doc in docs] == [str(raw["_id"]) for raw in corpus[:25]]
    # With on_missing="skip", skipped documents do not use up max_docs.
    docs = reader.load_data(
        "library", "corpus", field_names=["body"], query_dict={"n": {"$gte": 95}}, max_docs=10, batch_size=3
    )
    assert [doc.id_ for doc in docs] == [str(raw["_id"]) for raw in _with_body(corpus[95:])[:10]]
    assert len(reader.load_data("library", "corpus", field_names=["title"], max_docs=0)) == 10_000


@pytest.mark.slow
def test_lazy_load_streams_with_flat_memory(reader: SimpleMongoReader, corpus: list[dict[str, Any]]) -> None:
    kwargs: dict[str, Any] = {
        "field_names": ["title", "body"],
        "metadata_names": ["n", "author.name"],
        "batch_size": 200,
    }
    gc.collect()
    tracemalloc.start()
    try:
        count = 0
        for doc in reader.lazy_load_data("library", "corpus", **kwargs):
            assert isinstance(doc, Document)
            count += 1
        _, lazy_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        docs = reader.load_data("library", "corpus", **kwargs)
        _, eager_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == len(docs) == 9_900
    assert lazy_peak < 4 * 1024 * 1024, f"streaming 10k documents peaked at {lazy_peak / 1e6:.1f} MB"
    assert lazy_peak * 5 < eager_peak, f"lazy peak {lazy_peak / 1e6:.1f} MB vs eager {eager_peak / 1e6:.1f} MB"


def test_lazy_load_is_a_generator_that_validates_first(reader: SimpleMongoReader) -> None:
    iterator = reader.lazy_load_data("library", "small")
    assert isinstance(iterator, Generator)
    assert next(iterator).text == "small document 0"
    iterator.close()  # stopping early closes the server cursor without error
    with pytest.raises(InvalidInputError):
        reader.lazy_load_data("library", "small", field_names=[])  # raised at call time, not first next()


async def test_async_load_matches_sync(reader: SimpleMongoReader) -> None:
    kwargs: dict[str, Any] = {"field_names": ["title", "body"], "query_dict": {"n": {"$lt": 500}}, "batch_size": 64}
    expected = [(d.id_, d.text, d.metadata) for d in reader.load_data("library", "corpus", **kwargs)]
    loaded = await reader.aload_data("library", "corpus", **kwargs)
    streamed = [doc async for doc in reader.alazy_load_data("library", "corpus", **kwargs)]
    assert [(d.id_, d.text, d.metadata) for d in loaded] == expected
    assert [(d.id_, d.text, d.metadata) for d in streamed] == expected
    assert len(expected) == 495


class _RecordingExecutor(concurrent.futures.ThreadPoolExecutor):
    """Default executor that records what is run in worker threads."""

    def __init__(self) -> None:
        super().__init__(max_workers=2)
        self.calls: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}")
        return super().submit(fn, *args, **kwargs)


async def test_async_is_native_not_threads(reader: SimpleMongoReader) -> None:
    executor = _RecordingExecutor()
    asyncio.get_running_loop().set_default_executor(executor)
    docs = [doc async for doc in reader.alazy_load_data("library", "corpus", field_names=["title"], max_docs=300)]
    assert len(docs) == 300
    # A thread-based fallback would run one step per document in a worker thread; pymongo's async client only
    # resolves the server address there (getaddrinfo) when it opens its connections.
    assert len(executor.calls) < 10, executor.calls
    assert all("getaddrinfo" in call for call in executor.calls), executor.calls


async def test_async_with_caller_owned_client(mongo_uri: str, corpus: list[dict[str, Any]]) -> None:
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_uri)
    try:
        reader = SimpleMongoReader(uri=mongo_uri, async_client=client)
        assert len(await reader.aload_data("library", "small")) == 5
        assert len(await reader.aload_data("library", "small", max_docs=2)) == 2  # still open: not closed by us
    finally:
        await client.close()


def test_caller_owned_sync_client_is_not_closed(mongo_uri: str, mongo_client: Any, corpus: Any) -> None:
    reader = SimpleMongoReader(uri=mongo_uri, client=mongo_client)
    assert len(reader.load_data("library", "small")) == 5
    reader.close()
    assert mongo_client["library"]["small"].count_documents({}) == 5


# Seconds, for serverSelectionTimeoutMS=1000: room for pymongo's 500 ms heartbeat and a loaded machine, and still
# short of the reader's 5 s default.
FAIL_FAST_BOUND = 3.5


def test_unreachable_server_fails_fast_with_a_clear_error() -> None:
    reader = SimpleMongoReader(
        uri=f"mongodb://reader:hunter2@127.0.0.1:{_closed_port()}", server_selection_timeout_ms=1000
    )
    started = time.monotonic()
    with reader, pytest.raises(ProviderConnectionError) as info:
        reader.load_data("library", "corpus")
    elapsed = time.monotonic() - started
    assert 0.5 < elapsed < FAIL_FAST_BOUND, f"took {elapsed:.2f} s with serverSelectionTimeoutMS=1000"
    message = str(info.value)
    assert "serverSelectionTimeoutMS=1000" in message
    assert "check that the server is running" in message
    assert "reader:***@127.0.0.1" in message
    assert "hunter2" not in message
    assert "hunter2" not in repr(info.value)
    assert not info.value.is_retryable, "pymongo already tried for serverSelectionTimeoutMS"


async def test_unreachable_server_fails_fast_async() -> None:
    reader = SimpleMongoReader(host="127.0.0.1", port=_closed_port(), server_selection_timeout_ms=1000)
    started = time.monotonic()
    with pytest.raises(ProviderConnectionError, match="serverSelectionTimeoutMS=1000"):
        await reader.aload_data("library", "corpus")
    elapsed = time.monotonic() - started
    assert 0.5 < elapsed < FAIL_FAST_BOUND, f"took {elapsed:.2f} s with serverSelectionTimeoutMS=1000"
    # pymongo's async monitor (4.x, ``pool_shared._async_create_connection``) closes its new socket on OSError and
    # timeouts but not when ``AsyncMongoClient.close()`` cancels it mid-connect; the abandoned socket then sits in
    # a reference cycle until some later garbage collection, which reported it inside an unrelated test. Collect
    # it here, where it is expected, and only this ResourceWarning.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"unclosed <socket\.socket", ResourceWarning)
        gc.collect()


def test_timeout_in_uri_wins() -> None:
    with SimpleMongoReader(uri=f"mongodb://127.0.0.1:{_closed_port()}/?serverSelectionTimeoutMS=1500") as reader:
        started = time.monotonic()
        with pytest.raises(ProviderConnectionError, match="serverSelectionTimeoutMS=1500"):
            reader.load_data("library", "corpus")
        assert 0.75 < time.monotonic() - started < 1.5 + 2.0  # the reader's own default is 5 s


def test_constructor_does_no_io_and_masks_the_password() -> None:
    started = time.monotonic()
    reader = SimpleMongoReader(uri="mongodb://app:topsecret@10.255.255.1:27017/?authSource=admin")
    assert time.monotonic() - started < 1.0  # a connection attempt to this unroutable host would take seconds
    assert "topsecret" not in repr(reader)
    assert "topsecret" not in str(reader)
    assert "app:***@10.255.255.1" in repr(reader)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"field_names": []}, "field_names is empty"),
        ({"field_names": "text"}, "must be a list of field names"),
        ({"field_names": ["ok", 3]}, "entries must be field names"),
        ({"field_names": ["a..b"]}, "entries must be field names"),
        ({"field_names": ["$where"]}, "starts with '\\$'"),
        ({"query_dict": "n > 3"}, "query_dict must be a dict"),
        ({"metadata_names": "n"}, "metadata_names must be a list"),
        ({"max_docs": -1}, "max_docs must be an integer >= 0"),
        ({"max_docs": 2.5}, "max_docs must be an integer"),
        ({"max_docs": True}, "max_docs must be an integer"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"on_missing": "ignore"}, "on_missing must be one of"),
        ({"separator": None}, "separator must be a string"),
        ({"projection": "title"}, "projection must be a dict"),
        ({"field_extractors": {"text": "upper"}}, "field_extractors must map"),
    ],
)
def test_bad_input_is_rejected_before_any_io(kwargs: dict[str, Any], match: str) -> None:
    reader = SimpleMongoReader(uri=f"mongodb://127.0.0.1:{_closed_port()}", server_selection_timeout_ms=5000)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match=match):
        reader.load_data("library", "corpus", **kwargs)
    with pytest.raises(InvalidInputError, match=match):
        reader.alazy_load_data("library", "corpus", **kwargs)
    assert time.monotonic() - started < 2.0, "validation must not wait for the server (5 s selection timeout)"


@pytest.mark.parametrize(("db", "collection"), [("", "c"), ("db", ""), (None, "c"), ("db", 5)])
def test_bad_names(db: Any, collection: Any) -> None:
    with pytest.raises(InvalidInputError, match="must be a non-empty string"):
        SimpleMongoReader().load_data(db, collection)


async def test_async_argument_errors() -> None:
    reader = SimpleMongoReader()
    with pytest.raises(InvalidInputError, match="missing required argument"):
        await reader.aload_data("library")
    with pytest.raises(InvalidInputError, match="unknown load argument"):
        await reader.aload_data("library", "c", fields=["x"])


def test_authentication(auth_uri: str) -> None:
    with SimpleMongoReader(uri=auth_uri) as reader:
        assert len(reader.load_data("library", "small")) == 5
    wrong = auth_uri.replace("kit-Pa55word", "not-the-Pa55word")
    with SimpleMongoReader(uri=wrong) as reader, pytest.raises(AuthenticationError) as info:
        reader.load_data("library", "small")
    message = str(info.value)
    assert "check the user, password and authSource" in message
    assert "not-the-Pa55word" not in message
    assert "kit:***@" in message


async def test_authentication_async(auth_uri: str) -> None:
    reader = SimpleMongoReader(uri=auth_uri.replace("kit-Pa55word", "nope-nope"))
    with pytest.raises(AuthenticationError):
        await reader.aload_data("library", "small")


def test_query_the_server_rejects_is_invalid_input(reader: SimpleMongoReader) -> None:
    with pytest.raises(InvalidInputError, match="unknown top level operator"):
        reader.load_data("library", "corpus", query_dict={"$bogus": 1})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"uri": "http://localhost:27017"}, "must start with 'mongodb://'"),
        ({"uri": "postgres://u:pw@h/db"}, "must start with"),
        ({"host": ""}, "host must be a non-empty string"),
        ({"port": 70000}, "port must be an integer"),
        ({"server_selection_timeout_ms": 0}, "server_selection_timeout_ms must be a positive integer"),
        ({"client_kwargs": ["tls"]}, "client_kwargs must be a dict"),
    ],
)
def test_bad_configuration(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigurationError, match=match) as info:
        SimpleMongoReader(**kwargs)
    assert "pw@" not in str(info.value)


def test_uri_from_environment_and_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.delenv("DOVETAIL_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    assert repr(SimpleMongoReader()) == "SimpleMongoReader(uri='mongodb://localhost:27017')"
    monkeypatch.setenv("MONGODB_URI", "mongodb://env:envpass@envhost:1")
    assert repr(SimpleMongoReader()) == "SimpleMongoReader(uri='mongodb://env:***@envhost:1')"
    (tmp_path / "dovetail.toml").write_text('[providers.mongodb]\nuri = "mongodb://cfg:p@cfghost:2"\n', "utf-8")
    assert repr(SimpleMongoReader()) == "SimpleMongoReader(uri='mongodb://cfg:***@cfghost:2')"
    assert repr(SimpleMongoReader(host="h", port=3)) == "SimpleMongoReader(uri='mongodb://h:3')"
