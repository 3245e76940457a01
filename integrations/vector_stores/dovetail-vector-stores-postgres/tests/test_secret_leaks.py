"""Secret-leak suite: a unique password, DEBUG logging, every error path of the store; it appears nowhere."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.retry import RetryPolicy
from dovetail.core.schema import TextNode
from dovetail.core.testing.leaks import ErrorPath
from dovetail.core.testing.loopback import free_port
from dovetail.core.testing.secret_env import assert_secret_leaks_nowhere
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.postgres import PGVectorStore

pytestmark = pytest.mark.integration

FAST = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.02)
PATHS = ("wrong-password", "in-url-wrong", "dead-port", "bad-setting", "bad-uri", "bad-config-file", "bad-node")


def _add(store: Any) -> Any:
    return store.add([TextNode(id_="a", text="a", embedding=[1.0, 2.0])])


def _scenario(path: str, server: Any, secret: str, tmp: Path) -> ErrorPath:
    base = {"host": server.host, "port": server.port, "user": "postgres", "database": "postgres"}
    if path == "wrong-password":
        return PGVectorStore(**base, password=secret, table_name="leak", retry_policy=FAST), _add
    if path == "in-url-wrong":
        url = f"postgresql://postgres:{secret}@{server.host}:{server.port}/postgres"
        return PGVectorStore(connection_string=url, table_name="leak", retry_policy=FAST), _add
    if path == "dead-port":
        url = f"postgresql://postgres:{secret}@127.0.0.1:{free_port()}/postgres"
        store = PGVectorStore(connection_string=url, table_name="leak", retry_policy=FAST)
        return store, lambda s: s.query(VectorStoreQuery(query_embedding=[1.0, 2.0]))
    if path == "bad-setting":
        return None, lambda _: PGVectorStore(**base, password=secret, batch_size=0)
    if path == "bad-uri":
        url = f"postgresql://postgres:{secret}@{server.host}/postgres?no_such_option=1"
        return PGVectorStore(connection_string=url, table_name="leak"), _add
    if path == "bad-config-file":
        (tmp / "dovetail.toml").write_text(f'[providers.postgres]\npassword = ["{secret}"]\n')
        return None, lambda _: PGVectorStore(**base, table_name="leak").get_nodes()
    assert path == "bad-node"
    url = f"postgresql://postgres:{server.password}@{server.host}:{server.port}/postgres"
    store = PGVectorStore(connection_string=url, password=secret, table_name="leak", retry_policy=FAST)
    return store, lambda s: s.add([TextNode(id_="a", text="a", metadata={"k": float("nan")}, embedding=[1.0])])


@pytest.mark.parametrize("path", PATHS)
def test_the_password_leaks_nowhere(path: str, pg_server: Any, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    scenario = functools.partial(_scenario, path, pg_server, tmp=tmp_path)
    assert_secret_leaks_nowhere(request, scenario, "PGPASSWORD", "pg-leak-")
