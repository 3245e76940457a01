"""SimpleVectorStore persistence under crashes and hostile files: the old or the new store, typed errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.schema import TextNode
from dovetail.core.vector_stores import SimpleVectorStore


class _Crash(BaseException):
    """Stands for the process dying at this point."""


def _store(vectors: dict[str, list[float]]) -> SimpleVectorStore:
    store = SimpleVectorStore()
    store.add([TextNode(id_=node_id, text=node_id, embedding=vector) for node_id, vector in vectors.items()])
    return store


def _state(store: SimpleVectorStore) -> dict[str, list[float] | None]:
    return {node.node_id: node.embedding for node in store.get_nodes()}


def _vectors_file(path: Path) -> Path:
    return path.parent / str(json.loads(path.read_text())["vectors_file"])


@pytest.mark.parametrize("crash_at", [1, 2])
def test_crash_between_the_two_files_leaves_the_old_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_at: int
) -> None:
    path = tmp_path / "vs.json"
    old = _store({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    old.persist(str(path))
    new = _store({"b": [0.0, 1.0], "a": [1.0, 0.0], "c": [1.0, 1.0]})
    new.delete_nodes(node_ids=["c"])  # same row count, other row order: the old JSON must not see these rows
    real_replace = os.replace
    calls = 0

    def replace_then_die(src: str, dst: str) -> None:
        nonlocal calls
        calls += 1
        if calls == crash_at:
            raise _Crash
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_then_die)
    with pytest.raises(_Crash):
        new.persist(str(path))
    monkeypatch.undo()
    assert _state(SimpleVectorStore.from_persist_path(str(path))) == _state(old)


def test_each_write_gets_its_own_vectors_file_and_the_old_one_goes(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    store = _store({"a": [1.0, 0.0]})
    store.persist(str(path))
    first = _vectors_file(path)
    store.add([TextNode(id_="b", embedding=[0.0, 1.0])])
    store.persist(str(path))
    second = _vectors_file(path)
    assert first != second
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["vs.json", second.name])
    assert _state(SimpleVectorStore.from_persist_path(str(path))) == _state(store)


def test_old_format_with_a_fixed_vectors_name_still_loads_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "vs.json"
    store = _store({"a": [1.0, 0.0], "b": [0.5, 0.5]})
    store.persist(str(path))
    _vectors_file(path).rename(tmp_path / "vs.npy")  # the layout of earlier releases
    document = json.loads(path.read_text())
    document["vectors_file"] = "vs.npy"
    path.write_text(json.dumps(document))
    loaded = SimpleVectorStore.from_persist_path(str(path))
    assert _state(loaded) == _state(store)
    loaded.persist(str(path))
    assert not (tmp_path / "vs.npy").exists()
    assert _state(SimpleVectorStore.from_persist_path(str(path))) == _state(store)


# -- hostile or corrupt files ----------------------------------------------------------------------------


def _persisted(tmp_path: Path) -> Path:
    path = tmp_path / "vs.json"
    _store({"a": [1.0, 0.0], "b": [0.0, 1.0]}).persist(str(path))
    return path


def _edit(path: Path, **changes: object) -> None:
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))


def _npy_header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode("latin1")
    header += b" " * (63 - (len(header) + 10) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


def test_npy_header_claiming_terabytes_is_rejected_without_allocating(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    _vectors_file(path).write_bytes(_npy_header((2, 1_649_267_441_664)) + b"\0" * 64)  # 12 TiB of float32
    with pytest.raises(InvalidInputError, match="do not belong together"):
        SimpleVectorStore.from_persist_path(str(path))


def test_npy_header_matching_the_json_but_not_the_file_size(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    _edit(path, count=2, dimension=2)
    _vectors_file(path).write_bytes(_npy_header((2, 2)) + b"\0" * 8)  # 8 of the 16 bytes
    with pytest.raises(InvalidInputError, match="does not match its header"):
        SimpleVectorStore.from_persist_path(str(path))


def test_ids_that_are_not_strings(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    _edit(path, ids=[["a"], ["b"]])
    with pytest.raises(InvalidInputError, match="must be strings"):
        SimpleVectorStore.from_persist_path(str(path))


def test_deeply_nested_json(tmp_path: Path) -> None:
    path = _persisted(tmp_path)
    path.write_text('{"kind": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        SimpleVectorStore.from_persist_path(str(path))


@pytest.mark.parametrize("name", ["../outside.npy", "/tmp/outside.npy", "sub/vs.npy", "..", ""])
def test_vectors_file_must_be_a_bare_name(tmp_path: Path, name: str) -> None:
    index = tmp_path / "index"
    index.mkdir()
    path = _persisted(index)
    # a real, valid vectors file at the place the name points to: the load must still refuse it
    target = _vectors_file(path)
    (tmp_path / "outside.npy").write_bytes(target.read_bytes())
    _edit(path, vectors_file=name)
    with pytest.raises(InvalidInputError, match="bare file name"):
        SimpleVectorStore.from_persist_path(str(path))
    assert np.load(tmp_path / "outside.npy").shape == (2, 2)
