"""The public contract: exports, lazy numpy, filter/operator parsing, base-class async defaults."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import dovetail.core.vector_stores as vector_stores
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import TextNode
from dovetail.core.testing.loop import LoopProgress
from dovetail.core.vector_stores import BasePydanticVectorStore
from dovetail.core.vector_stores import FilterCondition
from dovetail.core.vector_stores import FilterOperator
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery
from dovetail.core.vector_stores import VectorStoreQueryMode
from dovetail.core.vector_stores import VectorStoreQueryResult
from pydantic import Field


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        vector_stores.Nope  # noqa: B018


def test_import_does_not_import_numpy() -> None:
    code = (
        "import sys\n"
        "import dovetail.core.vector_stores as v\n"
        "from dovetail.core.vector_stores import MetadataFilters, VectorStoreQuery\n"
        "assert 'numpy' not in sys.modules, 'numpy imported by the contract'\n"
        "v.SimpleVectorStore\n"
        "assert 'numpy' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_operator_values_match_llamaindex() -> None:
    assert {op.name: op.value for op in FilterOperator} == {
        "EQ": "==",
        "NE": "!=",
        "GT": ">",
        "GTE": ">=",
        "LT": "<",
        "LTE": "<=",
        "IN": "in",
        "NIN": "nin",
        "CONTAINS": "contains",
        "TEXT_MATCH": "text_match",
        "IS_EMPTY": "is_empty",
        "ANY": "any",
        "ALL": "all",
    }
    assert [c.value for c in FilterCondition] == ["and", "or", "not"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (">=", FilterOperator.GTE),
        ("GTE", FilterOperator.GTE),
        ("nin", FilterOperator.NIN),
        (FilterOperator.ALL, FilterOperator.ALL),
    ],
)
def test_operator_parse(raw: Any, expected: FilterOperator) -> None:
    assert FilterOperator.parse(raw) is expected
    assert MetadataFilter(key="k", value=1, operator=raw).operator is expected


@pytest.mark.parametrize("raw", ["=~", "like", "", 3, None])
def test_unknown_operator_lists_valid_ones(raw: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        MetadataFilter(key="k", value=1, operator=raw)
    message = str(info.value)
    assert "unknown filter operator" in message
    for op in FilterOperator:
        assert repr(op.value) in message


def test_unknown_condition_raises() -> None:
    with pytest.raises(InvalidInputError, match="unknown filter condition 'xor'"):
        MetadataFilters(filters=[], condition="xor")


def test_from_dicts_builds_nested_groups() -> None:
    filters = MetadataFilters.from_dicts(
        [
            {"key": "a", "value": 1, "operator": ">"},
            {
                "filters": [{"key": "b", "value": ["x"], "operator": "in"}, {"key": "c", "value": "y"}],
                "condition": "or",
            },
        ],
        condition="not",
    )
    assert filters.condition is FilterCondition.NOT
    first, group = filters.filters
    assert isinstance(first, MetadataFilter)
    assert first.operator is FilterOperator.GT
    assert isinstance(group, MetadataFilters)
    assert group.condition is FilterCondition.OR
    assert filters.keys() == {"a", "b", "c"}


def test_from_dicts_rejects_unknown_operator_in_nested_group() -> None:
    with pytest.raises(InvalidInputError, match="unknown filter operator 'between'"):
        MetadataFilters.from_dicts([{"filters": [{"key": "b", "value": 1, "operator": "between"}]}])


@pytest.mark.parametrize("entry", [{"value": 1}, "color == red", 42])
def test_from_dicts_rejects_malformed_entries(entry: Any) -> None:
    with pytest.raises(InvalidInputError, match="cannot use"):
        MetadataFilters.from_dicts([entry])


def test_filter_values_keep_their_types() -> None:
    assert MetadataFilter(key="k", value=True).value is True
    assert MetadataFilter(key="k", value=1).value == 1
    assert isinstance(MetadataFilter(key="k", value=1.5).value, float)
    assert MetadataFilter(key="k", value=["a", 1]).value == ["a", 1]


def test_query_defaults_match_llamaindex() -> None:
    query = VectorStoreQuery()
    assert query.similarity_top_k == 1
    assert query.mode is VectorStoreQueryMode.DEFAULT
    assert query.filters is None
    assert VectorStoreQueryResult().ids is None


class _SlowStore(BasePydanticVectorStore):
    """A minimal store whose sync methods block, to check the async defaults run them off the loop."""

    stores_text: bool = False
    threads: list[int] = []
    pause: Callable[[], None] = Field(default=lambda: None, exclude=True)  # where the work blocks

    @property
    def client(self) -> None:
        return None

    def _block(self) -> None:
        self.threads.append(threading.get_ident())
        self.pause()

    def add(self, nodes: Sequence[BaseNode], **kwargs: Any) -> list[str]:
        self._block()
        assert kwargs == {"flag": 1}
        return [n.node_id for n in nodes]

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        self._block()

    def delete_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kw: Any
    ) -> None:
        self._block()

    def get_nodes(
        self, node_ids: list[str] | None = None, filters: MetadataFilters | None = None, **kw: Any
    ) -> list[BaseNode]:
        self._block()
        return []

    def clear(self, **kwargs: Any) -> None:
        self._block()

    def query(self, query: VectorStoreQuery, **kwargs: Any) -> VectorStoreQueryResult:
        self._block()
        return VectorStoreQueryResult(ids=[])


def test_base_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        BasePydanticVectorStore(stores_text=True)  # type: ignore[abstract]


async def test_async_defaults_do_not_block_the_loop() -> None:
    pairs = threading.Barrier(2, timeout=30)  # passes only when two calls block at the same time

    def pause() -> None:
        progress.wait()
        pairs.wait()

    async with LoopProgress() as progress:
        store = _SlowStore(threads=[], pause=pause)
        results = await asyncio.gather(
            store.async_add([TextNode(id_="n")], flag=1),
            store.adelete("d"),
            store.adelete_nodes(["n"]),
            store.aget_nodes(["n"]),
            store.aclear(),
            store.aquery(VectorStoreQuery(query_embedding=[1.0])),
        )
    assert results[0] == ["n"]
    assert threading.get_ident() not in store.threads
    assert len(store.threads) == 6
    assert progress.waits == 6  # each call blocked in a worker thread while the loop kept running
    assert not pairs.broken  # and they ran concurrently, not one after another


def test_persist_default_is_a_no_op(tmp_path: Any) -> None:
    _SlowStore(threads=[]).persist(str(tmp_path / "x.json"))
    assert list(tmp_path.iterdir()) == []
