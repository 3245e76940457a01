"""``dovetail ingest PATH --ray``: the same index as an in-process ingest, built on Ray."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import main
from dovetail.core.storage import StorageContext

# Ray keeps background connections open while it runs: every test of this module may talk to it.
pytestmark = pytest.mark.integration


def _write_corpus(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        text = f"Note {i}. The joint number {i} is cut with a saw and pared with a chisel.\n\n" * 3
        (folder / f"note-{i:03d}.txt").write_text(text, encoding="utf-8")


def _index(path: Path) -> dict[str, Any]:
    storage = StorageContext.from_defaults(persist_dir=path)
    return {n.node_id: (n.get_content(), n.embedding) for n in storage.vector_store.get_nodes()}


@pytest.mark.integration
@pytest.mark.usefixtures("ray_local")
def test_ingest_with_ray_builds_the_same_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 40)
    on_ray, local = tmp_path / "ray-index", tmp_path / "local-index"
    assert main(["ingest", str(corpus), "--index", str(on_ray), "--embed", "mock:16", "--ray"]) == EXIT_OK
    assert "indexed 40 document(s)" in capsys.readouterr().out
    assert main(["ingest", str(corpus), "--index", str(local), "--embed", "mock:16", "--quiet"]) == EXIT_OK
    built = _index(on_ray)
    assert len(built) >= 40
    assert built == _index(local)
    # unchanged files: nothing to do on the second run
    assert main(["ingest", str(corpus), "--index", str(on_ray), "--embed", "mock:16", "--ray"]) == EXIT_OK
    assert "0 new, 0 changed, 40 unchanged" in capsys.readouterr().out


def test_workers_and_ray_together_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    _write_corpus(corpus, 2)
    code = main(["ingest", str(corpus), "--index", str(tmp_path / "i"), "--embed", "mock:8", "--ray", "--workers", "2"])
    assert code == EXIT_USAGE
    assert "--workers" in capsys.readouterr().err
