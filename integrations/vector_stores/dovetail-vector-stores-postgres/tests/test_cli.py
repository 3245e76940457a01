"""``dovetail ingest --vector-store postgresql://...`` and ``dovetail query`` against the real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import main
from dovetail.core.settings import Settings

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _rows(dsn: str, table: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute(f'SELECT ref_doc_id FROM public."{table}" ORDER BY 1').fetchall()]


def test_ingest_into_postgres_then_query(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSWORD", pg_server.password)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "dovetail.md").write_text("A dovetail joint has pins and tails. It resists pulling apart.\n")
    (corpus / "tenon.txt").write_text("A tenon fits into a mortise. Glue and a drawbore pin hold it.\n")
    index = str(tmp_path / "index")
    uri = f"postgresql://postgres@{pg_server.host}:{pg_server.port}/postgres?table=cli_docs&hybrid_search=true"

    code, out, err = _run(capsys, "ingest", str(corpus), "--index", index, "--embed", "mock:16", "--vector-store", uri)
    assert code == EXIT_OK, err
    assert "2 new" in out
    assert _rows(pg_server.dsn, "cli_docs") == ["dovetail.md", "tenon.txt"]
    recorded = (tmp_path / "index" / "index_store.json").read_text()
    assert "cli_docs" in recorded
    assert pg_server.password not in recorded
    assert not list((tmp_path / "index").glob("*vector_store*"))

    (corpus / "tenon.txt").write_text("A tenon fits into a mortise. Wedges hold it.\n")
    code, out, err = _run(capsys, "ingest", str(corpus), "--index", index)
    assert code == EXIT_OK, err
    assert "1 changed, 1 unchanged" in out
    assert _rows(pg_server.dsn, "cli_docs") == ["dovetail.md", "tenon.txt"]

    code, out, err = _run(capsys, "query", "What holds the tenon?", "--index", index, "--json", "--top-k", "2")
    assert code == EXIT_OK, err
    payload = json.loads(out)
    assert {source["doc_id"] for source in payload["sources"]} == {"dovetail.md", "tenon.txt"}
    assert "Wedges hold it." in json.dumps(payload)

    other = uri.replace("cli_docs", "cli_other")
    code, _, err = _run(capsys, "ingest", str(corpus), "--index", index, "--vector-store", other)
    assert code == EXIT_USAGE
    assert "cli_docs" in err


def test_vector_store_uri_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text")
    code, _, err = _run(capsys, "ingest", str(tmp_path), "--index", str(tmp_path / "i"), "--vector-store", "nope")
    assert code == EXIT_USAGE
    assert "postgresql://" in err
    code, _, err = _run(
        capsys, "ingest", str(tmp_path), "--index", str(tmp_path / "i"), "--vector-store", "nosuch://x/y"
    )
    assert code == EXIT_USAGE
    assert "dovetail-vector-stores-nosuch" in err
