"""Secret-leak suite: a unique key, DEBUG logging, every error path of the store; the key appears nowhere.

The fault proxy in front of needledb answers 401/429/500 with an error message that echoes the key.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.retry import RetryPolicy
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.secret_env import assert_secret_leaks_nowhere
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.pinecone import PineconeVectorStore

pytestmark = pytest.mark.integration

QUERY = "/indexes/kit/query"
PATHS = ("401", "429", "500", "bad-host", "bad-setting", "bad-config-file")
FAST = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.02)


def _query(store: Any) -> Any:
    return store.query(VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=1))


def _scenario(path: str, proxy: Any, key: str, tmp: Path) -> ErrorPath:
    """The store to probe (``None`` when building it is the error path) and the call that must fail."""
    host = f"{proxy.url}/indexes/kit"
    if path in ("401", "429", "500"):
        message = f"Invalid API key {key} (Api-Key: {key})"
        proxy.fail(QUERY, *[("status", (int(path), 0 if path == "429" else None, message))] * 3)
        return PineconeVectorStore(host=host, api_key=key, dimension=6, retry_policy=FAST), _query
    if path == "bad-host":
        return PineconeVectorStore(host=f"http://127.0.0.1:{free_port()}", api_key=key, retry_policy=FAST), _query
    if path == "bad-setting":
        return None, lambda _: PineconeVectorStore(host=host, api_key=key, batch_size=5000)
    assert path == "bad-config-file"
    (tmp / "dovetail.toml").write_text(f'[providers.pinecone]\napi_key = ["{key}"]\n')
    return PineconeVectorStore(host=host, dimension=6), _query


@pytest.mark.parametrize("path", PATHS)
def test_the_key_leaks_nowhere(path: str, proxy: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    scenario = functools.partial(_scenario, path, proxy, tmp=tmp_path)
    assert_secret_leaks_nowhere(request, scenario, "PINECONE_API_KEY", "pc-leak-")
