"""``dovetail ingest`` on messy real-world folders: encodings, file types, links, chunking, model specs, rebuild."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import EXIT_USAGE
from dovetail.core.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def stored_texts(index: Path) -> list[str]:
    from dovetail.core.storage import StorageContext

    storage = StorageContext.from_defaults(persist_dir=index)
    return [node.get_content() for node in storage.vector_store.get_nodes()]


def test_latin1_file_keeps_every_character_and_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "menu.txt").write_bytes("Café crème, déjà vu.".encode("latin-1"))
    (folder / "plain.md").write_text("plain ascii", encoding="utf-8")
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", str(folder), "--index", str(index), "--embed", "mock:8")
    assert code == EXIT_OK, err
    assert "menu.txt: read as cp1252" in err
    assert "(1 utf-8, 1 cp1252)" in out
    assert any("Café crème, déjà vu." in text for text in stored_texts(index))


def test_known_text_types_by_default_include_exclude_and_binary_sniffing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "docs"
    (folder / "img").mkdir(parents=True)
    (folder / "guide.rst").write_text("Guide\n=====\n\nHow to cut a dovetail.", encoding="utf-8")
    (folder / "README").write_text("Read me first.", encoding="utf-8")
    (folder / "img" / "logo.svg").write_text("<svg><path d='M0 0'/></svg>", encoding="utf-8")
    (folder / "figure.ps").write_text("%!PS-Adobe-3.0\nshowpage", encoding="utf-8")
    (folder / "part.inc").write_text("included", encoding="utf-8")
    (folder / "data.txt").write_bytes(b"\x00\x01\x02\x03 not text at all")
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", str(folder), "--index", str(index), "--embed", "mock:8")
    assert code == EXIT_OK, err
    assert "indexed 2 document(s)" in out
    assert "skipped 1 binary file, 3 files of other types (--include to add them)" in out
    assert "none could be read" not in out + err

    code, out, err = run(
        capsys, "ingest", str(folder), "--index", str(tmp_path / "svg"), "--embed", "mock:8",
        "--include", "*.svg", "--include", "*.rst", "--exclude", "img/**",
    )  # fmt: skip
    assert code == EXIT_OK, err
    assert "indexed 1 document(s)" in out
    assert "1 excluded" in out


def test_links_leaving_the_folder_are_skipped_unless_followed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "credentials.txt").write_text("password=hunter2", encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.md").write_text("ordinary notes", encoding="utf-8")
    (folder / "leak.md").symlink_to(tmp_path / "secret" / "credentials.txt")
    (folder / "private").symlink_to(tmp_path / "secret", target_is_directory=True)
    index = tmp_path / "index"
    code, out, err = run(capsys, "ingest", str(folder), "--index", str(index), "--embed", "mock:8")
    assert code == EXIT_OK, err
    assert "2 links leaving PATH (--follow-symlinks)" in out
    assert "leak.md" in err
    assert not any("hunter2" in text for text in stored_texts(index))

    followed = tmp_path / "followed"
    code, out, err = run(
        capsys, "ingest", str(folder), "--index", str(followed), "--embed", "mock:8", "--follow-symlinks"
    )
    assert code == EXIT_OK, err
    assert any("hunter2" in text for text in stored_texts(followed))


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--chunk-size", "0"], "--chunk-size: must be at least 1"),
        (["--chunk-size", "-5"], "--chunk-size: must be at least 1"),
        (["--chunk-size", "abc"], "expected a whole number"),
        (["--chunk-overlap", "-1"], "--chunk-overlap: must be 0 or more"),
        (["--chunk-size", "64", "--chunk-overlap", "64"], "must be smaller than --chunk-size"),
        (["--commit-interval", "0"], "--commit-interval"),
        (["--workers", "0"], "--workers: must be at least 1"),
    ],
)
def test_invalid_parameters_are_rejected(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path, flags: list[str], fragment: str
) -> None:
    argv = ["ingest", str(corpus), "--index", str(tmp_path / "index"), "--embed", "mock:8", *flags]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse rejects bad values itself
        code = int(exc.code or 0)
    assert code == EXIT_USAGE
    assert fragment in capsys.readouterr().err
    assert not (tmp_path / "index" / "index_store.json").exists()


def test_chunking_is_recorded_and_a_different_one_is_refused_then_rebuilt(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    code, _, err = run(capsys, "ingest", str(corpus), "--index", str(index), "--embed", "mock:8", "--chunk-size", "64")
    assert code == EXIT_OK, err
    record = json.loads((index / "index_store.json").read_text())
    structs = record["index_structs"]
    chunking = next(iter(structs.values()))["extra"]["chunking"] if isinstance(structs, dict) else None
    assert chunking == {"chunk_size": 64, "chunk_overlap": 32}
    before = sorted(stored_texts(index))

    code, _, err = run(capsys, "ingest", str(corpus), "--index", str(index), "--chunk-size", "128")
    assert code == EXIT_USAGE
    assert "chunked with --chunk-size 64 --chunk-overlap 32" in err
    assert "dovetail ingest --rebuild" in err
    assert sorted(stored_texts(index)) == before  # nothing mixed in

    code, out, err = run(capsys, "ingest", str(corpus), "--index", str(index))  # recorded values are reused
    assert code == EXIT_OK, err
    assert "2 unchanged" in out

    code, out, err = run(capsys, "ingest", str(corpus), "--index", str(index), "--rebuild", "--chunk-size", "128")
    assert code == EXIT_OK, err
    assert "2 new" in out
    assert not index.with_name("index.rebuild").exists()
    code, out, err = run(capsys, "ingest", str(corpus), "--index", str(index), "--chunk-size", "128")
    assert code == EXIT_OK, err
    assert "2 unchanged" in out


def test_corrupt_index_message_gives_the_cli_fix_and_rebuild_repairs_it(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    assert run(capsys, "ingest", str(corpus), "--index", str(index), "--embed", "mock:8")[0] == EXIT_OK
    (index / "docstore.json").write_text("{ not json")
    for argv in (["ingest", str(corpus), "--index", str(index)], ["query", "pins", "--index", str(index)]):
        code, _, err = run(capsys, *argv)
        assert code == EXIT_USAGE
        assert f"dovetail ingest --rebuild PATH --index {index}" in err
        assert "persist()" not in err
    code, out, err = run(capsys, "ingest", str(corpus), "--index", str(index), "--rebuild")
    assert code == EXIT_OK, err
    assert "2 new" in out
    code, out, _ = run(capsys, "query", "pins and tails", "--index", str(index), "--json")
    assert code == EXIT_OK
    assert json.loads(out)["sources"]


def test_a_bare_model_name_suggests_the_provider(
    capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    assert run(capsys, "ingest", str(corpus), "--index", str(index), "--embed", "mock:8")[0] == EXIT_OK
    code, _, err = run(capsys, "query", "pins", "--index", str(index), "--llm", "gpt-4o-mini")
    assert code == EXIT_USAGE
    assert "did you mean `openai:gpt-4o-mini`?" in err
    assert "dovetail-llms-gpt-4o-mini" not in err


def test_index_files_follow_the_umask(capsys: pytest.CaptureFixture[str], corpus: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        index = tmp_path / "index"
        assert run(capsys, "ingest", str(corpus), "--index", str(index), "--embed", "mock:8")[0] == EXIT_OK
    finally:
        os.umask(old)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in index.rglob("*") if path.is_file()}
    assert modes
    assert set(modes.values()) == {0o644}, modes
