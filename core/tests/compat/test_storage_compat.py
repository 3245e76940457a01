"""Storage round trips by LlamaIndex's names: to_dict/from_dict/to_json/from_json, persist dirs, get_node."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import SimpleIndexStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from ._stores import TextKeepingStore


def index() -> VectorStoreIndex:
    documents = [Document(id_=f"d{i}", text=f"Joint number {i} is glued. It holds well.") for i in range(4)]
    return VectorStoreIndex.from_documents(
        documents,
        embed_model=MockEmbedding(embed_dim=6),
        transformations=[SentenceSplitter(chunk_size=12, chunk_overlap=0)],
    )


def test_docstore_dict_and_json_round_trip() -> None:
    store = index().docstore
    for again in (SimpleDocumentStore.from_dict(store.to_dict()), SimpleDocumentStore.from_json(store.to_json())):
        assert again.to_dict() == store.to_dict()
        assert again.get_all_ref_doc_info() == store.get_all_ref_doc_info()
        assert again.get_all_document_hashes() == store.get_all_document_hashes()
    copy = SimpleDocumentStore.from_dict(store.to_dict())
    copy.delete_ref_doc("d0")
    assert store.ref_doc_exists("d0")  # the dict is not shared with the source store


def test_index_store_dict_and_json_round_trip() -> None:
    store = index().storage_context.index_store
    for again in (SimpleIndexStore.from_dict(store.to_dict()), SimpleIndexStore.from_json(store.to_json())):
        assert again.to_dict() == store.to_dict()


def test_storage_context_round_trip_loads_a_working_index() -> None:
    original = index()
    for context in (
        StorageContext.from_dict(original.storage_context.to_dict()),
        StorageContext.from_json(original.storage_context.to_json()),
    ):
        loaded = load_index_from_storage(context)
        query = "joint number 2"
        expected = [(h.node_id, round(h.score or 0, 6)) for h in original.as_retriever().retrieve(query)]
        assert [(h.node_id, round(h.score or 0, 6)) for h in loaded.as_retriever().retrieve(query)] == expected
    llama_index_keys = {"doc_store", "index_store", "vector_store", "graph_store", "property_graph_store"}
    assert set(original.storage_context.to_dict()) == llama_index_keys


def _vector_store_from_json(data: str) -> SimpleVectorStore:
    return SimpleVectorStore.from_dict(json.loads(data))


@pytest.mark.parametrize(
    ("bad", "load"),
    [
        ("not json", StorageContext.from_json),
        ("[1, 2]", SimpleDocumentStore.from_json),
        ('{"kind": "index_store", "format_version": 99, "index_structs": {}}', SimpleIndexStore.from_json),
        (
            '{"kind": "dovetail.SimpleVectorStore", "format_version": 1, "ids": ["a"], "nodes": [], "count": 1}',
            _vector_store_from_json,
        ),
    ],
)
def test_bad_payloads_raise_typed_errors(bad: str, load: Callable[[str], object]) -> None:
    with pytest.raises(InvalidInputError):
        load(bad)


def test_remote_store_context_has_no_dict_form() -> None:
    context = StorageContext.from_defaults(vector_store=TextKeepingStore())
    with pytest.raises(InvalidInputError, match="persist"):
        context.to_dict()


def test_simple_vector_store_from_persist_dir_and_namespaces(tmp_path: Path) -> None:
    original = index()
    extra = SimpleVectorStore()
    extra.add([TextNode(id_="x", text="extra", embedding=[1.0, 0.0])])
    original.storage_context.add_vector_store(extra, "image")
    original.storage_context.persist(tmp_path)
    default = SimpleVectorStore.from_persist_dir(str(tmp_path))
    assert isinstance(original.vector_store, SimpleVectorStore)
    assert len(default) == len(original.vector_store)
    spaces = SimpleVectorStore.from_namespaced_persist_dir(str(tmp_path))
    assert set(spaces) == {"default", "image"}
    assert len(spaces["image"]) == 1
    assert set(StorageContext.from_defaults(persist_dir=tmp_path).vector_stores) == {"default", "image"}
    with pytest.raises(NotFoundError):
        SimpleVectorStore.from_persist_dir(str(tmp_path), namespace="nope")
    with pytest.raises(NotFoundError):
        SimpleVectorStore.from_namespaced_persist_dir(str(tmp_path / "missing"))


def test_get_node_raise_error_false_returns_none() -> None:
    store = index().docstore
    assert store.get_node("missing", raise_error=False) is None
    with pytest.raises(NotFoundError):
        store.get_node("missing")
    node_id = store.node_ids()[0]
    assert store.get_node(node_id, raise_error=False) is not None


def test_split_texts_metadata_aware() -> None:
    splitter = SentenceSplitter(chunk_size=20, chunk_overlap=0)
    texts = ["One short line. " * 6, "Another text here. " * 6]
    metas = ["title: a", "title: a much longer title with many many words in it"]
    chunks = splitter.split_texts_metadata_aware(texts, metas)
    expected = splitter.split_text_metadata_aware(texts[0], metas[0]) + splitter.split_text_metadata_aware(
        texts[1], metas[1]
    )
    assert chunks == expected
    assert len(splitter.split_text_metadata_aware(texts[1], metas[1])) > len(splitter.split_text(texts[1]))
    with pytest.raises(InvalidInputError, match="one per text"):
        splitter.split_texts_metadata_aware(texts, metas[:1])
