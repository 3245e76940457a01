"""SimpleVectorStore persistence: JSON + .npy round trip, validation of broken or mismatched files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import MetadataFilter
from dovetail.core.vector_stores import MetadataFilters
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery


def _store(similarity: str = "dot") -> SimpleVectorStore:
    rng = np.random.default_rng(1)
    store = SimpleVectorStore(similarity=similarity)
    src = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id="doc")}
    store.add(
        [
            TextNode(
                id_=f"n{i}",
                text=f"t{i} ünïcode",
                embedding=rng.standard_normal(5).tolist(),
                metadata={"i": i, "tags": ["a", str(i)]},
                relationships=src if i % 2 else {},
            )
            for i in range(20)
        ]
        + [Document(id_="docnode", text="whole", embedding=[1.0, 0, 0, 0, 0])]
    )
    store.delete_nodes(node_ids=["n3"])  # persist after a swap-remove
    return store


def _vectors_file(path: Path) -> Path:
    """The vectors file the store JSON at ``path`` references."""
    return path.parent / str(json.loads(path.read_text())["vectors_file"])


def test_round_trip(tmp_path: Path) -> None:
    store = _store()
    path = tmp_path / "storage" / "vector_store.json"
    store.persist(str(path))
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(["vector_store.json", _vectors_file(path).name])
    assert _vectors_file(path).name.startswith("vector_store.")
    loaded = SimpleVectorStore.from_persist_path(str(path))
    assert loaded.similarity == "dot"
    assert loaded.dimension == 5
    before = {n.node_id: n for n in store.get_nodes()}
    after = {n.node_id: n for n in loaded.get_nodes()}
    assert before.keys() == after.keys()
    for node_id, node in before.items():
        assert after[node_id].embedding == node.embedding
        assert after[node_id].get_content() == node.get_content()
        assert after[node_id].metadata == node.metadata
        assert type(after[node_id]) is type(node)
        assert after[node_id].ref_doc_id == node.ref_doc_id
    query = VectorStoreQuery(
        query_embedding=[0.3, -1, 0.2, 0.0, 1],
        similarity_top_k=5,
        filters=MetadataFilters(filters=[MetadataFilter(key="i", value=4, operator=">")]),
    )
    assert loaded.query(query) == store.query(query)
    loaded.delete("doc")
    assert all(int(n.node_id[1:]) % 2 == 0 for n in loaded.get_nodes() if n.node_id != "docnode")
    loaded.add([TextNode(id_="new", embedding=[0, 0, 0, 0, 1.0])])
    with pytest.raises(InvalidInputError):
        loaded.add([TextNode(id_="bad", embedding=[1.0])])


def test_empty_store_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    SimpleVectorStore(embed_dim=3).persist(str(path))
    loaded = SimpleVectorStore.from_persist_path(str(path))
    assert len(loaded) == 0
    assert loaded.dimension == 3
    assert loaded.query(VectorStoreQuery(query_embedding=[1.0, 0, 0])).ids == []


def test_persist_overwrites_atomically_without_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    store = _store()
    store.persist(str(path))
    store.add([TextNode(id_="extra", embedding=[1.0] * 5)])
    store.persist(str(path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["vs.json", _vectors_file(path).name])
    assert len(SimpleVectorStore.from_persist_path(str(path))) == len(store)


def test_vectors_are_plain_npy(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    store = _store()
    store.persist(str(path))
    vectors = np.load(_vectors_file(path), allow_pickle=False)
    document = json.loads(path.read_text())
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(store), 5)
    assert document["format_version"] == 1
    assert document["count"] == len(store) == len(document["ids"])
    assert "embedding" not in document["nodes"][0] or document["nodes"][0]["embedding"] is None


def _persisted(tmp_path: Path) -> Path:
    path = tmp_path / "vs.json"
    _store().persist(str(path))
    return path


def _edit(path: Path, **changes: object) -> None:
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="call persist"):
        SimpleVectorStore.from_persist_path(str(tmp_path / "nothing.json"))
    path = _persisted(tmp_path)
    _vectors_file(path).unlink()
    with pytest.raises(NotFoundError, match="vectors file"):
        SimpleVectorStore.from_persist_path(str(path))


def test_format_version_mismatch(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    _edit(path, format_version=2)
    with pytest.raises(InvalidInputError, match="format_version 2"):
        SimpleVectorStore.from_persist_path(str(path))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"kind": "something.else"}, "not a persisted SimpleVectorStore"),
        ({"count": 3}, "inconsistent"),
        ({"ids": ["x"] * 20}, "duplicate node ids"),
        ({"dimension": 6}, "do not belong together"),
        ({"similarity": "manhattan"}, "invalid store settings"),
    ],
)
def test_inconsistent_json(tmp_path: Path, changes: dict[str, object], match: str) -> None:
    path = _persisted(tmp_path)
    _edit(path, **changes)
    with pytest.raises(InvalidInputError, match=match):
        SimpleVectorStore.from_persist_path(str(path))


def test_ids_not_matching_nodes(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    document = json.loads(path.read_text())
    document["ids"] = list(reversed(document["ids"]))
    path.write_text(json.dumps(document))
    with pytest.raises(InvalidInputError, match="node ids do not match"):
        SimpleVectorStore.from_persist_path(str(path))


def test_corrupted_json(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    path.write_text(path.read_text()[:100])
    with pytest.raises(InvalidInputError, match="not valid vector-store JSON"):
        SimpleVectorStore.from_persist_path(str(path))


@pytest.mark.parametrize(
    ("vectors", "match"),
    [
        (np.zeros((19, 5), dtype=np.float32), "do not belong together"),
        (np.zeros((20, 4), dtype=np.float32), "do not belong together"),
        (np.zeros((20, 5), dtype=np.float64), "do not belong together"),
        (np.zeros(100, dtype=np.float32), "do not belong together"),
        (np.full((20, 5), np.nan, dtype=np.float32), "NaN or infinity"),
        (np.array([{"x": 1}] * 20, dtype=object), "do not belong together"),
    ],
)
def test_mismatched_or_unsafe_vectors(tmp_path: Path, vectors: np.ndarray, match: str) -> None:
    path = _persisted(tmp_path)
    np.save(_vectors_file(path), vectors, allow_pickle=True)
    with pytest.raises(InvalidInputError, match=match):
        SimpleVectorStore.from_persist_path(str(path))


def test_truncated_npy(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    npy = _vectors_file(path)
    npy.write_bytes(npy.read_bytes()[:200])
    with pytest.raises(InvalidInputError, match=r"not a readable \.npy"):
        SimpleVectorStore.from_persist_path(str(path))


def test_fs_argument_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="local filesystem"):
        _store().persist(str(tmp_path / "x.json"), fs=object())
    with pytest.raises(InvalidInputError, match="local filesystem"):
        SimpleVectorStore.from_persist_path(str(tmp_path / "x.json"), fs=object())


def test_reload_persist_round_trip_keeps_rows_byte_identical(tmp_path: Path) -> None:
    """Rows loaded from disk are written back as they were read (no re-validation, no drift)."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    _store().persist(str(first))
    SimpleVectorStore.from_persist_path(str(first)).persist(str(second))
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["nodes"] == b["nodes"]
    assert a["ids"] == b["ids"]


def test_corrupted_row_is_reported_when_read_and_other_rows_still_work(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    _store().persist(str(path))
    document = json.loads(path.read_text())
    document["nodes"][0]["start_char_idx"] = "not a number"
    path.write_text(json.dumps(document))
    loaded = SimpleVectorStore.from_persist_path(str(path))
    broken = document["ids"][0]
    with pytest.raises(InvalidInputError, match=f"stored node '{broken}' is corrupted"):
        loaded.get_nodes(node_ids=[broken])
    healthy = document["ids"][1]
    assert [n.node_id for n in loaded.get_nodes(node_ids=[healthy])] == [healthy]


@pytest.mark.parametrize(
    ("mutate", "match"),
    [
        (lambda row: row.update(class_name="Teleporter"), "unknown class_name"),
        (lambda row: row.update(metadata=[1, 2]), "non-object metadata"),
        (lambda row: row.update(relationships={"1": {"id": "x"}}), "malformed source relationship"),
    ],
)
def test_rows_are_checked_cheaply_at_load(tmp_path: Path, mutate, match: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "vs.json"
    _store().persist(str(path))
    document = json.loads(path.read_text())
    mutate(document["nodes"][2])
    path.write_text(json.dumps(document))
    with pytest.raises(InvalidInputError, match=match):
        SimpleVectorStore.from_persist_path(str(path))
