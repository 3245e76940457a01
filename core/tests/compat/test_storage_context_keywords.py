"""StorageContext takes LlamaIndex's from_defaults and persist keywords, or refuses them with what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices import VectorStoreIndex
from dovetail.core.indices import load_index_from_storage
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import SimpleIndexStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore


def _store_with(*ids: str) -> SimpleVectorStore:
    store = SimpleVectorStore()
    store.add([TextNode(id_=node_id, text=node_id, embedding=[1.0, float(i)]) for i, node_id in enumerate(ids)])
    return store


def _built_index(storage: StorageContext | None = None) -> VectorStoreIndex:
    documents = [Document(id_=f"d{i}", text=f"Dovetail joint {i} holds the drawer.") for i in range(3)]
    return VectorStoreIndex.from_documents(documents, storage_context=storage, embed_model=MockEmbedding(embed_dim=4))


def test_vector_stores_by_namespace_are_kept_and_default_is_added() -> None:
    other = _store_with("o1")
    context = StorageContext.from_defaults(vector_stores={"other": other})
    assert context.vector_stores["other"] is other
    assert isinstance(context.vector_store, SimpleVectorStore)
    assert context.vector_store is not other


def test_vector_store_vector_stores_and_image_store_combine() -> None:
    default, other, images = _store_with("a"), _store_with("b"), _store_with("c")
    context = StorageContext.from_defaults(vector_store=default, vector_stores={"other": other}, image_store=images)
    assert context.vector_store is default
    assert context.vector_stores == {"default": default, "other": other, "image": images}


@pytest.mark.parametrize(
    "keywords",
    [
        {"vector_store": SimpleVectorStore(), "vector_stores": {"default": SimpleVectorStore()}},
        {"image_store": SimpleVectorStore(), "vector_stores": {"image": SimpleVectorStore()}},
    ],
)
def test_a_namespace_given_twice_is_refused(keywords: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="twice"):
        StorageContext.from_defaults(**keywords)  # type: ignore[arg-type]


@pytest.mark.parametrize("stores", [{"default": "not a store"}, [SimpleVectorStore()], {1: SimpleVectorStore()}])
def test_vector_stores_of_the_wrong_type_are_refused(stores: object) -> None:
    with pytest.raises(TypeError, match="vector store"):
        StorageContext.from_defaults(vector_stores=stores)  # type: ignore[arg-type]


@pytest.mark.parametrize("keyword", ["graph_store", "property_graph_store"])
def test_graph_stores_are_taken_only_as_none(keyword: str) -> None:
    from_defaults: Any = StorageContext.from_defaults  # a graph store does not type-check, which is the point
    assert isinstance(from_defaults(**{keyword: None}), StorageContext)
    with pytest.raises(TypeError, match=rf"no graph stores.*leave {keyword} out"):
        from_defaults(**{keyword: object()})


def test_fs_is_taken_only_as_none(tmp_path: Path) -> None:
    context = StorageContext.from_defaults(fs=None)
    context.persist(tmp_path / "index", fs=None)
    with pytest.raises(TypeError, match="local file system"):
        StorageContext.from_defaults(fs=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="local file system"):
        context.persist(tmp_path / "other", fs=object())  # type: ignore[arg-type]
    assert not (tmp_path / "other").exists()


def test_image_store_is_persisted_as_the_image_namespace_and_loaded_back(tmp_path: Path) -> None:
    images = _store_with("picture")
    _built_index(StorageContext.from_defaults(image_store=images)).storage_context.persist(tmp_path)
    assert (tmp_path / "image__vector_store.json").is_file()
    loaded = StorageContext.from_defaults(persist_dir=tmp_path)
    assert loaded.vector_stores["image"].get_nodes(node_ids=["picture"])[0].get_content() == "picture"


def test_given_namespaces_win_over_the_persisted_ones(tmp_path: Path) -> None:
    _built_index().storage_context.persist(tmp_path)
    other = _store_with("x")
    loaded = StorageContext.from_defaults(persist_dir=tmp_path, vector_stores={"other": other})
    assert loaded.vector_stores["other"] is other
    index = load_index_from_storage(loaded)
    assert index.as_retriever(similarity_top_k=1).retrieve("Dovetail joint 1")  # default loaded from disk


def test_persist_writes_the_file_names_given(tmp_path: Path) -> None:
    index = _built_index()
    index.storage_context.persist(
        tmp_path, docstore_fname="docs.json", index_store_fname="structs.json", vector_store_fname="vectors.json"
    )
    names = {path.name for path in tmp_path.iterdir()}
    assert {"docs.json", "structs.json", "default__vectors.json"} <= names
    assert not names & {"docstore.json", "index_store.json", "default__vector_store.json"}
    docstore = SimpleDocumentStore.from_persist_path(str(tmp_path / "docs.json"))
    assert docstore.get_all_ref_doc_info().keys() == index.docstore.get_all_ref_doc_info().keys()
    structs = SimpleIndexStore.from_persist_path(str(tmp_path / "structs.json"))
    assert [s.index_id for s in structs.index_structs()] == [index.index_id]
    vectors = SimpleVectorStore.from_persist_path(str(tmp_path / "default__vectors.json"))
    node_ids = list(index.docstore.docs)
    assert {node.node_id for node in vectors.get_nodes(node_ids=node_ids)} == set(node_ids)


def test_persist_takes_the_default_names_of_files_it_does_not_write(tmp_path: Path) -> None:
    StorageContext.from_defaults().persist(
        tmp_path,
        image_store_fname="image_store.json",
        graph_store_fname="graph_store.json",
        pg_graph_store_fname="property_graph_store.json",
    )
    assert not {"image_store.json", "graph_store.json", "property_graph_store.json"} & {
        path.name for path in tmp_path.iterdir()
    }


@pytest.mark.parametrize(
    ("keyword", "advice"),
    [
        ("image_store_fname", "image__"),
        ("graph_store_fname", "no graph stores"),
        ("pg_graph_store_fname", "no graph stores"),
    ],
)
def test_persist_refuses_other_names_for_files_it_does_not_write(tmp_path: Path, keyword: str, advice: str) -> None:
    with pytest.raises(TypeError, match=advice):
        StorageContext.from_defaults().persist(tmp_path, **{keyword: "mine.json"})  # type: ignore[arg-type]
    assert not tmp_path.joinpath("docstore.json").exists()


@pytest.mark.parametrize("name", ["", "sub/docs.json", "..", ".staging-mine.json", 7])
def test_persist_refuses_a_file_name_that_is_not_plain_and_keeps_the_stored_index(tmp_path: Path, name: object) -> None:
    index = _built_index()
    index.storage_context.persist(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(InvalidInputError, match="docstore_fname"):
        index.storage_context.persist(tmp_path, docstore_fname=name)  # type: ignore[arg-type]
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_to_dict_writes_llama_index_keys_and_from_dict_reads_the_older_key() -> None:
    payload = _built_index().storage_context.to_dict()
    assert payload["graph_store"] is None
    assert payload["property_graph_store"] is None
    older = {"doc_store": payload["doc_store"], "index_store": payload["index_store"]}
    older["vector_stores"] = payload["vector_store"]
    assert StorageContext.from_dict(older).to_dict() == payload


def test_from_dict_takes_an_empty_graph_store_and_refuses_one_with_data() -> None:
    payload = _built_index().storage_context.to_dict()
    empty = {**payload, "graph_store": {"graph_dict": {}}, "property_graph_store": {"nodes": {}, "triplets": []}}
    assert StorageContext.from_dict(empty).to_dict() == payload
    with pytest.raises(InvalidInputError, match="graph_store"):
        StorageContext.from_dict({**payload, "graph_store": {"graph_dict": {"oak": [["joins", "pine"]]}}})
