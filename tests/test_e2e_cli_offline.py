"""The ``dovetail`` CLI and ``make demo`` as subprocesses with the network cut off by an audit hook.

Every name lookup or connection attempt is logged and refused; each test asserts that the command succeeded
and that nothing was attempted. The guard itself is checked first, so a broken guard fails loudly.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from .conftest import CLI
from .conftest import DEMO_CORPUS
from .conftest import REPO
from .conftest import run_offline
from .conftest import write_corpus

HAS_ONNX = importlib.util.find_spec("dovetail.embeddings.onnx") is not None


def test_the_guard_sees_and_refuses_connections() -> None:
    result = run_offline("import socket\nsocket.create_connection(('127.0.0.1', 9), timeout=1)\n")
    assert result.returncode != 0
    assert "network access is disabled" in result.stderr
    assert result.network_attempts
    assert result.network_attempts[0].startswith(("socket.getaddrinfo", "socket.connect"))


def test_cli_ingest_and_query_offline_with_mock_embeddings(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "notes", count=5)
    index = str(tmp_path / "index")
    ingest = run_offline(CLI, "ingest", str(folder), "--index", index, "--embed", "mock:64")
    assert ingest.returncode == 0, ingest.stderr
    assert "5 new" in ingest.stdout
    query = run_offline(CLI, "query", "Which joint is cut in walnut?", "--index", index, "--json", "--top-k", "5")
    assert query.returncode == 0, query.stderr
    assert json.loads(query.stdout)["mode"] == "extractive"
    assert ingest.network_attempts == []
    assert query.network_attempts == []


def test_cli_errors_offline_are_one_line(tmp_path: Path) -> None:
    result = run_offline(CLI, "query", "anything", "--index", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.startswith("dovetail: error: no index at")
    assert "Traceback" not in result.stderr
    assert result.network_attempts == []


@pytest.mark.slow
@pytest.mark.skipif(not HAS_ONNX, reason="dovetail-embeddings-onnx is not installed")
def test_cli_with_the_local_onnx_embedder_answers_offline(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    ingest = run_offline(CLI, "ingest", str(DEMO_CORPUS), "--index", index)
    assert ingest.returncode == 0, ingest.stderr
    assert "8 new" in ingest.stdout
    query = run_offline(CLI, "query", "Why are dovetails used for drawers?", "--index", index, "--json")
    assert query.returncode == 0, query.stderr
    payload = json.loads(query.stdout)
    assert payload["sources"][0]["doc_id"] == "dovetail.md"
    assert "drawer" in payload["answer"].lower()
    record = json.loads((Path(index) / "index_store.json").read_text(encoding="utf-8"))
    (struct,) = record["index_structs"].values()
    assert struct["extra"]["embed_model"]["spec"].startswith("onnx")
    assert ingest.network_attempts == []
    assert query.network_attempts == []


@pytest.mark.slow
@pytest.mark.skipif(not HAS_ONNX, reason="dovetail-embeddings-onnx is not installed")
def test_make_demo_runs_offline() -> None:
    demo = "import runpy, sys\nsys.argv = ['demo.py']\nrunpy.run_path('scripts/demo.py', run_name='__main__')\n"
    result = run_offline(demo, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Q: ") == 2
    assert "[1] dovetail.md" in result.stdout
    assert "[1] mortise_and_tenon.md" in result.stdout
    assert result.network_attempts == []
