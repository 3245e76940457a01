"""The transformation-output cache of run_transformations/arun_transformations, sync and async transformations."""

from __future__ import annotations

from collections import Counter

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.ingestion import IngestionCache
from dovetail.core.ingestion import arun_transformations
from dovetail.core.ingestion import run_transformations
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode


def _upper(nodes: list[BaseNode]) -> list[BaseNode]:
    return [TextNode(text=node.get_content().upper(), id_=node.node_id) for node in nodes]


class Upper:
    """Upper-cases node texts and counts its calls by kind (``acall`` is what the async run uses).

    The counts are private: public attributes are the transformation's configuration, part of its cache key.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def count(self, kind: str) -> int:
        return self._counts[kind]

    def __call__(self, nodes: list[BaseNode], **kwargs: object) -> list[BaseNode]:
        self._counts["call"] += 1
        return _upper(nodes)

    async def acall(self, nodes: list[BaseNode], **kwargs: object) -> list[BaseNode]:
        self._counts["acall"] += 1
        return _upper(nodes)


def _nodes() -> list[BaseNode]:
    return [TextNode(text="alpha", id_="a"), TextNode(text="beta", id_="b")]


def _texts(nodes: list[BaseNode]) -> list[tuple[str, str]]:
    return [(node.node_id, node.get_content()) for node in nodes]


def test_sync_run_caches_a_transformation_output() -> None:
    cache, upper = IngestionCache(), Upper()
    first = run_transformations(_nodes(), [upper], cache=cache)
    second = run_transformations(_nodes(), [upper], cache=cache)
    assert _texts(first) == _texts(second) == [("a", "ALPHA"), ("b", "BETA")]
    assert upper.count("call") == 1
    assert (cache.misses, cache.hits) == (1, 1)
    assert second[0] is not first[0]  # a cache hit gives fresh objects


async def test_async_run_caches_an_acall_output_and_shares_it_with_sync_runs() -> None:
    cache, upper = IngestionCache(), Upper()
    first = await arun_transformations(_nodes(), [upper], cache=cache)
    second = await arun_transformations(_nodes(), [upper], cache=cache)
    third = run_transformations(_nodes(), [upper], cache=cache)
    assert _texts(first) == _texts(second) == _texts(third) == [("a", "ALPHA"), ("b", "BETA")]
    assert (upper.count("acall"), upper.count("call")) == (1, 0)
    assert (cache.misses, cache.hits) == (1, 2)


async def test_changed_input_misses_the_cache() -> None:
    cache, upper = IngestionCache(), Upper()
    await arun_transformations(_nodes(), [upper], cache=cache)
    changed = [TextNode(text="gamma", id_="a")]
    assert _texts(await arun_transformations(changed, [upper], cache=cache)) == [("a", "GAMMA")]
    assert upper.count("acall") == 2


def test_without_a_cache_every_run_calls_the_transformation() -> None:
    upper = Upper()
    run_transformations(_nodes(), [upper])
    run_transformations(_nodes(), [upper])
    assert upper.count("call") == 2


@pytest.mark.parametrize("bad_output", [None, "text", [1, 2]])
async def test_output_that_is_not_nodes_is_refused_and_not_cached(bad_output: object) -> None:
    cache = IngestionCache()

    async def acall(nodes: list[BaseNode], **kwargs: object) -> object:
        return bad_output

    class Bad:
        def __call__(self, nodes: list[BaseNode], **kwargs: object) -> object:
            return bad_output

    bad = Bad()
    bad.acall = acall  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError, match="must return a list of nodes"):
        run_transformations(_nodes(), [bad], cache=cache)
    with pytest.raises(InvalidInputError, match="must return a list of nodes"):
        await arun_transformations(_nodes(), [bad], cache=cache)
    assert cache.hits == 0


def test_vector_lookups_count_hits_and_misses_like_node_lookups() -> None:
    cache = IngestionCache()
    key = IngestionCache.vector_key("model", "text")
    assert cache.get_vector(key) is None
    cache.put_vector(key, [0.5, -1.25])
    assert cache.get_vector(key) == [0.5, -1.25]
    assert (cache.hits, cache.misses) == (1, 1)
