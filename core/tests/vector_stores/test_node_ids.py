"""SimpleVectorStore.node_ids lists what get_nodes would return, without rebuilding nodes."""

from __future__ import annotations

from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import SimpleVectorStore


def _nodes(count: int) -> list[TextNode]:
    return [TextNode(id_=f"n{i}", text=f"text {i}", embedding=[1.0, float(i), 0.5]) for i in range(count)]


def test_node_ids_match_get_nodes_after_adds_and_deletes() -> None:
    store = SimpleVectorStore()
    assert store.node_ids() == []
    store.add(_nodes(6))
    store.delete_nodes(["n1", "n4"])
    assert store.node_ids() == [node.node_id for node in store.get_nodes()]
    assert set(store.node_ids()) == {"n0", "n2", "n3", "n5"}


def test_node_ids_returns_a_copy() -> None:
    store = SimpleVectorStore()
    store.add(_nodes(2))
    store.node_ids().append("not stored")
    assert store.node_ids() == ["n0", "n1"]


def test_the_index_struct_s_nodes_dict_comes_from_the_store_ids() -> None:
    index = VectorStoreIndex(_nodes(5), embed_model=MockEmbedding(embed_dim=3))
    index.delete_nodes(["n2"])
    store = index.vector_store
    assert isinstance(store, SimpleVectorStore)
    assert index.index_struct.nodes_dict == {i: i for i in store.node_ids()}
    assert "n2" not in index.index_struct.nodes_dict


def test_the_base_default_lists_ids_through_get_nodes_and_agrees_with_the_fast_path() -> None:
    from dovetail.core.vector_stores import BasePydanticVectorStore

    store = SimpleVectorStore()
    store.add(_nodes(4))
    store.delete_nodes(["n0"])
    assert BasePydanticVectorStore.node_ids(store) == store.node_ids()
    assert set(store.node_ids()) == {"n1", "n2", "n3"}
