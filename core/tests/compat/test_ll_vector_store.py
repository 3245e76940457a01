"""LlamaIndex's own ``indices/vector_store`` tests (``test_simple.py``, ``test_simple_async.py``,
``test_retrievers.py``), written again against dovetail's import path.

LlamaIndex's fixtures patch its sentence splitter to cut on newlines and embed known sentences as unit vectors;
here ``Settings.transformations`` and ``Settings.embed_model`` do the same through public extension points
(``LineSplitter``, ``AxisEmbedding``). LlamaIndex's ``SimpleVectorStore.get(text_id)`` reads a stored vector;
dovetail's store returns it through ``get_nodes``. Tests that call private LlamaIndex helpers
(``VectorIndexRetriever._insert_fetched_nodes_into_query_result``) have no counterpart and are not repeated.
"""
# LlamaIndex users write QueryBundle("...") positionally; the runtime takes it, the type checker cannot see it.
# mypy: disable-error-code="misc"

from __future__ import annotations

import pickle
from typing import Any

import pytest
from dovetail.core.indices import SimpleKeywordTableIndex
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.schema import Document
from dovetail.core.schema import ImageNode
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import QueryBundle
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.settings import Settings
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from ._ll import LINES
from ._ll import AxisEmbedding
from ._ll import LineSplitter
from ._ll import axis
from ._ll import documents

BUILT = [(line, axis(i)) for i, line in enumerate(LINES)]


@pytest.fixture(autouse=True)
def line_nodes_and_axis_vectors() -> None:
    Settings.transformations = [LineSplitter()]
    Settings.embed_model = AxisEmbedding()


def stored(index: VectorStoreIndex, with_ref: bool = False) -> list[tuple[Any, ...]]:
    """``(content, vector[, ref_doc_id])`` of every node of ``index.index_struct.nodes_dict``."""
    rows = []
    for text_id, node_id in index.index_struct.nodes_dict.items():
        node = index.docstore.get_node(node_id)
        assert isinstance(index.vector_store, SimpleVectorStore)
        (vector_node,) = index.vector_store.get_nodes(node_ids=[text_id])
        row: tuple[Any, ...] = (node.get_content(), vector_node.embedding)
        rows.append((*row, node.ref_doc_id) if with_ref else row)
    return rows


def four_documents() -> list[Document]:
    return [Document(text=line, id_=f"test_id_{i}") for i, line in enumerate(LINES)]


# ------------------------------------------------------------------ test_simple.py
def test_build_simple() -> None:
    docs = documents()
    index = VectorStoreIndex.from_documents(documents=docs, embed_model=AxisEmbedding())
    assert len(index.index_struct.nodes_dict) == 4
    assert sorted(stored(index)) == sorted(BUILT)
    assert list(index.ref_doc_info) == [doc.node_id for doc in docs]


def test_simple_insert() -> None:
    index = VectorStoreIndex.from_documents(documents=documents(), embed_model=AxisEmbedding())
    index.insert(Document(text="This is a test v3."))
    index.insert(Document(text=""))  # an empty document adds no node
    assert sorted(stored(index)) == sorted([*BUILT, ("This is a test v3.", axis(4))])


def test_simple_delete() -> None:
    index = VectorStoreIndex.from_documents(documents=four_documents(), embed_model=AxisEmbedding())
    index.delete_ref_doc("test_id_0")
    assert len(index.index_struct.nodes_dict) == 3
    expected = [(line, axis(i), f"test_id_{i}") for i, line in enumerate(LINES) if i]
    assert sorted(stored(index, with_ref=True)) == sorted(expected)

    index.insert(Document(text="Hello world backup.", id_="test_id_0"))
    assert len(index.index_struct.nodes_dict) == 4
    assert sorted(stored(index, with_ref=True)) == sorted([("Hello world backup.", axis(0), "test_id_0"), *expected])


def test_simple_delete_ref_node_from_docstore() -> None:
    docs = [Document(text="This is a test.", id_="test_id_1"), Document(text="This is another test.", id_="test_id_2")]
    index = VectorStoreIndex.from_documents(documents=docs, embed_model=AxisEmbedding())
    assert index.docstore.get_ref_doc_info("test_id_1") is not None
    index.delete_ref_doc("test_id_1", delete_from_docstore=True)
    assert index.docstore.get_ref_doc_info("test_id_1") is None


def _keyword_index_with_two_documents() -> tuple[SimpleKeywordTableIndex, list[str]]:
    docs = [Document(text="This is a test.", id_="test_id_1"), Document(text="This is another test.", id_="test_id_2")]
    index = SimpleKeywordTableIndex.from_documents(documents=docs)
    info = index.docstore.get_ref_doc_info("test_id_1")
    assert info is not None
    assert info.node_ids
    assert all(index.docstore.get_node(node_id, raise_error=False) is not None for node_id in info.node_ids)
    return index, list(info.node_ids)


def _only_first_document_gone(index: SimpleKeywordTableIndex, node_ids: list[str]) -> None:
    assert index.docstore.get_ref_doc_info("test_id_1") is None
    assert all(index.docstore.get_node(node_id, raise_error=False) is None for node_id in node_ids)
    other = index.docstore.get_ref_doc_info("test_id_2")
    assert other is not None
    assert all(index.docstore.get_node(node_id, raise_error=False) is not None for node_id in other.node_ids)


def test_delete_ref_doc_nodes_removed_from_docstore() -> None:
    index, node_ids = _keyword_index_with_two_documents()
    index.delete_ref_doc("test_id_1", delete_from_docstore=True)
    _only_first_document_gone(index, node_ids)


def test_simple_async_keyword_is_refused_with_what_to_do() -> None:
    # LlamaIndex's ``use_async=True`` builds the same index; dovetail refuses the keyword (see DECISIONS.md)
    with pytest.raises(TypeError, match=r"use_async=: .*await index\.ainsert\(document\)"):
        VectorStoreIndex.from_documents(documents=documents(), use_async=True, embed_model=AxisEmbedding())  # type: ignore[call-arg]


def test_skip_embedding_is_refused_with_what_to_do() -> None:
    # LlamaIndex's vector_store/test_base.py: skip_embedding=True stores nodes without vectors, for stores that
    # embed on their side; dovetail does not offer it and says so instead of naming another keyword
    with pytest.raises(TypeError, match=r"skip_embedding=: dovetail embeds every node"):
        VectorStoreIndex.from_documents(documents=documents(), skip_embedding=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="skip_embedding"):
        VectorStoreIndex(nodes=[], skip_embedding=True)  # type: ignore[call-arg]


async def test_async_build_gives_the_same_nodes() -> None:
    # what LlamaIndex's test_simple_async checks, through dovetail's async path
    index = VectorStoreIndex(embed_model=AxisEmbedding())
    await index.ainsert(documents()[0])
    assert len(index.index_struct.nodes_dict) == 4
    assert sorted(stored(index)) == sorted(BUILT)


def test_simple_insert_save() -> None:
    storage_context = StorageContext.from_defaults()
    index = VectorStoreIndex.from_documents(
        documents=documents(), embed_model=AxisEmbedding(), storage_context=storage_context
    )
    loaded = load_index_from_storage(storage_context=storage_context)
    assert isinstance(loaded, VectorStoreIndex)
    assert index.index_struct == loaded.index_struct

    index.insert(Document(text="This is a test v3."))
    loaded = load_index_from_storage(storage_context=storage_context)
    assert isinstance(loaded, VectorStoreIndex)
    assert index.index_struct == loaded.index_struct
    assert len(loaded.index_struct.nodes_dict) == 5


class TrackingVectorStore(SimpleVectorStore):
    """Records the ids ``delete`` is called with."""

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._deleted: list[str] = []

    def delete(self, ref_doc_id: str, **delete_kwargs: Any) -> None:
        self._deleted.append(ref_doc_id)
        super().delete(ref_doc_id, **delete_kwargs)


def test_delete_ref_doc_calls_vector_store_with_ref_doc_id_only() -> None:
    store = TrackingVectorStore()
    index = VectorStoreIndex.from_documents(
        [Document(text="Hello world.", id_="my-doc-id")],
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=AxisEmbedding(),
    )
    index.delete_ref_doc("my-doc-id")
    assert store._deleted == ["my-doc-id"]


def test_simple_pickle() -> None:
    docs = documents()
    index = VectorStoreIndex.from_documents(documents=docs, embed_model=AxisEmbedding())
    new_index = pickle.loads(pickle.dumps(index))
    assert isinstance(new_index, VectorStoreIndex)
    assert len(new_index.index_struct.nodes_dict) == 4
    assert sorted(stored(new_index)) == sorted(BUILT)
    assert list(new_index.ref_doc_info) == [doc.node_id for doc in docs]


def _shared_docstore_indexes(document: Document) -> tuple[SimpleDocumentStore, VectorStoreIndex, VectorStoreIndex]:
    docstore = SimpleDocumentStore()
    built = [
        VectorStoreIndex.from_documents(
            documents=[document],
            storage_context=StorageContext.from_defaults(vector_store=SimpleVectorStore(), docstore=docstore),
            embed_model=AxisEmbedding(),
        )
        for _ in range(2)
    ]
    return docstore, built[0], built[1]


def _holds_one_node(docstore: SimpleDocumentStore, index: VectorStoreIndex, text: str, document: Document) -> None:
    found = docstore.get_nodes(list(index.index_struct.nodes_dict.values()))
    assert len(found) == 1
    assert found[0].get_content() == text
    assert found[0].source_node is not None
    assert found[0].source_node.hash == document.hash


def test_refresh_ref_docs_with_shared_docstore() -> None:
    docstore, index_1, index_2 = _shared_docstore_indexes(Document(text="Hello world.", id_="doc_id"))
    updated = Document(text="Hello world, again.", id_="doc_id")
    assert index_1.refresh_ref_docs([updated]) == [True]
    assert index_2.refresh_ref_docs([updated]) == [True]
    _holds_one_node(docstore, index_1, "Hello world, again.", updated)
    _holds_one_node(docstore, index_2, "Hello world, again.", updated)
    info = docstore.get_ref_doc_info("doc_id")
    assert info is not None
    assert set(info.node_ids) == {*index_1.index_struct.nodes_dict.values(), *index_2.index_struct.nodes_dict.values()}
    assert index_1.refresh_ref_docs([updated]) == [False]
    assert index_2.refresh_ref_docs([updated]) == [False]


def test_refresh_ref_docs_with_shared_docstore_inserts_missing_nodes() -> None:
    document = Document(text="Hello world.", id_="doc_id")
    docstore = SimpleDocumentStore()
    VectorStoreIndex.from_documents(
        documents=[document],
        storage_context=StorageContext.from_defaults(vector_store=SimpleVectorStore(), docstore=docstore),
        embed_model=AxisEmbedding(),
    )
    index_2 = VectorStoreIndex(
        nodes=[],
        storage_context=StorageContext.from_defaults(vector_store=SimpleVectorStore(), docstore=docstore),
        embed_model=AxisEmbedding(),
    )
    assert index_2.refresh_ref_docs([document]) == [True]
    _holds_one_node(docstore, index_2, "Hello world.", document)


async def test_arefresh_ref_docs_with_shared_docstore() -> None:
    docstore, index_1, index_2 = _shared_docstore_indexes(Document(text="Hello world.", id_="doc_id"))
    updated = Document(text="Hello world, again.", id_="doc_id")
    assert await index_1.arefresh_ref_docs([updated]) == [True]
    assert await index_2.arefresh_ref_docs([updated]) == [True]
    for index in (index_1, index_2):
        found = await docstore.aget_nodes(list(index.index_struct.nodes_dict.values()))
        assert [node.get_content() for node in found] == ["Hello world, again."]
    info = await docstore.aget_ref_doc_info("doc_id")
    assert info is not None
    assert set(info.node_ids) == {*index_1.index_struct.nodes_dict.values(), *index_2.index_struct.nodes_dict.values()}


# ------------------------------------------------------------------ test_simple_async.py
async def test_simple_insertion() -> None:
    index = VectorStoreIndex.from_documents(documents=documents(), embed_model=AxisEmbedding())
    await index.ainsert(Document(text="This is a test v3."))
    await index.ainsert(Document(text=""))
    assert sorted(stored(index)) == sorted([*BUILT, ("This is a test v3.", axis(4))])


async def test_simple_deletion() -> None:
    index = VectorStoreIndex.from_documents(documents=four_documents(), embed_model=AxisEmbedding())
    await index.adelete_ref_doc("test_id_0")
    assert len(index.index_struct.nodes_dict) == 3
    expected = [(line, axis(i), f"test_id_{i}") for i, line in enumerate(LINES) if i]
    assert sorted(stored(index, with_ref=True)) == sorted(expected)
    await index.ainsert(Document(text="Hello world backup.", id_="test_id_0"))
    assert len(index.index_struct.nodes_dict) == 4
    assert sorted(stored(index, with_ref=True)) == sorted([("Hello world backup.", axis(0), "test_id_0"), *expected])


def _contents_and_refs(index: VectorStoreIndex) -> list[tuple[str, str | None]]:
    found = [index.docstore.get_node(node_id) for node_id in index.index_struct.nodes_dict.values()]
    return sorted((node.get_content(), node.ref_doc_id) for node in found)


async def test_simple_update() -> None:
    docs = [Document(id_="1", text="Hello World"), Document(id_="2", text="This is a test")]
    index = VectorStoreIndex.from_documents(documents=docs, embed_model=AxisEmbedding())
    await index.aupdate_ref_doc(Document(id_="1", text="Hello World v1"))
    assert _contents_and_refs(index) == [("Hello World v1", "1"), ("This is a test", "2")]


async def test_simple_refresh() -> None:
    docs = [Document(id_="1", text="Hello World"), Document(id_="2", text="This is a test")]
    index = VectorStoreIndex.from_documents(documents=docs, embed_model=AxisEmbedding())
    await index.arefresh_ref_docs(
        [Document(id_="1", text="Hello World v1"), Document(id_="2", text="This is a test v1")]
    )
    assert _contents_and_refs(index) == [("Hello World v1", "1"), ("This is a test v1", "2")]


async def test_adelete_ref_doc_nodes_removed_from_docstore() -> None:
    index, node_ids = _keyword_index_with_two_documents()
    await index.adelete_ref_doc("test_id_1", delete_from_docstore=True)
    _only_first_document_gone(index, node_ids)


async def test_adelete_ref_doc_calls_vector_store_with_ref_doc_id_only() -> None:
    store = TrackingVectorStore()
    index = VectorStoreIndex.from_documents(
        [Document(text="Hello world.", id_="my-doc-id")],
        storage_context=StorageContext.from_defaults(vector_store=store),
        embed_model=AxisEmbedding(),
    )
    await index.adelete_ref_doc("my-doc-id")
    assert store._deleted == ["my-doc-id"]


# ------------------------------------------------------------------ test_retrievers.py
def test_simple_query() -> None:
    index = VectorStoreIndex.from_documents(documents(), embed_model=AxisEmbedding())
    found = index.as_retriever(similarity_top_k=1).retrieve(QueryBundle("What is?"))
    assert len(found) == 1
    assert found[0].node.get_content() == "This is another test."


def test_query_and_similarity_scores() -> None:
    index = VectorStoreIndex.from_documents(documents())
    found = index.as_retriever().retrieve(QueryBundle("What is?"))
    assert len(found) > 0
    assert found[0].score is not None


def test_simple_check_ids() -> None:
    source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id="ref_doc_id_test")}
    all_nodes = [TextNode(text=line, id_=f"node{i + 1}", relationships=dict(source)) for i, line in enumerate(LINES)]
    index = VectorStoreIndex(all_nodes)
    found = index.as_retriever().retrieve(QueryBundle("What is?"))
    assert found[0].node.get_content() == "This is another test."
    assert found[0].node.ref_doc_id == "ref_doc_id_test"
    assert found[0].node.node_id == "node3"
    (kept,) = index.vector_store.get_nodes(node_ids=["node3"])
    assert kept.embedding == axis(2)
    assert kept.ref_doc_id == "ref_doc_id_test"


def test_query() -> None:
    index = VectorStoreIndex.from_documents([Document(text="\n".join(LINES))])
    assert index.as_retriever().retrieve(QueryBundle("What is?"))


def test_query_image_node() -> None:
    image_node = ImageNode(image="potato")
    index = VectorStoreIndex.from_documents([])
    index.insert_nodes([image_node])
    results = index.as_retriever().retrieve(QueryBundle("What is?"))
    assert len(results) == 1
    assert results[0].node.node_id == image_node.node_id
    assert isinstance(results[0].node, ImageNode)
    assert results[0].node.image == "potato"


async def test_every_index_deletes_asynchronously() -> None:
    # LlamaIndex's BaseIndex gives every index adelete_ref_doc/adelete_nodes
    index, _ = _keyword_index_with_two_documents()
    other = index.docstore.get_ref_doc_info("test_id_2")
    assert other is not None
    await index.adelete_nodes(list(other.node_ids))
    assert index.docstore.get_ref_doc_info("test_id_2") is None
    assert index.docstore.get_ref_doc_info("test_id_1") is not None
