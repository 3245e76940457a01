"""A real MongoDB wire-protocol server (secantusdb, WiredTiger in memory) on 127.0.0.1 for the whole session."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.testing.processes import ServerProcess

if str(Path(__file__).parent) not in sys.path:  # helpers beside the tests (tcp_proxy.py) import by name
    sys.path.insert(0, str(Path(__file__).parent))

CORPUS_SIZE = 10_000
KIT_PASSWORD = "kit-Pa55word"
NO_BODY_EVERY = 100  # every 100th document (n % 100 == 99) has no "body" field


def _server_executable() -> str:
    exe = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or shutil.which("secantusd-py")
    if exe is None:
        pytest.fail("secantusd-py not found: run `make install` (secantusdb is in the root dev group)")
    return exe


@pytest.fixture(scope="session")
def mongo_uri() -> Iterator[str]:
    """URI of a secantusdb server started for this session (killed at teardown: in memory, nothing to flush)."""
    command = [_server_executable(), "--host", "{host}", "--port", "{port}", "--storage-path", ":memory:"]
    with ServerProcess([*command, "--log-level", "WARNING"], graceful=False) as server:
        yield f"mongodb://127.0.0.1:{server.port}/?serverSelectionTimeoutMS=5000"


def make_corpus() -> list[dict[str, Any]]:
    """The 10,000 documents of the ``library.corpus`` collection (the tests compute expectations from these)."""
    from bson import ObjectId

    base = dt.datetime(2020, 1, 1)
    docs: list[dict[str, Any]] = []
    for n in range(CORPUS_SIZE):
        doc: dict[str, Any] = {
            "_id": ObjectId(),
            "n": n,
            "title": f"Title {n}",
            "category": "abc"[n % 3],
            "author": {"name": f"author{n % 7}", "age": 20 + n % 50},
            "tags": [f"t{n % 5}", f"u{n % 2}"],
            "created": base + dt.timedelta(days=n % 365),
            "chapters": [{"title": f"c{n}-1"}, {"title": f"c{n}-2"}],
        }
        if n % NO_BODY_EVERY != NO_BODY_EVERY - 1:
            doc["body"] = f"Body of document {n}. " + "dovetail joints hold drawers together. " * 4
        docs.append(doc)
    return docs


@pytest.fixture(scope="session")
def corpus(mongo_uri: str) -> list[dict[str, Any]]:
    """Insert the corpus once per session and return the inserted documents."""
    from pymongo import MongoClient

    docs = make_corpus()
    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    with client:
        collection = client["library"]["corpus"]
        collection.drop()
        collection.insert_many([dict(doc) for doc in docs])
        small = client["library"]["small"]
        small.drop()
        small.insert_many([{"_id": f"doc-{i}", "text": f"small document {i}", "rank": i} for i in range(5)])
        if not client["admin"].command("usersInfo", "kit").get("users"):
            client["admin"].command("createUser", "kit", pwd=KIT_PASSWORD, roles=[{"role": "read", "db": "library"}])
    return docs


@pytest.fixture(scope="session")
def auth_uri(mongo_uri: str, corpus: list[dict[str, Any]]) -> str:
    """URI of the same server with the read-only user ``kit`` (password :data:`KIT_PASSWORD`)."""
    return mongo_uri.replace("mongodb://", f"mongodb://kit:{KIT_PASSWORD}@") + "&authSource=admin"


@pytest.fixture
def mongo_client(mongo_uri: str) -> Iterator[Any]:
    from pymongo import MongoClient

    client: MongoClient[dict[str, Any]] = MongoClient(mongo_uri)
    with client:
        yield client
