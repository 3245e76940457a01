"""``dovetail query --mode`` and ``dovetail eval``: BM25 built at ingest and kept in step, hybrid fusion, scores on
the demo corpus's labelled questions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import main

ROOT = Path(__file__).resolve().parents[3]
DEMO_CORPUS = ROOT / "scripts" / "demo_corpus"
DEMO_QUESTIONS = ROOT / "scripts" / "demo_questions.jsonl"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sources(capsys: pytest.CaptureFixture[str], question: str, index: str, mode: str) -> list[str]:
    code, out, err = run(capsys, "query", question, "--index", index, "--mode", mode, "--json", "--top-k", "2")
    assert code == EXIT_OK, err
    payload = json.loads(out)
    assert payload["retrieval"] == mode
    return [s["doc_id"] for s in payload["sources"]]


def test_bm25_follows_reingest_and_prune(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:16")
    assert code == EXIT_OK
    assert "BM25 keyword index rebuilt" in out
    assert sources(capsys, "drawbore", index, "bm25") == ["sub/tenon.txt"]
    assert "sub/tenon.txt" in sources(capsys, "drawbore", index, "hybrid")

    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index)
    assert "BM25" not in out  # nothing changed, nothing rebuilt

    (corpus / "dovetail.md").write_text("Dovetails need a sharp marking knife and a fret saw.\n")
    (corpus / "sub" / "tenon.txt").unlink()
    code, out, _ = run(capsys, "ingest", str(corpus), "--index", index, "--prune")
    assert code == EXIT_OK
    assert "BM25 keyword index rebuilt" in out
    assert sources(capsys, "fret saw", index, "bm25") == ["dovetail.md"]
    assert sources(capsys, "drawbore", index, "bm25") == []  # pruned file is gone from the keyword index
    assert sources(capsys, "pins tails", index, "bm25") == []  # the old text of the changed file too


def test_bm25_mode_needs_a_bm25_index(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run(capsys, "ingest", str(corpus), "--index", str(index), "--embed", "mock:16")[0] == EXIT_OK
    shutil.rmtree(index / "bm25")
    code, _, err = run(capsys, "query", "drawbore", "--index", str(index), "--mode", "bm25")
    assert code == EXIT_USAGE
    assert "run dovetail ingest" in err


def test_eval_on_the_demo_questions(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run(capsys, "ingest", str(DEMO_CORPUS), "--index", index)[0] == EXIT_OK
    code, out, err = run(capsys, "eval", str(DEMO_QUESTIONS), "--index", index, "--top-k", "3", "--json")
    assert code == EXIT_OK, err
    rows = {row["mode"]: row for row in json.loads(out)["results"]}
    assert set(rows) == {"dense", "bm25", "hybrid"}
    for row in rows.values():
        assert row["questions"] == 16
        assert 0.0 <= row["mrr"] <= row["hit_rate"] <= 1.0
    assert rows["hybrid"]["hit_rate"] >= max(rows["dense"]["hit_rate"], rows["bm25"]["hit_rate"])
    assert rows["hybrid"]["hit_rate"] >= 0.9

    code, out, _ = run(capsys, "eval", str(DEMO_QUESTIONS), "--index", index, "--mode", "bm25")
    assert code == EXIT_OK
    header, line = out.splitlines()
    assert header.split() == ["mode", "questions", "hit@3", "MRR", "nDCG@3"]
    assert line.split()[0] == "bm25"


def test_eval_reports_bad_question_files(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    assert run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:16")[0] == EXIT_OK
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"question": "x"}\n')
    code, _, err = run(capsys, "eval", str(bad), "--index", index)
    assert code == EXIT_USAGE
    assert "expected_ids" in err
