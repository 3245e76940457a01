"""Docstore, index store, staged commits and StorageContext persistence on real files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import TextNode
from dovetail.core.storage import IndexStruct
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import SimpleIndexStore
from dovetail.core.storage import StorageContext
from dovetail.core.storage._io import STAGING_DIR
from dovetail.core.storage._io import StagedCommit
from dovetail.core.storage._io import atomic_write_json
from dovetail.core.storage._io import read_json
from dovetail.core.storage._io import recover
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery


def _node(text: str, doc: Document, embedding: list[float] | None = None) -> TextNode:
    return TextNode(
        text=text,
        embedding=embedding,
        metadata={"file_name": doc.metadata.get("file_name")},
        relationships={NodeRelationship.SOURCE: doc.as_related_node_info()},
    )


@pytest.fixture
def doc() -> Document:
    return Document(id_="guide.md", text="Pins and tails.", metadata={"file_name": "guide.md"})


def test_docstore_tracks_nodes_per_document_and_hashes(doc: Document) -> None:
    store = SimpleDocumentStore()
    a, b = _node("pins", doc), _node("tails", doc)
    store.add_documents([a, b])
    store.set_document_hash(doc.doc_id, doc.hash)

    info = store.get_ref_doc_info("guide.md")
    assert info is not None
    assert info.node_ids == [a.node_id, b.node_id]
    assert info.metadata["file_name"] == "guide.md"
    assert store.get_node(a.node_id).get_content() == "pins"
    assert store.get_document_hash("guide.md") == doc.hash

    store.delete_ref_doc("guide.md")
    assert store.get_ref_doc_info("guide.md") is None
    assert store.get_document_hash("guide.md") is None
    assert len(store) == 0
    with pytest.raises(NotFoundError):
        store.get_node(a.node_id)


def test_docstore_rejects_non_nodes_without_storing_anything(doc: Document) -> None:
    store = SimpleDocumentStore()
    with pytest.raises(InvalidInputError):
        store.add_documents([_node("ok", doc), "not a node"])  # type: ignore[list-item]
    assert len(store) == 0
    assert store.get_all_ref_doc_info() == {}


def test_docstore_persist_roundtrip_is_plain_json_and_lazy(tmp_path: Path, doc: Document) -> None:
    store = SimpleDocumentStore()
    node = _node("pins", doc)
    store.add_documents([node])
    store.set_document_hash(doc.doc_id, "h1")
    path = tmp_path / "docstore.json"
    store.persist(path)

    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["kind"] == "docstore"
    assert payload["format_version"] == 1
    assert payload["doc_hashes"] == {"guide.md": "h1"}

    loaded = SimpleDocumentStore.from_persist_path(path)
    path.unlink()  # a lazy store has not read the file yet, so reading it now fails
    with pytest.raises(NotFoundError):
        loaded.get_node(node.node_id)

    store.persist(path)
    eager = SimpleDocumentStore.from_persist_path(path, lazy=False)
    path.unlink()
    assert eager.get_node(node.node_id).get_content() == "pins"
    assert eager.get_ref_doc_info("guide.md").node_ids == [node.node_id]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"kind": "docstore", "format_version": 99, "nodes": {}}', "format_version 99"),
        ('{"kind": "index_store", "format_version": 1}', "'index_store'"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_reading_bad_files_is_a_typed_error(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "docstore.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=fragment):
        read_json(path, kind="docstore", versions=(1,))


def test_index_store_roundtrip_and_lookup(tmp_path: Path) -> None:
    store = SimpleIndexStore()
    assert store.get_index_struct() is None
    with pytest.raises(NotFoundError):
        store.require()
    store.add_index_struct(IndexStruct(index_id="main", extra={"embed_model": {"spec": "mock:8"}}))
    store.persist(tmp_path / "index_store.json")
    loaded = SimpleIndexStore.from_persist_path(tmp_path / "index_store.json")
    struct = loaded.require()
    assert struct.index_id == "main"
    assert struct.extra == {"embed_model": {"spec": "mock:8"}}
    loaded.add_index_struct(IndexStruct(index_id="second"))
    with pytest.raises(InvalidInputError, match="pass index_id"):
        loaded.get_index_struct()
    assert loaded.require("second").index_id == "second"


def test_staged_commit_writes_all_files_or_none(tmp_path: Path) -> None:
    atomic_write_json(tmp_path / "a.json", {"v": 1})
    atomic_write_json(tmp_path / "b.json", {"v": 1})

    def crash() -> None:
        with StagedCommit(tmp_path) as stage:
            stage.write_json("a.json", {"v": 2})
            raise RuntimeError("crash while writing b")

    with pytest.raises(RuntimeError):
        crash()
    assert json.loads((tmp_path / "a.json").read_text())["v"] == 1
    assert not list(tmp_path.glob(f"{STAGING_DIR}*"))

    with StagedCommit(tmp_path) as stage:
        stage.write_json("a.json", {"v": 3})
        stage.write_json("b.json", {"v": 3})
    assert [json.loads((tmp_path / n).read_text())["v"] for n in ("a.json", "b.json")] == [3, 3]


def test_recover_rolls_a_sealed_commit_forward_and_drops_an_unsealed_one(tmp_path: Path) -> None:
    atomic_write_json(tmp_path / "a.json", {"v": 1})
    atomic_write_json(tmp_path / "b.json", {"v": 1})
    staging = tmp_path / STAGING_DIR
    # A process killed after sealing, with a.json already moved and b.json still staged.
    staging.mkdir()
    atomic_write_json(tmp_path / "a.json", {"v": 2})
    atomic_write_json(staging / "b.json", {"v": 2})
    (staging / "COMMITTED").write_bytes(b"ok")
    recover(tmp_path)
    assert [json.loads((tmp_path / n).read_text())["v"] for n in ("a.json", "b.json")] == [2, 2]
    assert not staging.exists()
    # A process killed before sealing: the staged file must not leak into the directory. A reader cannot tell
    # it from a commit in progress, so it leaves it; the next writer (holding the lock) removes it.
    staging.mkdir()
    atomic_write_json(staging / "a.json", {"v": 9})
    recover(tmp_path)
    assert json.loads((tmp_path / "a.json").read_text())["v"] == 2
    assert staging.exists()
    with StagedCommit(tmp_path) as stage:
        stage.write_json("c.json", {"v": 1})
    assert json.loads((tmp_path / "a.json").read_text())["v"] == 2
    assert not list(tmp_path.glob(f"{STAGING_DIR}*"))


def test_storage_context_persist_and_load(tmp_path: Path, doc: Document) -> None:
    storage = StorageContext.from_defaults()
    nodes = [_node("pins", doc, [1.0, 0.0]), _node("tails", doc, [0.0, 1.0])]
    storage.vector_store.add(nodes)
    storage.docstore.add_documents(nodes, store_text=False)
    storage.docstore.set_document_hash(doc.doc_id, doc.hash)
    storage.index_store.add_index_struct(IndexStruct(index_id="idx"))
    storage.persist(tmp_path / "index")

    names = sorted(p.name for p in (tmp_path / "index").iterdir() if not p.name.startswith(".dovetail"))
    vectors_file = json.loads((tmp_path / "index" / "default__vector_store.json").read_text())["vectors_file"]
    assert names == sorted(["default__vector_store.json", vectors_file, "docstore.json", "index_store.json"])
    vectors = np.load(tmp_path / "index" / vectors_file, allow_pickle=False)
    assert vectors.shape == (2, 2)

    loaded = StorageContext.from_defaults(persist_dir=tmp_path / "index")
    hit = loaded.vector_store.query(VectorStoreQuery(query_embedding=[0.1, 0.9], similarity_top_k=1))
    assert hit.ids == [nodes[1].node_id]
    assert loaded.docstore.get_document_hash(doc.doc_id) == doc.hash
    assert loaded.index_store.require().index_id == "idx"
    assert isinstance(loaded.vector_store, SimpleVectorStore)


def test_storage_context_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="dovetail ingest"):
        StorageContext.from_defaults(persist_dir=tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotFoundError, match=r"index_store\.json"):
        StorageContext.from_defaults(persist_dir=tmp_path / "empty")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file"):
        StorageContext.from_defaults().persist(tmp_path / "file")


def test_document_hashes_come_in_llama_index_s_orientation_and_by_document_id() -> None:
    from dovetail.core.storage import SimpleDocumentStore

    store = SimpleDocumentStore()
    store.set_document_hashes({"oak.md": "h-oak", "pine.md": "h-pine", "copy-of-oak.md": "h-oak"})
    assert store.hashes_by_document_id() == {"oak.md": "h-oak", "pine.md": "h-pine", "copy-of-oak.md": "h-oak"}
    by_hash = store.get_all_document_hashes()
    assert set(by_hash) == {"h-oak", "h-pine"}
    assert by_hash["h-pine"] == "pine.md"
    assert by_hash["h-oak"] in {"oak.md", "copy-of-oak.md"}
