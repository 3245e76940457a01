"""One retry layer, error mapping and no lost/duplicated vectors, with faults injected by the loopback proxy."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dovetail.core.errors import AuthenticationError
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.errors import ProviderConnectionError
from dovetail.core.errors import ProviderError
from dovetail.core.errors import ProviderTimeoutError
from dovetail.core.errors import RateLimitError
from dovetail.core.retry import RetryPolicy
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import VectorStoreQuery

pytestmark = pytest.mark.integration

QUERY = "/indexes/kit/query"
UPSERT = "/indexes/kit/vectors/upsert"
NO_RETRY = RetryPolicy(max_retries=0)
RETRY_ONCE = RetryPolicy(max_retries=1, initial_delay=0.01)
RETRY_TWICE = RetryPolicy(max_retries=2, initial_delay=0.01)


def _status(code: int) -> tuple[str, tuple[int, None]]:
    """A fault: the proxy answers ``code`` (no ``Retry-After``)."""
    return ("status", (code, None))


def _nodes(n: int, prefix: str = "n") -> list[TextNode]:
    return [
        TextNode(
            id_=f"{prefix}{i}",
            text=f"text {i}",
            embedding=[1.0, (i % 7) / 7, (i % 5) / 5, (i % 3) / 3, 0.5, 0.25],
            metadata={"i": i},
        )
        for i in range(n)
    ]


def _q(k: int = 1) -> VectorStoreQuery:
    return VectorStoreQuery(query_embedding=[1.0, 0, 0, 0, 0, 0], similarity_top_k=k)


def _faulty_store(make_store: Any, proxy: Any, policy: RetryPolicy, nodes: int, *faults: Any) -> Any:
    """A store holding ``nodes`` nodes, with the request counts reset and ``faults`` queued for its next queries."""
    store = make_store(retry_policy=policy)
    store.add(_nodes(nodes))
    proxy.reset()
    proxy.fail(QUERY, *faults)
    return store


async def _afaulty_store(make_store: Any, proxy: Any, policy: RetryPolicy, nodes: int, *faults: Any) -> Any:
    """:func:`_faulty_store`, filled through the async API."""
    store = make_store(retry_policy=policy)
    await store.async_add(_nodes(nodes))
    proxy.reset()
    proxy.fail(QUERY, *faults)
    return store


def test_sdk_retries_are_off_one_attempt_per_call(make_store: Any, proxy: Any) -> None:
    store = _faulty_store(make_store, proxy, NO_RETRY, 2, _status(500))
    with pytest.raises(ProviderError) as info:
        store.query(_q())
    assert info.value.status == 500
    assert info.value.provider == "pinecone"
    assert proxy.count(QUERY) == 1  # the SDK did not retry on its own


def test_the_bare_sdk_would_have_retried(proxy: Any, api_key: str) -> None:
    # Control for the test above: the same fault against an SDK Index built the SDK's way is retried by it.
    from pinecone import Pinecone

    index = Pinecone(api_key=api_key).Index(host=f"{proxy.url}/indexes/kit")
    try:
        proxy.fail(QUERY, _status(500))
        index.query(vector=[1.0, 0, 0, 0, 0, 0], top_k=1, namespace="bare")
        assert proxy.count(QUERY) == 2
    finally:
        index.close()


async def test_async_sdk_retries_are_off(make_store: Any, proxy: Any) -> None:
    store = await _afaulty_store(make_store, proxy, NO_RETRY, 2, _status(503))
    with pytest.raises(ProviderError):
        await store.aquery(_q())
    assert proxy.count(QUERY) == 1


def test_dovetail_retries_transient_errors(make_store: Any, proxy: Any) -> None:
    store = _faulty_store(make_store, proxy, RETRY_TWICE, 3, _status(503), _status(500))
    result = store.query(_q())
    assert result.ids == ["n0"]
    assert proxy.count(QUERY) == 3


async def test_async_retries_transient_errors(make_store: Any, proxy: Any) -> None:
    store = await _afaulty_store(make_store, proxy, RETRY_TWICE, 3, _status(502), ("drop", None))
    result = await store.aquery(_q())
    assert result.ids == ["n0"]
    assert proxy.count(QUERY) == 3


def test_retry_exhaustion_raises_last_error(make_store: Any, proxy: Any) -> None:
    store = _faulty_store(make_store, proxy, RETRY_ONCE, 1, _status(500), _status(503))
    with pytest.raises(ProviderError) as info:
        store.query(_q())
    assert info.value.status == 503
    assert proxy.count(QUERY) == 2


def test_rate_limit_honours_retry_after(make_store: Any, proxy: Any) -> None:
    store = _faulty_store(make_store, proxy, RetryPolicy(max_retries=1, initial_delay=0.0), 1, ("status", (429, 0.3)))
    started = time.monotonic()
    assert store.query(_q()).ids == ["n0"]
    assert time.monotonic() - started >= 0.3
    assert proxy.count(QUERY) == 2


def test_rate_limit_error_carries_retry_after(make_store: Any, proxy: Any) -> None:
    store = make_store(retry_policy=NO_RETRY)
    store.add(_nodes(1))
    proxy.fail(QUERY, ("status", (429, 7)))
    with pytest.raises(RateLimitError) as info:
        store.query(_q())
    assert info.value.retry_after == 7
    assert "max_concurrency" in str(info.value)


@pytest.mark.parametrize("fault", ["status", "drop", "drop_after"])
def test_batched_add_survives_faults_without_loss_or_duplicates(
    make_store: Any, proxy: Any, namespace: str, fault: str
) -> None:
    store = make_store(batch_size=50, max_concurrency=4, retry_policy=RetryPolicy(max_retries=3, initial_delay=0.01))
    store._sync_index()
    arg = (503, None) if fault == "status" else None
    proxy.fail(UPSERT, (fault, arg), (fault, arg), (fault, arg))
    nodes = _nodes(420)
    ids = store.add(nodes)
    assert ids == [node.node_id for node in nodes]
    assert proxy.pending() == 0
    assert proxy.count(UPSERT) == 9 + 3  # 9 batches, 3 of them sent twice
    stored = store.get_nodes(node_ids=ids)
    assert sorted(node.node_id for node in stored) == sorted(ids)
    assert {node.node_id: node.get_content() for node in stored} == {n.node_id: n.text for n in nodes}
    stats = store.client.describe_index_stats()
    assert stats.namespaces[namespace].vector_count == 420


async def test_async_batched_add_survives_faults(make_store: Any, proxy: Any, namespace: str) -> None:
    store = make_store(batch_size=40, max_concurrency=3, retry_policy=RetryPolicy(max_retries=3, initial_delay=0.01))
    await store.aget_nodes(node_ids=["warm-up"])
    proxy.reset()
    proxy.fail(UPSERT, ("drop_after", None), _status(500), ("drop", None))
    ids = await store.async_add(_nodes(200))
    assert proxy.count(UPSERT) == 5 + 3
    stored = await store.aget_nodes(node_ids=ids)
    assert sorted(node.node_id for node in stored) == sorted(ids)
    stats = store.client.describe_index_stats()
    assert stats.namespaces[namespace].vector_count == 200


def test_failed_batch_raises_after_retries(make_store: Any, proxy: Any) -> None:
    store = make_store(batch_size=10, max_concurrency=1, retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01))
    store._sync_index()
    proxy.fail(UPSERT, _status(500), _status(500))
    with pytest.raises(ProviderError):
        store.add(_nodes(30))
    assert proxy.count(UPSERT) == 2  # the first batch failed twice; nothing after it was sent


async def test_async_failed_batch_waits_for_the_others(make_store: Any, proxy: Any) -> None:
    store = make_store(batch_size=10, max_concurrency=2, retry_policy=RetryPolicy(max_retries=0))
    await store.aget_nodes(node_ids=["warm-up"])
    proxy.fail(UPSERT, _status(500))
    with pytest.raises(ProviderError):
        await store.async_add(_nodes(50))
    assert proxy.count(UPSERT) == 5  # every batch was sent and settled before add() raised
    assert len(await store.aget_nodes()) == 40  # the four good batches are stored; add() again is safe
    await store.async_add(_nodes(50))
    assert len(await store.aget_nodes()) == 50


def test_bad_key_is_authentication_error_not_retried(
    make_store: Any, proxy: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    store = make_store(api_key="wrong-key", retry_policy=RetryPolicy(max_retries=3, initial_delay=0.01))
    with pytest.raises(AuthenticationError) as info:
        store.query(_q())
    assert "wrong-key" not in str(info.value)
    assert "wrong-key" not in repr(store)
    assert "wrong-key" not in caplog.text
    assert "PINECONE_API_KEY" in str(info.value)
    assert proxy.count("/indexes/kit/describe_index_stats") == 1


def test_server_side_400_is_invalid_input_not_retried(make_store: Any, proxy: Any) -> None:
    store = make_store(dimension=5, retry_policy=RetryPolicy(max_retries=3, initial_delay=0.01))
    node = TextNode(id_="five", text="t", embedding=[1.0, 0, 0, 0, 0])
    with pytest.raises(InvalidInputError, match="400"):
        store.add([node])
    assert proxy.count(UPSERT) == 1


def test_unknown_index_host_is_not_found(make_store: Any, proxy: Any) -> None:
    store = make_store(host=f"{proxy.url}/indexes/no-such-index", dimension=6)
    with pytest.raises(NotFoundError, match="index name or host"):
        store.query(_q())


def test_unknown_index_name_is_not_found(make_store: Any, proxy: Any) -> None:
    store = make_store(host=None, index_name="no-such-index", control_plane_host=proxy.url)
    with pytest.raises(NotFoundError):
        store.query(_q())


def test_unreachable_server_is_connection_error() -> None:
    import socket

    from dovetail.vector_stores.pinecone import PineconeVectorStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = PineconeVectorStore(
        host=f"http://127.0.0.1:{port}",
        api_key="k",
        dimension=6,
        retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01),
    )
    started = time.monotonic()
    with pytest.raises(ProviderConnectionError, match=f"127.0.0.1:{port}"):
        store.query(_q())
    assert time.monotonic() - started < 5
    store.close()


def test_slow_server_is_timeout(make_store: Any, proxy: Any) -> None:
    store = make_store(timeout=0.3, dimension=6, retry_policy=RetryPolicy(max_retries=1, initial_delay=0.01))
    proxy.fail(QUERY, ("delay", 1.0), ("delay", 1.0))
    with pytest.raises(ProviderTimeoutError):
        store.query(_q())
    assert proxy.count(QUERY) == 2
