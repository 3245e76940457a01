"""PineconeVectorStore behaviour beyond the kit: laziness, key resolution, batching, namespaces, reads, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import ConfigurationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode
from dovetail.vector_stores.pinecone import PineconeVectorStore
from dovetail.vector_stores.pinecone import _settings
from pydantic import SecretStr

UPSERT = "/indexes/kit/vectors/upsert"


def _nodes(n: int, prefix: str = "n", doc: str | None = None) -> list[TextNode]:
    rel = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc)} if doc else {}
    return [
        TextNode(
            id_=f"{prefix}{i}",
            text=f"{prefix} text {i}",
            embedding=[1.0, i / 1000, 0.5, 0.0, 0.1, 0.2],
            metadata={"i": i, "even": i % 2 == 0},
            relationships=rel,
        )
        for i in range(n)
    ]


# ---- construction, laziness, secrets -----------------------------------------------------------------------


def test_import_does_not_load_the_sdk() -> None:
    code = (
        "import sys, dovetail.vector_stores.pinecone as m; m.PineconeVectorStore(host='h', api_key='k'); "
        "print(json.dumps(sorted(n for n in sys.modules if n.split('.')[0] in ('pinecone', 'httpx', 'numpy'))))"
    )
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_constructor_does_no_io(proxy: Any, namespace: str) -> None:
    store = PineconeVectorStore(host=f"{proxy.url}/indexes/kit", api_key="k", namespace=namespace)
    assert store._index is None
    assert sum(proxy.attempts.values()) == 0


def test_secret_stays_out_of_repr_and_dump() -> None:
    store = PineconeVectorStore(host="https://example.invalid", api_key="pc-very-secret")
    assert isinstance(store.api_key, SecretStr)
    for text in (repr(store), str(store), json.dumps(store.model_dump(mode="json"))):
        assert "pc-very-secret" not in text


def _use_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str = "") -> None:
    """Point ``DOVETAIL_CONFIG`` at a config file holding ``text`` (empty: no ambient config is read)."""
    (tmp_path / "dovetail.toml").write_text(text)
    monkeypatch.setenv("DOVETAIL_CONFIG", str(tmp_path / "dovetail.toml"))


def test_missing_key_names_the_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PINECONE_API_KEY", raising=False)
    _use_config(tmp_path, monkeypatch)
    store = PineconeVectorStore(host="http://127.0.0.1:9")
    with pytest.raises(ConfigurationError, match="PINECONE_API_KEY"):
        store.query(VectorStoreQuery(query_embedding=[1.0] * 6))


def test_key_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_config(tmp_path, monkeypatch, '[providers.pinecone]\napi_key = "from-config"\n')
    monkeypatch.setenv("PINECONE_API_KEY", "from-env")
    assert _settings.resolve_api_key(SecretStr("explicit")).get_secret_value() == "explicit"
    assert _settings.resolve_api_key(None).get_secret_value() == "from-config"
    _use_config(tmp_path, monkeypatch)
    assert _settings.resolve_api_key(None).get_secret_value() == "from-env"


def test_dovetail_toml_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_config(tmp_path, monkeypatch, '[providers.pinecone]\napi_key = "toml-key"\nhost = "https://h"\n')
    monkeypatch.setenv("PINECONE_API_KEY", "from-env")
    assert _settings.resolve_api_key(None).get_secret_value() == "toml-key"
    assert _settings.resolve_location(None, None) == ("https://h", None)


def test_no_location_is_configuration_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_config(tmp_path, monkeypatch)
    store = PineconeVectorStore(api_key="k")
    with pytest.raises(ConfigurationError, match="index_name"):
        store.query(VectorStoreQuery(query_embedding=[1.0] * 6))


@pytest.mark.parametrize(
    "settings",
    [{"batch_size": 0}, {"batch_size": 1001}, {"max_concurrency": 0}, {"timeout": -1}, {"max_retries": 11},
     {"text_key": ""}, {"namespace": 3}],
    ids=["batch0", "batch1001", "conc0", "timeout", "retries", "text_key", "namespace"],
)  # fmt: skip
def test_bad_settings_are_configuration_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="invalid PineconeVectorStore settings"):
        PineconeVectorStore(host="h", api_key="k", **settings)


# ---- behaviour against the server --------------------------------------------------------------------------


@pytest.mark.integration
def test_index_name_is_resolved_on_the_control_plane_once(make_store: Any, proxy: Any) -> None:
    store = make_store(host=None, index_name="kit", control_plane_host=proxy.url)
    store.add(_nodes(3))
    store.query(VectorStoreQuery(query_embedding=[1.0] * 6))
    assert proxy.count("/indexes/kit") == 1
    assert store.client.host == f"{proxy.url}/indexes/kit"


@pytest.mark.integration
def test_batches_and_concurrency(make_store: Any, proxy: Any, namespace: str) -> None:
    store = make_store(batch_size=100, max_concurrency=4)
    ids = store.add(_nodes(1050))
    assert len(ids) == 1050
    assert proxy.count(UPSERT) == 11
    sizes = sorted(len(json.loads(body)["vectors"]) for path, body in proxy.bodies if path == UPSERT)
    assert sizes == [50] + [100] * 10
    assert proxy.count("/indexes/kit/describe_index_stats") == 1  # dimension looked up once
    assert len(store.get_nodes()) == 1050  # neither ids nor filters: the whole namespace, page by page


@pytest.mark.integration
def test_sync_fan_out_is_bounded(make_store: Any, proxy: Any) -> None:
    store = make_store(batch_size=10, max_concurrency=3)
    store.add(_nodes(1))
    proxy.fail(UPSERT, *[("delay", 0.1)] * 10)
    store.add(_nodes(100))
    assert proxy.max_in_flight[UPSERT] == 3


@pytest.mark.integration
async def test_async_fan_out_is_bounded(make_store: Any, proxy: Any) -> None:
    store = make_store(batch_size=10, max_concurrency=3)
    await store.async_add(_nodes(1))
    proxy.fail(UPSERT, *[("delay", 0.1)] * 10)
    await store.async_add(_nodes(100))
    assert proxy.max_in_flight[UPSERT] == 3


@pytest.mark.integration
def test_large_metadata_splits_by_bytes(make_store: Any, proxy: Any) -> None:
    store = make_store(batch_size=1000)
    nodes = _nodes(120)
    for node in nodes:
        node.text = "x" * 30_000  # ~30 KB per record: a 2 MB request holds ~65
    store.add(nodes)
    bodies = [body for path, body in proxy.bodies if path == UPSERT]
    assert len(bodies) == 2
    assert all(len(body) < 2 * 1024 * 1024 for body in bodies)


@pytest.mark.integration
def test_duplicate_ids_in_one_call_keep_the_last(make_store: Any) -> None:
    store = make_store()
    first, second = _nodes(1), _nodes(1)
    second[0].text = "second"
    assert store.add([first[0], second[0]]) == ["n0", "n0"]
    assert [node.get_content() for node in store.get_nodes(node_ids=["n0"])] == ["second"]


@pytest.mark.integration
def test_namespaces_are_isolated(make_store: Any, namespace: str) -> None:
    store = make_store()
    store.add(_nodes(2, "a"))
    store.add(_nodes(3, "b"), namespace=f"{namespace}-other")
    assert len(store.get_nodes()) == 2
    assert len(store.get_nodes(namespace=f"{namespace}-other")) == 3
    store.clear(namespace=f"{namespace}-other")
    assert store.get_nodes(namespace=f"{namespace}-other") == []
    assert len(store.get_nodes()) == 2


@pytest.mark.integration
def test_full_nodes_come_back(make_store: Any) -> None:
    store = make_store()
    doc = Document(id_="doc-9", text="whole document")
    node = TextNode(
        id_="full",
        text="chunk",
        embedding=[0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        metadata={"author": "ada", "note": None, "tags": ["t1"]},
        relationships={NodeRelationship.SOURCE: doc.as_related_node_info()},
        start_char_idx=3,
        end_char_idx=8,
    )
    store.add([node])
    hit = store.query(VectorStoreQuery(query_embedding=[0.0, 1.0, 0, 0, 0, 0]))
    assert hit.nodes is not None
    back = hit.nodes[0]
    assert isinstance(back, TextNode)
    assert (back.text, back.metadata, back.ref_doc_id) == ("chunk", node.metadata, "doc-9")
    assert (back.start_char_idx, back.end_char_idx) == (3, 8)
    fetched = store.get_nodes(node_ids=["full"])[0]
    assert fetched.embedding == pytest.approx(node.embedding)


@pytest.mark.integration
def test_doc_ids_restrict_the_query(make_store: Any) -> None:
    store = make_store()
    store.add(_nodes(3, "x", doc="dx") + _nodes(3, "y", doc="dy"))
    result = store.query(VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=10, doc_ids=["dy"]))
    assert sorted(result.ids or []) == ["y0", "y1", "y2"]


@pytest.mark.integration
def test_delete_nodes_by_ids_and_filters(make_store: Any) -> None:
    store = make_store()
    store.add(_nodes(6))
    evens = MetadataFilters(filters=[MetadataFilter(key="even", value=True)])
    store.delete_nodes(node_ids=["n0", "n1", "n3", "n4"], filters=evens)
    assert sorted(n.node_id for n in store.get_nodes()) == ["n1", "n2", "n3", "n5"]
    assert sorted(n.node_id for n in store.get_nodes(node_ids=["n1", "n2", "n5"], filters=evens)) == ["n2"]
    store.delete_nodes()  # neither ids nor filters: nothing happens
    assert len(store.get_nodes()) == 4
    store.delete_nodes(node_ids=["n1", "n9"], filters=MetadataFilters(filters=[]))  # empty group: every record
    assert sorted(n.node_id for n in store.get_nodes(filters=MetadataFilters(filters=[]))) == ["n2", "n3", "n5"]
    store.delete_nodes(filters=MetadataFilters(filters=[]))
    assert store.get_nodes() == []


@pytest.mark.integration
async def test_async_reads_and_deletes(make_store: Any) -> None:
    from pinecone import AsyncIndex

    store = make_store()
    await store.async_add(_nodes(5, doc="d"))
    assert isinstance(store._aindex, AsyncIndex)  # the SDK's asyncio client, not a thread around the sync one
    odd = MetadataFilters(filters=[MetadataFilter(key="even", value=False)])
    assert sorted(n.node_id for n in await store.aget_nodes(filters=odd)) == ["n1", "n3"]
    await store.adelete_nodes(filters=odd)
    assert sorted(n.node_id for n in await store.aget_nodes()) == ["n0", "n2", "n4"]
    await store.adelete_nodes(
        node_ids=["n0", "n2"], filters=MetadataFilters(filters=[MetadataFilter(key="i", value=2)])
    )
    assert sorted(n.node_id for n in await store.aget_nodes()) == ["n0", "n4"]
    await store.adelete("d")
    assert await store.aget_nodes() == []
    await store.async_add(_nodes(3))
    await store.adelete_nodes(filters=MetadataFilters(filters=[]))  # an empty group matches every record
    assert await store.aget_nodes() == []


# ---- bad input: typed, fast, nothing sent --------------------------------------------------------------------


BAD_QUERIES: list[tuple[str, VectorStoreQuery, str]] = [
    ("no-vector", VectorStoreQuery(query_embedding=None), "need query_embedding"),
    ("top-k-0", VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=0), "similarity_top_k"),
    ("top-k-huge", VectorStoreQuery(query_embedding=[1.0] * 6, similarity_top_k=5000), "similarity_top_k"),
    ("mode", VectorStoreQuery(query_embedding=[1.0] * 6, mode=VectorStoreQueryMode.HYBRID), "mode"),
    ("node-ids", VectorStoreQuery(query_embedding=[1.0] * 6, node_ids=["a"]), "node_ids"),
    ("nan", VectorStoreQuery(query_embedding=[float("nan")] * 6), "finite"),
    (
        "text-match",
        VectorStoreQuery(
            query_embedding=[1.0] * 6,
            filters=MetadataFilters(filters=[MetadataFilter(key="t", value="x", operator="text_match")]),
        ),
        "text_match",
    ),
]


@pytest.mark.integration
@pytest.mark.parametrize(("query", "message"), [b[1:] for b in BAD_QUERIES], ids=[b[0] for b in BAD_QUERIES])
def test_bad_queries_send_nothing(make_store: Any, proxy: Any, query: VectorStoreQuery, message: str) -> None:
    store = make_store(dimension=6)
    with pytest.raises(InvalidInputError, match=message):
        store.query(query)
    assert proxy.count("/indexes/kit/query") == 0


BAD_ADDS: list[tuple[str, Any, dict[str, Any], str]] = [
    ("string", "not nodes", {}, "sequence of nodes"),
    ("dicts", [{"id": "x"}], {}, "dovetail nodes"),
    ("batch-size", _nodes(1), {"batch_size": 0}, "batch_size"),
    ("nested-metadata", [TextNode(id_="m", embedding=[1.0] * 6, metadata={"a": {"b": 1}})], {}, "'a' is a dict"),
    ("empty-id", [TextNode(id_="", embedding=[1.0] * 6)], {}, "non-empty string id"),
]


@pytest.mark.integration
@pytest.mark.parametrize(("nodes", "kwargs", "message"), [b[1:] for b in BAD_ADDS], ids=[b[0] for b in BAD_ADDS])
def test_bad_adds_store_nothing(make_store: Any, proxy: Any, nodes: Any, kwargs: dict[str, Any], message: str) -> None:
    store = make_store(dimension=6)
    store.add(_nodes(2))
    with pytest.raises(InvalidInputError, match=message):
        store.add(nodes, **kwargs)
    assert proxy.count(UPSERT) == 1
    assert len(store.get_nodes()) == 2


@pytest.mark.integration
def test_bad_ids_and_ref_doc_id(make_store: Any) -> None:
    store = make_store(dimension=6)
    with pytest.raises(InvalidInputError, match="ref_doc_id"):
        store.delete("")
    with pytest.raises(InvalidInputError, match="node_ids"):
        store.get_nodes(node_ids="n0")
    with pytest.raises(InvalidInputError, match="node_ids"):
        store.delete_nodes(node_ids=[None])


@pytest.mark.integration
def test_empty_add_sends_nothing(make_store: Any, proxy: Any) -> None:
    assert make_store().add([]) == []
    assert sum(proxy.attempts.values()) == 0
