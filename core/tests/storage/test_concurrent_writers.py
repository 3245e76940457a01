"""Concurrent writers and readers of one persist directory: a lock, per-commit staging, readers never delete."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import ConcurrentWriteError
from dovetail.core.errors import NotFoundError
from dovetail.core.schema import Document
from dovetail.core.schema import NodeRelationship
from dovetail.core.schema import RelatedNodeInfo
from dovetail.core.schema import TextNode
from dovetail.core.storage import StorageContext
from dovetail.core.storage._io import STAGING_DIR
from dovetail.core.storage._io import StagedCommit
from dovetail.core.vector_stores import SimpleVectorStore
from dovetail.core.vector_stores import VectorStoreQuery


def _ingest(storage: StorageContext, doc_id: str, vector: list[float]) -> None:
    doc = Document(id_=doc_id, text=doc_id)
    node = TextNode(
        id_=f"{doc_id}-n",
        text=doc_id,
        embedding=vector,
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=doc_id)},
    )
    storage.vector_store.add([node])
    storage.docstore.add_documents([node], store_text=False)
    storage.docstore.set_document_hash(doc_id, doc.hash)


def _state(directory: Path) -> tuple[set[str], set[str]]:
    loaded = StorageContext.from_defaults(persist_dir=directory)
    dimension = getattr(loaded.vector_store, "dimension", None) or 2  # SimpleVectorStore's, None while empty
    query = VectorStoreQuery(query_embedding=[1.0] * dimension, similarity_top_k=1000)
    hits = loaded.vector_store.query(query)
    return set(hits.ids or []), set(loaded.docstore.hashes_by_document_id())


class _LoadsDuringPersist(SimpleVectorStore):
    """A store whose persist lets another reader load the index in the middle of the commit."""

    def persist(self, persist_path: str, fs: Any | None = None) -> None:
        super().persist(persist_path, fs)
        directory = Path(persist_path).parent.parent  # <index>/.staging-xxx/<file>
        StorageContext.from_defaults(persist_dir=directory)  # a reader: runs recovery, must not delete


def test_a_reader_loading_during_a_commit_does_not_break_it(tmp_path: Path) -> None:
    index = tmp_path / "index"
    storage = StorageContext.from_defaults()
    _ingest(storage, "old", [1.0, 0.0])
    storage.persist(index)

    busy = StorageContext(vector_stores={"default": _LoadsDuringPersist()})
    _ingest(busy, "old", [1.0, 0.0])
    _ingest(busy, "new", [0.0, 1.0])
    busy.persist(index)
    assert _state(index) == ({"old-n", "new-n"}, {"old", "new"})
    assert not list(index.glob(f"{STAGING_DIR}*"))


def test_a_vanished_staging_folder_fails_the_commit_and_keeps_the_old_state(tmp_path: Path) -> None:
    storage = StorageContext.from_defaults()
    _ingest(storage, "old", [1.0, 0.0])
    storage.persist(tmp_path)
    before = _state(tmp_path)

    def commit_whose_staging_vanishes() -> None:
        with StagedCommit(tmp_path) as stage:
            stage.write_json("docstore.json", {"kind": "docstore"})
            shutil.rmtree(stage.staging)  # another program removes the commit in progress
            stage.write_with("index_store.json", StorageContext.from_defaults().index_store.persist)

    with pytest.raises(ConcurrentWriteError, match="disappeared"):
        commit_whose_staging_vanishes()
    assert _state(tmp_path) == before


def test_each_commit_stages_into_a_folder_of_its_own(tmp_path: Path) -> None:
    with StagedCommit(tmp_path) as first:
        first.write_json("a.json", {"v": 1})
    with StagedCommit(tmp_path) as second:
        second.write_json("a.json", {"v": 2})
    assert first.staging != second.staging
    assert first.staging.name.startswith(STAGING_DIR)
    assert json.loads((tmp_path / "a.json").read_text()) == {"v": 2}


_HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from dovetail.core.storage._lock import writer_lock
    with writer_lock(sys.argv[1]):
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold_lock(directory: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(directory), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    proc.stdout.close()
    return proc


def test_a_second_writer_fails_with_a_clear_message_when_the_lock_stays_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = StorageContext.from_defaults()
    _ingest(storage, "old", [1.0, 0.0])
    storage.persist(tmp_path)
    _ingest(storage, "new", [0.0, 1.0])
    holder = _hold_lock(tmp_path, 30)
    try:
        monkeypatch.setenv("DOVETAIL_LOCK_TIMEOUT", "0.3")
        started = time.monotonic()
        with pytest.raises(ConcurrentWriteError, match="another process has been writing it"):
            storage.persist(tmp_path)
        assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
    assert _state(tmp_path) == ({"old-n"}, {"old"})
    storage.persist(tmp_path)  # the kernel released the dead holder's lock
    assert _state(tmp_path) == ({"old-n", "new-n"}, {"old", "new"})


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    storage = StorageContext.from_defaults()
    _ingest(storage, "doc", [1.0, 0.0])
    holder = _hold_lock(tmp_path, 0.5)
    started = time.monotonic()
    storage.persist(tmp_path)
    assert time.monotonic() - started >= 0.3
    holder.wait()
    assert _state(tmp_path) == ({"doc-n"}, {"doc"})


def _cli(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "DOVETAIL_CONFIG": str(cwd / "none.toml")}
    return subprocess.Popen(
        [sys.executable, "-m", "dovetail.core.cli", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _files(index: Path) -> dict[str, Any]:
    store = json.loads((index / "default__vector_store.json").read_text())
    docstore = json.loads((index / "docstore.json").read_text())
    return {"ids": sorted(store["ids"]), "hashes": docstore["doc_hashes"], "refs": docstore["ref_doc_info"]}


def test_two_concurrent_ingests_beside_a_loader_equal_one_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number in range(150):
        (corpus / f"f{number:03}.md").write_text(f"File {number}. " + "Pins and tails hold the joint. " * 30)
    (tmp_path / "none.toml").write_text("")
    both = tmp_path / "both"
    args = ("ingest", str(corpus), "--embed", "mock:16", "--quiet")
    runs = [_cli(*args, "--index", str(both), cwd=tmp_path) for _ in range(2)]
    loads, problems = 0, []
    while any(run.poll() is None for run in runs):  # a reader loading the index over and over meanwhile
        try:
            StorageContext.from_defaults(persist_dir=both)
            loads += 1
        except NotFoundError:
            pass  # no commit yet
        except Exception as exc:
            problems.append(repr(exc))
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert problems == []
    single = _cli(*args, "--index", str(tmp_path / "one"), cwd=tmp_path)
    _out, err = single.communicate(timeout=120)
    assert single.returncode == 0, err
    assert _files(both) == _files(tmp_path / "one")
    assert len(_state(both)[1]) == 150
    assert not list(both.glob(f"{STAGING_DIR}*"))


def test_an_empty_store_passed_in_is_the_one_used(tmp_path: Path) -> None:
    # An empty store has len() == 0; it must not be swapped for a default one.
    store = SimpleVectorStore(similarity="dot")
    assert StorageContext.from_defaults(vector_store=store).vector_store is store
    StorageContext.from_defaults().persist(tmp_path)
    assert StorageContext.from_defaults(vector_store=store, persist_dir=tmp_path).vector_store is store


def test_rolling_forward_a_set_another_thread_already_moved_is_a_no_op(tmp_path: Path) -> None:
    from dovetail.core.storage._io import _roll_forward

    with StagedCommit(tmp_path) as stage:
        stage.write_json("a.json", {"v": 1})
    _roll_forward(tmp_path, stage.staging)  # its folder is gone: nothing to do, no FileNotFoundError
    assert json.loads((tmp_path / "a.json").read_text()) == {"v": 1}


def test_a_staging_folder_re_created_under_a_commit_is_removed_with_the_error(tmp_path: Path) -> None:
    def commit() -> None:
        with StagedCommit(tmp_path) as stage:
            shutil.rmtree(stage.staging)

            def recreate_and_write(path: Path) -> None:
                path.parent.mkdir()
                path.write_text("{}")

            stage.write_with("b.json", recreate_and_write)

    with pytest.raises(ConcurrentWriteError):
        commit()
    assert not list(tmp_path.glob(f"{STAGING_DIR}*"))
