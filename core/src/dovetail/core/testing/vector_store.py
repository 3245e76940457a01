"""Conformance kit for vector stores (``BasePydanticVectorStore`` subclasses).

Example:
    ```python
    import pytest
    from dovetail.core.testing import VectorStoreConformance
    from dovetail.core.vector_stores import SimpleVectorStore


    class TestSimpleVectorStore(VectorStoreConformance):
        @pytest.fixture
        def vector_store(self):
            return SimpleVectorStore()
    ```
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import uuid
from typing import Any
from typing import ClassVar

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import BaseNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.testing._guard import ConformanceBase
from dovetail.core.testing.leaks import assert_no_secret_leak
from dovetail.core.vector_stores import BasePydanticVectorStore
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import VectorStoreQuery

__all__ = ["EMBED_DIM", "VectorStoreConformance", "fake_embedding", "kit_id"]

EMBED_DIM = 6
_NAMESPACE = uuid.UUID("6f1d1c57-4b4e-4f43-9a59-2b0d0c1e7a11")


def kit_id(name: str) -> str:
    """The deterministic UUID the kit uses for node/document ``name`` (many stores require UUID ids)."""
    return str(uuid.uuid5(_NAMESPACE, name))


def fake_embedding(text: str) -> list[float]:
    """A deterministic, normalised 6-d embedding of ``text`` (same text, same vector, on every machine)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(digest[i] - 127.5) / 127.5 for i in range(EMBED_DIM)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def _unit(axis: int, tilt: float = 0.0) -> list[float]:
    vector = [0.0] * EMBED_DIM
    vector[axis] = 1.0
    vector[(axis + 1) % EMBED_DIM] = tilt
    return vector


# name -> (document, text, embedding, metadata). "a" and "b" share document d1 and point almost the same way.
_ROWS: dict[str, tuple[str, str, list[float], dict[str, Any]]] = {
    "a": ("d1", "alpha", _unit(0), {"color": "red", "year": 2020, "tags": ["x", "y"]}),
    "b": ("d1", "bravo", _unit(0, 0.3), {"color": "blue", "year": 2021, "tags": ["y"]}),
    "c": ("d2", "charlie", _unit(1), {"color": "red", "year": 2022, "tags": ["z"]}),
    "d": ("d3", "delta", _unit(2), {"color": "green", "year": 2019, "tags": ["w"]}),
}
_EVERYTHING = [1.0] * EMBED_DIM

_FILTER_CASES: list[tuple[str, list[dict[str, Any]], str, set[str]]] = [
    ("eq", [{"key": "color", "value": "red"}], "and", {"a", "c"}),
    ("ne", [{"key": "color", "value": "red", "operator": "!="}], "and", {"b", "d"}),
    ("gt", [{"key": "year", "value": 2020, "operator": ">"}], "and", {"b", "c"}),
    ("gte", [{"key": "year", "value": 2020, "operator": ">="}], "and", {"a", "b", "c"}),
    ("lt", [{"key": "year", "value": 2020, "operator": "<"}], "and", {"d"}),
    ("lte", [{"key": "year", "value": 2020, "operator": "<="}], "and", {"a", "d"}),
    ("in", [{"key": "color", "value": ["blue", "green"], "operator": "in"}], "and", {"b", "d"}),
    ("nin", [{"key": "color", "value": ["blue", "green"], "operator": "nin"}], "and", {"a", "c"}),
    ("and", [{"key": "color", "value": "red"}, {"key": "year", "value": 2021, "operator": ">"}], "and", {"c"}),
    ("or", [{"key": "color", "value": "blue"}, {"key": "year", "value": 2019}], "or", {"b", "d"}),
    (
        "nested",
        [
            {"key": "color", "value": "red"},
            {"filters": [{"key": "year", "value": 2020}, {"key": "year", "value": 2022}], "condition": "or"},
        ],
        "and",
        {"a", "c"},
    ),
]


class VectorStoreConformance(ConformanceBase):
    """Kit tests every vector store must pass.

    Subclass it and provide a ``vector_store`` fixture returning an EMPTY store (pointed at a local server when
    the store is remote) for ``EMBED_DIM``-dimensional (6) vectors; the kit supplies the nodes and embeddings.

    Attributes:
        supports_filters: ``MetadataFilters`` with ==, !=, >, >=, <, <=, in, nin and nested and/or work.
        supports_async: the async twins are worth testing (the base class always provides them).
        supports_get_nodes: ``get_nodes`` by ids and by filters works.
        supports_delete_nodes: ``delete_nodes`` by ids (and by filters, with ``supports_filters``) works.
        supports_text_storage: query results carry node text and metadata (``stores_text``).
        validates_embeddings: the store rejects wrong-dimension or NaN vectors with ``InvalidInputError``.
        reports_cosine: similarities are cosine (an exact match scores 1.0); turn off for dot/distance stores.

    Troubleshooting:
        - ``test_add_then_query_round_trip``: make ``add`` return ids in input order and ``query`` return
          ``ids``, ``nodes`` and ``similarities`` as parallel lists, best first.
        - ``test_top_k_ordering``: similarities must be "higher is closer" (negate distances).
        - ``test_upsert_same_id_keeps_one_row``: writing an id again must replace, not duplicate.
        - ``test_delete_by_ref_doc_id``: store ``node.ref_doc_id`` as a field you can delete by.
        - ``test_filters``: a missing key matches nothing; ``nin``/``!=`` do not match rows without the key.
        - ``test_empty_store_query``: an empty (or never created) collection must give an empty result.
        - ``test_wrong_dimension_*``: validate before calling the provider and raise
          ``dovetail.core.errors.InvalidInputError``, leaving stored data untouched.
        - ``test_no_secret_in_repr_logs_or_errors``: keep keys in ``pydantic.SecretStr`` fields, out of
          ``__repr__``, log lines and error messages (scrub provider messages that echo them).
    """

    _kit_class: ClassVar[bool] = True
    supports_filters: ClassVar[bool] = True
    supports_async: ClassVar[bool] = True
    supports_get_nodes: ClassVar[bool] = True
    supports_delete_nodes: ClassVar[bool] = True
    supports_text_storage: ClassVar[bool] = True
    validates_embeddings: ClassVar[bool] = True
    reports_cosine: ClassVar[bool] = True

    @pytest.fixture
    def vector_store(self) -> BasePydanticVectorStore:
        """Override: return an empty store for 6-d vectors."""
        pytest.fail("VectorStoreConformance subclasses must define a `vector_store` fixture returning an empty store")

    # -- helpers ------------------------------------------------------------------------------------------

    @staticmethod
    def kit_nodes(names: str = "abcd") -> list[TextNode]:
        """The kit's nodes (fresh objects on every call)."""
        nodes = []
        for name in names:
            doc, text, embedding, metadata = _ROWS[name]
            nodes.append(
                TextNode(
                    id_=kit_id(name),
                    text=text,
                    embedding=list(embedding),
                    metadata=dict(metadata),
                    relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=kit_id(doc))},
                )
            )
        return nodes

    @staticmethod
    def names(ids: list[str] | None) -> list[str]:
        """Kit names for store ids (unknown ids are kept as they are)."""
        back = {kit_id(name): name for name in _ROWS}
        return [back.get(node_id, node_id) for node_id in ids or []]

    def stored_names(self, store: BasePydanticVectorStore) -> set[str]:
        """Names of every node in the store, via a broad query."""
        result = store.query(VectorStoreQuery(query_embedding=_EVERYTHING, similarity_top_k=100))
        return set(self.names(result.ids))

    @staticmethod
    def _skip_unless(flag: bool, what: str) -> None:
        if not flag:
            pytest.skip(f"store does not support {what}")

    # -- add / query ----------------------------------------------------------------------------------------

    def test_add_then_query_round_trip(self, vector_store: BasePydanticVectorStore) -> None:
        ids = vector_store.add(self.kit_nodes())
        assert ids == [kit_id(name) for name in "abcd"]
        result = vector_store.query(VectorStoreQuery(query_embedding=_unit(1), similarity_top_k=1))
        assert self.names(result.ids) == ["c"]
        assert result.similarities is not None
        assert len(result.similarities) == 1
        if self.supports_text_storage:
            assert result.nodes is not None
            assert result.nodes[0].get_content() == "charlie"
            assert result.nodes[0].metadata["color"] == "red"

    def test_top_k_ordering(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes())
        result = vector_store.query(VectorStoreQuery(query_embedding=_unit(0), similarity_top_k=3))
        assert self.names(result.ids)[:2] == ["a", "b"]
        assert len(result.ids or []) == 3
        sims = result.similarities or []
        assert all(x >= y - 1e-6 for x, y in itertools.pairwise(sims))

    def test_query_with_fake_embeddings(self, vector_store: BasePydanticVectorStore) -> None:
        texts = ["dovetail joint", "mortise and tenon", "biscuit joint", "pocket screw", "finger joint"]
        nodes = [TextNode(id_=kit_id(text), text=text, embedding=fake_embedding(text)) for text in texts]
        vector_store.add(nodes)
        for text in texts:
            result = vector_store.query(VectorStoreQuery(query_embedding=fake_embedding(text), similarity_top_k=1))
            assert result.ids == [kit_id(text)]
            assert result.similarities is not None
            assert result.similarities[0] == pytest.approx(1.0, abs=1e-4) or not self.reports_cosine

    def test_top_k_larger_than_store(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes("ab"))
        result = vector_store.query(VectorStoreQuery(query_embedding=_unit(0), similarity_top_k=10))
        assert sorted(self.names(result.ids)) == ["a", "b"]

    def test_empty_store_query(self, vector_store: BasePydanticVectorStore) -> None:
        result = vector_store.query(VectorStoreQuery(query_embedding=_unit(0), similarity_top_k=3))
        assert not result.ids
        assert not result.nodes

    def test_upsert_same_id_keeps_one_row(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes())
        changed = self.kit_nodes("a")[0]
        changed.text = "alpha v2"
        vector_store.add([changed])
        assert self.stored_names(vector_store) == {"a", "b", "c", "d"}
        result = vector_store.query(VectorStoreQuery(query_embedding=_everything(), similarity_top_k=100))
        assert len(result.ids or []) == 4
        if self.supports_text_storage:
            hit = vector_store.query(VectorStoreQuery(query_embedding=_unit(0), similarity_top_k=1))
            assert hit.nodes is not None
            assert hit.nodes[0].get_content() == "alpha v2"

    def test_clear(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes())
        vector_store.clear()
        assert self.stored_names(vector_store) == set()

    # -- deletes / reads ------------------------------------------------------------------------------------

    def test_delete_by_ref_doc_id(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes())
        vector_store.delete(kit_id("d1"))
        assert self.stored_names(vector_store) == {"c", "d"}

    def test_delete_unknown_ref_doc_id_is_noop(self, vector_store: BasePydanticVectorStore) -> None:
        vector_store.add(self.kit_nodes())
        vector_store.delete(kit_id("no-such-document"))
        assert self.stored_names(vector_store) == {"a", "b", "c", "d"}

    def test_delete_nodes_by_ids(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_delete_nodes, "delete_nodes")
        vector_store.add(self.kit_nodes())
        vector_store.delete_nodes(node_ids=[kit_id("a"), kit_id("c"), kit_id("unknown")])
        assert self.stored_names(vector_store) == {"b", "d"}

    def test_delete_nodes_by_filters(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_delete_nodes and self.supports_filters, "delete_nodes with filters")
        vector_store.add(self.kit_nodes())
        vector_store.delete_nodes(filters=MetadataFilters(filters=[MetadataFilter(key="color", value="red")]))
        assert self.stored_names(vector_store) == {"b", "d"}

    def test_get_nodes_by_ids(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_get_nodes, "get_nodes")
        vector_store.add(self.kit_nodes())
        nodes = vector_store.get_nodes(node_ids=[kit_id("b"), kit_id("unknown"), kit_id("d")])
        assert sorted(self.names([node.node_id for node in nodes])) == ["b", "d"]
        if self.supports_text_storage:
            assert {node.get_content() for node in nodes} == {"bravo", "delta"}

    def test_get_nodes_by_filters(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_get_nodes and self.supports_filters, "get_nodes with filters")
        vector_store.add(self.kit_nodes())
        filters = MetadataFilters(filters=[MetadataFilter(key="year", value=2021, operator=">=")])
        nodes = vector_store.get_nodes(filters=filters)
        assert sorted(self.names([node.node_id for node in nodes])) == ["b", "c"]

    # -- filters --------------------------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("filter_dicts", "condition", "expected"),
        [case[1:] for case in _FILTER_CASES],
        ids=[case[0] for case in _FILTER_CASES],
    )
    def test_filters(
        self,
        vector_store: BasePydanticVectorStore,
        filter_dicts: list[dict[str, Any]],
        condition: str,
        expected: set[str],
    ) -> None:
        self._skip_unless(self.supports_filters, "metadata filters")
        vector_store.add(self.kit_nodes())
        filters = MetadataFilters.from_dicts(filter_dicts, condition=condition)
        result = vector_store.query(
            VectorStoreQuery(query_embedding=_everything(), similarity_top_k=10, filters=filters)
        )
        assert set(self.names(result.ids)) == expected

    def test_filter_on_missing_key_matches_nothing(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_filters, "metadata filters")
        vector_store.add(self.kit_nodes())
        filters = MetadataFilters(filters=[MetadataFilter(key="no_such_key", value="x")])
        result = vector_store.query(
            VectorStoreQuery(query_embedding=_everything(), similarity_top_k=10, filters=filters)
        )
        assert not result.ids

    def test_unknown_operator_is_rejected(self) -> None:
        with pytest.raises(InvalidInputError, match="unknown filter operator"):
            MetadataFilters.from_dicts([{"key": "color", "value": "red", "operator": "~="}])

    # -- bad input ------------------------------------------------------------------------------------------

    def test_wrong_dimension_query_raises(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.validates_embeddings, "embedding validation")
        vector_store.add(self.kit_nodes())
        with pytest.raises(InvalidInputError):
            vector_store.query(VectorStoreQuery(query_embedding=[1.0] * (EMBED_DIM - 1), similarity_top_k=1))

    def test_wrong_dimension_add_raises_and_keeps_data(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.validates_embeddings, "embedding validation")
        vector_store.add(self.kit_nodes("ab"))
        good, bad = self.kit_nodes("cd")
        bad.embedding = [1.0] * (EMBED_DIM + 1)
        with pytest.raises(InvalidInputError):
            vector_store.add([good, bad])
        assert self.stored_names(vector_store) == {"a", "b"}

    def test_nan_embedding_raises(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.validates_embeddings, "embedding validation")
        node = self.kit_nodes("a")[0]
        node.embedding = [float("nan")] * EMBED_DIM
        with pytest.raises(InvalidInputError):
            vector_store.add([node])
        assert self.stored_names(vector_store) == set()

    def test_a_string_of_ids_is_rejected_and_keeps_data(self, vector_store: BasePydanticVectorStore) -> None:
        """``node_ids="a"`` is one id written without its list: it must not act on ids ``"a"``'s characters."""
        vector_store.add(self.kit_nodes())
        if self.supports_delete_nodes:
            with pytest.raises(InvalidInputError, match="node_ids"):
                vector_store.delete_nodes(node_ids=kit_id("a"))  # type: ignore[arg-type]
        if self.supports_get_nodes:
            with pytest.raises(InvalidInputError, match="node_ids"):
                vector_store.get_nodes(node_ids=kit_id("a"))  # type: ignore[arg-type]
        assert self.stored_names(vector_store) == {"a", "b", "c", "d"}

    def test_node_without_embedding_raises(self, vector_store: BasePydanticVectorStore) -> None:
        node = self.kit_nodes("a")[0]
        node.embedding = None
        with pytest.raises(InvalidInputError):
            vector_store.add([node])

    # -- async twins ----------------------------------------------------------------------------------------

    @pytest.mark.asyncio
    async def test_async_add_and_query(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_async, "async")
        ids = await vector_store.async_add(self.kit_nodes())
        assert ids == [kit_id(name) for name in "abcd"]
        result = await vector_store.aquery(VectorStoreQuery(query_embedding=_unit(2), similarity_top_k=1))
        assert self.names(result.ids) == ["d"]

    @pytest.mark.asyncio
    async def test_async_deletes_and_clear(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_async, "async")
        await vector_store.async_add(self.kit_nodes())
        await vector_store.adelete(kit_id("d1"))
        assert self.stored_names(vector_store) == {"c", "d"}
        if self.supports_delete_nodes:
            await vector_store.adelete_nodes(node_ids=[kit_id("c")])
            assert self.stored_names(vector_store) == {"d"}
        await vector_store.aclear()
        assert self.stored_names(vector_store) == set()

    @pytest.mark.asyncio
    async def test_async_get_nodes(self, vector_store: BasePydanticVectorStore) -> None:
        self._skip_unless(self.supports_async and self.supports_get_nodes, "async get_nodes")
        await vector_store.async_add(self.kit_nodes())
        nodes: list[BaseNode] = await vector_store.aget_nodes(node_ids=[kit_id("a")])
        assert self.names([node.node_id for node in nodes]) == ["a"]

    # -- secrets ------------------------------------------------------------------------------------------

    def test_no_secret_in_repr_logs_or_errors(
        self, vector_store: BasePydanticVectorStore, caplog: pytest.LogCaptureFixture
    ) -> None:
        """No ``SecretStr`` value of the store appears in its ``repr``/``str``, its serialised form, the log
        lines (DEBUG included) of a rejected write, or that error and its chain."""
        caplog.set_level(logging.DEBUG)
        texts = [vector_store.model_dump_json()]
        node = self.kit_nodes("a")[0]
        node.embedding = [1.0] * (EMBED_DIM + 1)
        try:
            vector_store.add([node])
        except Exception as exc:  # the error itself is checked by test_wrong_dimension_add_raises_and_keeps_data
            chained: BaseException | None = exc
            while chained is not None:
                texts += [str(chained), repr(chained)]
                chained = chained.__cause__ or chained.__context__
        texts.append(caplog.text)
        assert_no_secret_leak(vector_store, *texts)


def _everything() -> list[float]:
    return list(_EVERYTHING)
