"""Hostile input is data, never SQL; bad input fails fast with nothing written; the password never leaks."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.schema import TextNode
from dovetail.core.testing.leaks import assert_no_secret_leak
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.vector_stores.postgres import PGVectorStore

pytestmark = pytest.mark.integration

HOSTILE_KEYS = [
    "it's",
    'say "hi"',
    "$1",
    "$$; DROP TABLE pg_class; $$",
    "%s",
    "%(x)s",
    "{}",
    "a'); DELETE FROM t; --",
    "x\\y",
    "ключ 🔑",
]
HOSTILE_VALUES = ["O'Brien", '"; DROP TABLE t; --', "$tag$ body $tag$", "%s %%", "1 OR 1=1", "' OR ''='", "\\x00"]


def _count(dsn: str, table: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(f'SELECT count(*) FROM public."{table}"').fetchone()
        assert row is not None
        return int(row[0])


def test_hostile_keys_and_values_round_trip_and_filter_exactly(make_store: Any, pg_server: Any) -> None:
    store = make_store()
    nodes = []
    for i, key in enumerate(HOSTILE_KEYS):
        value = HOSTILE_VALUES[i % len(HOSTILE_VALUES)]
        nodes.append(TextNode(id_=f"'{i}'; --", text=value, metadata={key: value, "n": i}, embedding=[1.0, i, 2.0]))
    store.add(nodes)
    for i, key in enumerate(HOSTILE_KEYS):
        value = HOSTILE_VALUES[i % len(HOSTILE_VALUES)]
        filters = MetadataFilters.from_dicts([{"key": key, "value": value}])
        (found,) = store.get_nodes(filters=filters)
        assert found.node_id == f"'{i}'; --"
        assert found.metadata == {key: value, "n": i}
        assert found.get_content() == value
        text = MetadataFilters.from_dicts([{"key": key, "value": value[:3], "operator": "text_match"}])
        assert [n.node_id for n in store.get_nodes(filters=text)] == [f"'{i}'; --"]
    assert _count(pg_server.dsn, store.table_name) == len(HOSTILE_KEYS)
    with psycopg.connect(pg_server.dsn) as conn:
        assert conn.execute("SELECT count(*) FROM pg_class").fetchone() is not None


def test_hostile_table_and_schema_names_are_quoted(make_store: Any, pg_server: Any) -> None:
    table = 'odd"; DROP TABLE victim; --'
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS victim (x int)")
    store = make_store(table_name=table, schema_name="Sch'ema $1")
    store.add([TextNode(id_="a", text="t", embedding=[0.1, 0.2])])
    assert [n.node_id for n in store.get_nodes()] == ["a"]
    with psycopg.connect(pg_server.dsn) as conn:
        assert conn.execute("SELECT to_regclass('public.victim')").fetchone() == ("victim",)


def test_huge_metadata_is_stored_and_filtered(make_store: Any) -> None:
    store = make_store()
    big = {"blob": "x" * 2_000_000, "items": [{"i": i, "s": "'" * 10} for i in range(20_000)], "k": "v"}
    store.add([TextNode(id_="big", text="big", metadata=big, embedding=[1.0, 0.0]), _node("small", [0.0, 1.0])])
    (node,) = store.get_nodes(filters=MetadataFilters.from_dicts([{"key": "k", "value": "v"}]))
    assert node.metadata == big


def _node(node_id: str, embedding: list[float], **metadata: Any) -> TextNode:
    return TextNode(id_=node_id, text=node_id, metadata=metadata, embedding=embedding)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (TextNode(id_="x", text="nul \x00 text", embedding=[1.0, 0.0]), "NUL"),
        (TextNode(id_="x", text="t", metadata={"k": "nul\x00"}, embedding=[1.0, 0.0]), "NUL"),
        (TextNode(id_="x", text="t", metadata={"k": float("inf")}, embedding=[1.0, 0.0]), "NaN or infinity"),
        (TextNode(id_="x", text="t", embedding=[1.0, float("nan")]), "finite"),
        (TextNode(id_="x", text="t", embedding=[1.0, 0.0, 3.0]), "dimensions"),
        (TextNode(id_="x", text="t", embedding=[1e39, 0.0]), "finite"),
    ],
)
def test_bad_nodes_raise_before_anything_is_written(make_store: Any, bad: TextNode, match: str) -> None:
    store = make_store()
    store.add([_node("keep", [0.5, 0.5])])
    with pytest.raises(InvalidInputError, match=match):
        store.add([_node("good", [1.0, 0.0]), bad])
    assert [n.node_id for n in store.get_nodes()] == ["keep"]


def test_unknown_keyword_arguments_are_rejected(make_store: Any) -> None:
    store = make_store()
    store.add([_node("a", [1.0, 0.0])])
    with pytest.raises(InvalidInputError, match="unexpected keyword"):
        store.query(VectorStoreQuery(query_embedding=[1.0, 0.0]), ef_serch=10)
    with pytest.raises(InvalidInputError, match="unexpected keyword"):
        store.add([_node("b", [1.0, 0.0])], namespace="x")
    with pytest.raises(TypeError, match="use_halfvec"):  # core names the closest valid keyword
        PGVectorStore(connection_string="postgresql://u@h/db", use_halfvec=True)


def test_password_never_in_repr_errors_or_logs(pg_server: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + pg_server.password
    store = PGVectorStore.from_params(
        host=pg_server.host,
        port=pg_server.port,
        database="postgres",
        user="postgres",
        password=wrong,
        table_name="never",
        max_retries=1,
        retry_policy=None,
    )
    with pytest.raises(AuthenticationError) as refused:
        store.add([_node("a", [1.0])])
    dead = PGVectorStore(
        connection_string=f"postgresql://postgres:{pg_server.password}@127.0.0.1:1/postgres",
        table_name="never",
        max_retries=0,
    )
    with pytest.raises(ProviderConnectionError) as unreachable:
        dead.add([_node("a", [1.0])])
    for store_, error in ((store, refused.value), (dead, unreachable.value)):
        chain = []
        exc: BaseException | None = error
        while exc is not None:
            chain.append(str(exc))
            exc = exc.__cause__ or exc.__context__
        assert_no_secret_leak(store_, *chain, caplog.text)
        for secret in (wrong, pg_server.password):
            assert secret not in repr(store_)
            assert all(secret not in text for text in chain)
            assert secret not in caplog.text
    assert "postgresql://postgres:***@" in str(unreachable.value)


def test_connection_settings_resolution(pg_server: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "dovetail.toml"
    config.write_text(
        f'[providers.postgres]\nhost = "{pg_server.host}"\nport = {pg_server.port}\nuser = "postgres"\n'
        f'password = "{pg_server.password}"\ndatabase = "postgres"\n'
    )
    monkeypatch.setenv("DOVETAIL_CONFIG", str(config))
    monkeypatch.setenv("PGPASSWORD", "from-env-is-lower-priority")
    store = PGVectorStore(table_name="from_config")
    try:
        store.add([_node("a", [1.0, 2.0])])
        assert [n.node_id for n in store.get_nodes()] == ["a"]
        store.clear()
    finally:
        store.close()
    explicit = PGVectorStore(
        connection_string=f"postgresql+psycopg2://postgres@{pg_server.host}:{pg_server.port}/postgres",
        password="explicit-wrong",
        table_name="from_config",
        max_retries=0,
    )
    with pytest.raises(AuthenticationError):
        explicit.get_nodes()
    explicit.close()


def test_percent_in_a_name_is_a_configuration_error() -> None:
    from dovetail.core.errors import ConfigurationError

    for settings in ({"table_name": "docs%s"}, {"schema_name": "s%(x)s"}):
        with pytest.raises(ConfigurationError, match="'%' character"):
            PGVectorStore(connection_string="postgresql://u@127.0.0.1:1/db", **settings)
