"""A bare string where a list of ids is expected is an error, never iterated character by character."""
# These tests call the API the way LlamaIndex users do (positional model fields, keyword dicts, wrong
# types on purpose) and check the runtime answer, which the type checker cannot see.
# mypy: disable-error-code="arg-type,misc,call-arg,assignment,comparison-overlap,attr-defined"

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dovetail.core import VectorStoreIndex
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery


def _nodes() -> list[TextNode]:
    # ids "n" and "1" are what "n1" would be iterated into
    return [
        TextNode(id_=node_id, text=node_id, embedding=[1.0, float(i)]) for i, node_id in enumerate(["n1", "n", "1"])
    ]


def _store() -> SimpleVectorStore:
    store = SimpleVectorStore()
    store.add(_nodes())
    return store


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.delete_nodes(node_ids="n1"),
        lambda store: store.get_nodes(node_ids="n1"),
        lambda store: store.delete_nodes(node_ids=[1, 2]),
        lambda store: store.delete(["n1"]),
    ],
    ids=["delete_nodes", "get_nodes", "non-string ids", "delete with a list"],
)
def test_simple_vector_store_rejects_a_string_of_ids(call: Callable[[SimpleVectorStore], Any]) -> None:
    store = _store()
    with pytest.raises(InvalidInputError, match=r"node_ids|ref_doc_id"):
        call(store)
    assert sorted(node.node_id for node in store.get_nodes()) == ["1", "n", "n1"]


@pytest.mark.parametrize("field", ["node_ids", "doc_ids"])
def test_a_query_with_a_string_of_ids_is_rejected_when_built(field: str) -> None:
    with pytest.raises(InvalidInputError, match=f"{field} must be a list of ids"):
        VectorStoreQuery(query_embedding=[1.0, 0.0], **{field: "n1"})


def test_a_query_whose_ids_became_a_string_later_is_rejected_by_the_store() -> None:
    query = VectorStoreQuery(query_embedding=[1.0, 0.0], similarity_top_k=3)
    query.node_ids = "n1"
    with pytest.raises(InvalidInputError, match="node_ids"):
        _store().query(query)


def test_tuples_and_sets_of_ids_still_work() -> None:
    store = _store()
    assert sorted(n.node_id for n in store.get_nodes(node_ids=("n", "1"))) == ["1", "n"]
    store.delete_nodes(node_ids={"n"})
    assert sorted(n.node_id for n in store.get_nodes()) == ["1", "n1"]


def test_docstore_get_nodes_rejects_a_string() -> None:
    docstore = SimpleDocumentStore()
    docstore.add_documents(_nodes())
    with pytest.raises(InvalidInputError, match="node_ids"):
        docstore.get_nodes("n1")
    assert [n.node_id for n in docstore.get_nodes(["n1"])] == ["n1"]


def test_index_delete_nodes_and_retriever_reject_a_string() -> None:
    index = VectorStoreIndex(nodes=_nodes(), embed_model=MockEmbedding(embed_dim=2))
    with pytest.raises(InvalidInputError, match="node_ids"):
        index.delete_nodes("n1")
    assert sorted(n.node_id for n in index.vector_store.get_nodes()) == ["1", "n", "n1"]
    with pytest.raises(InvalidInputError, match="doc_ids"):
        index.as_retriever(doc_ids="doc")
