"""Secret-leak suite: a unique password or token in the URI, DEBUG logging, every error path; it appears nowhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.leaks import assert_error_path_is_clean
from dovetail.core.testing.leaks import unique_secret
from dovetail.core.testing.loopback import free_port
from dovetail.readers.mongodb import SimpleMongoReader

pytestmark = pytest.mark.integration

PATHS = ("unreachable", "wrong-password", "unescaped-slash", "aws-session-token", "bad-scheme", "bad-setting")


def _load(reader: Any) -> Any:
    return reader.load_data("library", "corpus", field_names=["title"], max_docs=1)


def _scenario(path: str, mongo_uri: str, secret: str) -> ErrorPath:
    """The reader to probe (``None`` when building it is the error path) and the call that must fail."""
    dead = f"127.0.0.1:{free_port()}"
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
    return None, lambda _: SimpleMongoReader(uri=f"mongodb://reader:{secret}@{dead}", server_selection_timeout_ms="x")  # type: ignore[arg-type]  # deliberately not a number


@pytest.mark.parametrize("path", PATHS)
def test_the_secret_leaks_nowhere(
    path: str, mongo_uri: str, corpus: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    secret = unique_secret("pw-leak-")
    assert_error_path_is_clean(secret, lambda: _scenario(path, mongo_uri, secret), caplog)
