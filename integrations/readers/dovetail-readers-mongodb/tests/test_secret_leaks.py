"""Secret-leak suite: a unique password or token in the URI, DEBUG logging, every error path; it appears nowhere."""

from __future__ import annotations

import logging
import socket
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from dovetail.core.errors import DovetailError
from dovetail.core.testing.leaks import LeakProbe, unique_secret
from dovetail.readers.mongodb import SimpleMongoReader

pytestmark = pytest.mark.integration

PATHS = ("unreachable", "wrong-password", "unescaped-slash", "aws-session-token", "bad-scheme", "bad-setting")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load(reader: Any) -> Any:
    return reader.load_data("library", "corpus", field_names=["title"], max_docs=1)


def _scenario(path: str, mongo_uri: str, secret: str) -> tuple[SimpleMongoReader | None, Callable[[Any], Any]]:
    """The reader to probe (``None`` when building it is the error path) and the call that must fail."""
    dead = f"127.0.0.1:{_closed_port()}"
    live = f"127.0.0.1:{urlsplit(mongo_uri).port}"
    fast = "serverSelectionTimeoutMS=600"
    if path == "unreachable":
        return SimpleMongoReader(uri=f"mongodb://reader:{secret}@{dead}/?{fast}"), _load
    if path == "wrong-password":
        return SimpleMongoReader(uri=f"mongodb://kit:{secret}@{live}/?authSource=admin&{fast}"), _load
    if path == "unescaped-slash":
        return SimpleMongoReader(uri=f"mongodb://reader:a/{secret}@{dead}/?{fast}"), _load
    if path == "aws-session-token":
        options = f"authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{secret}&{fast}"
        return SimpleMongoReader(uri=f"mongodb://AKIDEXAMPLE:{secret}x@{dead}/?{options}"), _load
    if path == "bad-scheme":
        return None, lambda _: SimpleMongoReader(uri=f"mongodb:/reader:{secret}@{dead}")
    assert path == "bad-setting"
    return None, lambda _: SimpleMongoReader(uri=f"mongodb://reader:{secret}@{dead}", server_selection_timeout_ms="x")


@pytest.mark.parametrize("path", PATHS)
def test_the_secret_leaks_nowhere(
    path: str, mongo_uri: str, corpus: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    secret = unique_secret("pw-leak-")
    probe = LeakProbe(secret)
    caplog.set_level(logging.DEBUG)
    reader, action = _scenario(path, mongo_uri, secret)
    if reader is not None:
        probe.obj(reader)
    try:
        with pytest.raises(DovetailError) as info:
            action(reader)
    finally:
        if reader is not None:
            reader.close()
    probe.error(info.value).logs(caplog.records).assert_clean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        import gc

        gc.collect()
