"""LlamaIndex's own storage tests (``storage/docstore/test_simple_docstore.py``,
``storage/index_store/test_simple_index_store.py``, ``storage/test_storage_context.py``), written again
against dovetail's import path.

LlamaIndex's docstore tests look into its key-value collections (``docstore._kvstore.get(...)``); dovetail's
docstore has no key-value layer, so the same facts are read through the public methods (``get_document``,
``get_ref_doc_info``, ``document_exists``). The graph-store test has no counterpart (dovetail has no graph stores).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import TextNode
from dovetail.core.storage import IndexDict
from dovetail.core.storage import StorageContext
from dovetail.core.storage.docstore import SimpleDocumentStore
from dovetail.core.storage.index_store import SimpleIndexStore
from dovetail.core.vector_stores import SimpleVectorStore


def doc_and_node() -> tuple[Document, TextNode]:
    return (
        Document(text="hello world", id_="d1", metadata={"foo": "bar"}),
        TextNode(text="my node", id_="d2", metadata={"node": "info"}),
    )


def three_with_a_source() -> tuple[Document, Document, TextNode]:
    ref_doc = Document(text="hello world", id_="d1", metadata={"foo": "bar"})
    doc = Document(text="hello world", id_="d2", metadata={"foo": "bar"})
    doc.relationships[NodeRelationship.SOURCE] = ref_doc.as_related_node_info()
    node = TextNode(text="my node", id_="d3", metadata={"node": "info"})
    node.relationships[NodeRelationship.SOURCE] = ref_doc.as_related_node_info()
    return ref_doc, doc, node


def gone(docstore: SimpleDocumentStore, *ids: str) -> bool:
    return all(
        docstore.get_document(i, raise_error=False) is None and docstore.get_ref_doc_info(i) is None for i in ids
    )


# ------------------------------------------------------------------ test_simple_docstore.py
def test_docstore() -> None:
    doc, node = doc_and_node()
    docstore = SimpleDocumentStore()
    docstore.add_documents([doc, node])
    assert docstore.get_document("d1") == doc
    assert docstore.get_document("d2") == node


def test_docstore_takes_no_kvstore() -> None:
    # LlamaIndex's fixture builds SimpleDocumentStore(simple_kvstore=SimpleKVStore()); dovetail has no such layer
    with pytest.raises(TypeError, match="simple_kvstore"):
        SimpleDocumentStore(simple_kvstore=object())  # type: ignore[arg-type]


def test_docstore_persist(tmp_path: Path) -> None:
    persist_path = str(tmp_path / "test_file.txt")
    doc, node = doc_and_node()
    docstore = SimpleDocumentStore()
    docstore.add_documents([doc, node])
    docstore.persist(persist_path)
    new_docstore = SimpleDocumentStore.from_persist_path(persist_path)
    assert new_docstore.get_document("d1") == doc
    assert new_docstore.get_document("d2") == node


def test_docstore_dict() -> None:
    doc, node = doc_and_node()
    docstore = SimpleDocumentStore()
    docstore.add_documents([doc, node])
    new_docstore = SimpleDocumentStore.from_dict(docstore.to_dict())
    assert new_docstore.get_document("d1") == doc
    assert new_docstore.get_document("d2") == node


def test_docstore_delete_document() -> None:
    doc, node = doc_and_node()
    docstore = SimpleDocumentStore()
    docstore.add_documents([doc, node])
    docstore.delete_document("d1")
    assert gone(docstore, "d1")
    assert docstore.get_document("d2") == node


def test_docstore_delete_ref_doc() -> None:
    ref_doc, doc, node = three_with_a_source()
    docstore = SimpleDocumentStore()
    docstore.add_documents([ref_doc, doc, node])
    docstore.delete_ref_doc("d1")
    assert gone(docstore, "d1", "d2", "d3")


def test_docstore_delete_ref_doc_not_in_docstore() -> None:
    _, doc, node = three_with_a_source()
    docstore = SimpleDocumentStore()
    docstore.add_documents([doc, node])
    assert docstore.get_ref_doc_info("d1") is not None
    docstore.delete_ref_doc("d1")
    assert gone(docstore, "d1", "d2", "d3")


def test_docstore_delete_all_ref_doc_nodes() -> None:
    ref_doc, doc, node = three_with_a_source()
    docstore = SimpleDocumentStore()
    docstore.add_documents([ref_doc, doc, node])
    info = docstore.get_ref_doc_info("d1")
    assert info is not None
    assert info.node_ids == ["d2", "d3"]

    docstore.delete_document("d2")
    assert docstore.get_document("d1", raise_error=False) is not None
    info = docstore.get_ref_doc_info("d1")
    assert info is not None
    assert info.node_ids == ["d3"]

    docstore.delete_document("d3")  # the last node: the source document goes too
    assert gone(docstore, "d1")


def test_get_all_document_ids_keeps_docs_sharing_a_hash() -> None:
    docstore = SimpleDocumentStore()
    docstore.add_documents([Document(text="duplicate content", id_="d1"), Document(text="duplicate content", id_="d2")])
    assert docstore.get_all_document_ids() == {"d1", "d2"}


async def test_aget_all_document_ids_keeps_docs_sharing_a_hash() -> None:
    docstore = SimpleDocumentStore()
    await docstore.async_add_documents(
        [Document(text="duplicate content", id_="d1"), Document(text="duplicate content", id_="d2")]
    )
    assert await docstore.aget_all_document_ids() == {"d1", "d2"}


async def test_async_twins_read_what_the_sync_methods_wrote(tmp_path: Path) -> None:
    ref_doc, doc, node = three_with_a_source()
    docstore = SimpleDocumentStore()
    await docstore.async_add_documents([ref_doc, doc, node])
    docstore.persist(str(tmp_path / "docstore.json"))
    loaded = SimpleDocumentStore.from_persist_path(str(tmp_path / "docstore.json"))
    assert await loaded.aget_document("d2") == doc
    assert await loaded.aget_node("d3") == node
    assert await loaded.aget_nodes(["d3", "d2"]) == [node, doc]
    assert await loaded.adocument_exists("d1")
    info = await loaded.aget_ref_doc_info("d1")
    assert info is not None
    assert info.node_ids == ["d2", "d3"]
    assert list(await loaded.aget_all_ref_doc_info()) == ["d1"]
    await loaded.aset_document_hash("d1", "h1")
    assert await loaded.aget_document_hash("d1") == "h1"
    await loaded.adelete_document("d2")
    await loaded.adelete_ref_doc("d1")
    assert gone(loaded, "d1", "d2", "d3")


# ------------------------------------------------------------------ test_simple_index_store.py
def test_simple_index_store_dict() -> None:
    # LlamaIndex's test uses a tree index's IndexGraph; dovetail has no tree index, so its vector IndexDict
    index_struct = IndexDict()
    index_store = SimpleIndexStore()
    index_store.add_index_struct(index_struct)
    loaded = SimpleIndexStore.from_dict(index_store.to_dict())
    assert loaded.get_index_struct(index_struct.index_id) == index_struct


async def test_index_store_async_twins() -> None:
    # LlamaIndex's test_async_index_store.py swaps the store's methods for mocks; here the twins run for real
    index_store = SimpleIndexStore()
    first, second = IndexDict(), IndexDict()
    await index_store.async_add_index_struct(first)
    await index_store.async_add_index_struct(second)
    assert await index_store.aget_index_struct(first.index_id) == first
    await index_store.adelete_index_struct(first.index_id)
    assert await index_store.async_index_structs() == [second]
    assert await index_store.aget_index_struct() == second


# ------------------------------------------------------------------ test_storage_context.py
def test_storage_context_dict() -> None:
    storage_context = StorageContext.from_defaults()
    node = TextNode(text="test", embedding=[0.0, 0.0, 0.0])
    index_struct = IndexDict()
    storage_context.vector_store.add([node])
    storage_context.docstore.add_documents([node])
    storage_context.index_store.add_index_struct(index_struct)
    retrieved_node = storage_context.docstore.get_document(node.node_id)

    loaded = StorageContext.from_dict(storage_context.to_dict())
    assert loaded.docstore.get_node(node.node_id) == retrieved_node
    assert loaded.index_store.get_index_struct(index_struct.index_id) == index_struct
    assert isinstance(loaded.vector_store, SimpleVectorStore)
    assert [n.node_id for n in loaded.vector_store.get_nodes()] == [node.node_id]
