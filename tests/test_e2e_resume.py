"""Crash-resume: SIGKILL an ingest mid-run, run it again, and get exactly what an uninterrupted run gives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TypedDict

import numpy as np
import pytest

from .conftest import write_corpus

INGEST = r"""
import sys, time
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.readers import SimpleDirectoryReader

class SlowEmbedding(MockEmbedding):
    def _get_text_embeddings(self, texts):
        time.sleep(0.01)
        return super()._get_text_embeddings(texts)

folder, index_dir = sys.argv[1], sys.argv[2]
pipeline = IngestionPipeline(
    transformations=[SentenceSplitter(chunk_size=64, chunk_overlap=8), SlowEmbedding(embed_dim=24, embed_batch_size=4)],
    checkpoint_dir=index_dir,
    checkpoint_interval=0,
    docs_per_batch=3,
)
def progress(done, total):
    print(f"{done}/{total}", flush=True)
pipeline.run(documents=SimpleDirectoryReader(folder).load_data(), progress=progress)
print("finished", flush=True)
"""


def _ingest(folder: Path, index_dir: Path, kill_after: int | None = None) -> str:
    log = index_dir.parent / f"{index_dir.name}.stderr"
    last = ""
    with (
        open(log, "w", encoding="utf-8") as stderr,
        subprocess.Popen(
            [sys.executable, "-c", INGEST, str(folder), str(index_dir)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as proc,
    ):
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                last = line.strip()
                if kill_after is not None and "/" in last and int(last.split("/")[0]) >= kill_after:
                    time.sleep(0.013 * (kill_after % 7))  # land the kill at varying points of the next batch
                    os.kill(proc.pid, signal.SIGKILL)
                    break
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    expected = 0 if kill_after is None else -signal.SIGKILL
    assert proc.returncode == expected, log.read_text(encoding="utf-8")[-2000:]
    return last


class StoreState(TypedDict):
    """What :func:`_state` reads from a persisted index."""

    ids: list[str]
    unique: bool
    nodes: dict[str, tuple[str, str]]
    vectors: dict[str, bytes]
    ref_doc_info: dict[str, list[str]]
    doc_hashes: dict[str, str]


def _state(index_dir: Path) -> StoreState:
    """Everything that must match between runs, read straight from the persisted files."""
    from dovetail.core.storage._io import recover

    recover(index_dir)
    store = json.loads((index_dir / "default__vector_store.json").read_text(encoding="utf-8"))
    vectors = np.load(index_dir / store["vectors_file"], allow_pickle=False)
    ids = store["ids"]
    docstore = json.loads((index_dir / "docstore.json").read_text(encoding="utf-8"))
    return {
        "ids": sorted(ids),
        "unique": len(ids) == len(set(ids)),
        "nodes": {node["id_"]: (node["text"], node["relationships"]["1"]["node_id"]) for node in store["nodes"]},
        "vectors": {node_id: vectors[row].tobytes() for row, node_id in enumerate(ids)},
        "ref_doc_info": {k: sorted(v["node_ids"]) for k, v in docstore["ref_doc_info"].items()},
        "doc_hashes": docstore["doc_hashes"],
    }


@pytest.mark.slow
def test_killed_ingest_resumes_to_the_same_store(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "corpus", count=60, sentences=7)
    reference_dir = tmp_path / "reference"
    _ingest(folder, reference_dir)
    reference = _state(reference_dir)
    assert reference["unique"]
    assert len(reference["doc_hashes"]) == 60

    resumed_dir = tmp_path / "resumed"
    _ingest(folder, resumed_dir, kill_after=15)
    partial = _state(resumed_dir)
    assert partial["unique"]
    done = len(partial["doc_hashes"])
    assert 15 <= done < 60
    # Every document marked done has all of its nodes, and nothing else is stored.
    assert set(partial["ref_doc_info"]) == set(partial["doc_hashes"])
    stored = set(partial["ids"])
    assert stored == {n for ids in partial["ref_doc_info"].values() for n in ids}
    for doc_id, node_ids in partial["ref_doc_info"].items():
        assert node_ids == reference["ref_doc_info"][doc_id]

    _ingest(folder, resumed_dir, kill_after=40)  # killed a second time
    assert _ingest(folder, resumed_dir) == "finished"
    assert _state(resumed_dir) == reference

    assert _ingest(folder, resumed_dir) == "finished"  # a rerun on a complete index changes nothing
    assert _state(resumed_dir) == reference
