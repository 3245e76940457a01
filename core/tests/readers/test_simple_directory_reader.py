"""SimpleDirectoryReader on real folders: parsing, metadata, filters, encodings, ids, errors."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.readers import BaseReader
from dovetail.core.readers import Document
from dovetail.core.readers import SimpleDirectoryReader
from dovetail.core.schema import MetadataMode

LATIN1 = "café crème brûlée".encode("latin-1")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "notes.txt").write_text("plain notes\n", encoding="utf-8")
    (tmp_path / "readme.md").write_text("# Title\n\nBody *text*.", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"b": [1, 2], "a": "é"}', encoding="utf-8")
    (tmp_path / "table.csv").write_text("name,age\nada, 36\n\nalan,41\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>The Page</title><style>p{color:red}</style></head>"
        "<body><h1>Joints</h1><p>Dovetail &amp; tenon</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul>"
        "</body></html>",
        encoding="utf-8",
    )
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.txt").write_text("deep text", encoding="utf-8")
    (sub / "skip.log").write_text("log line", encoding="utf-8")
    hidden_dir = tmp_path / ".git"
    hidden_dir.mkdir()
    (hidden_dir / "config.txt").write_text("git", encoding="utf-8")
    return tmp_path


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {doc.id_: doc for doc in docs}


def test_parses_each_file_type(tree: Path) -> None:
    docs = by_id(SimpleDirectoryReader(tree).load_data())
    assert sorted(docs) == ["data.json", "notes.txt", "page.html", "readme.md", "table.csv"]
    assert docs["notes.txt"].text == "plain notes\n"
    assert docs["readme.md"].text == "# Title\n\nBody *text*."
    assert json.loads(docs["data.json"].text) == {"b": [1, 2], "a": "é"}
    assert docs["data.json"].text == '{\n  "b": [\n    1,\n    2\n  ],\n  "a": "é"\n}'
    assert docs["table.csv"].text == "name, age\nada, 36\nalan, 41"
    assert docs["page.html"].text == "The Page\nJoints\nDovetail & tenon\none\ntwo"


def test_metadata(tree: Path) -> None:
    doc = by_id(SimpleDirectoryReader(tree).load_data())["notes.txt"]
    stat = (tree / "notes.txt").stat()
    assert doc.metadata["file_path"] == str((tree / "notes.txt").resolve())
    assert doc.metadata["file_name"] == "notes.txt"
    assert doc.metadata["file_type"] == "text/plain"
    assert doc.metadata["file_size"] == stat.st_size == 12
    assert len(doc.metadata["last_modified_date"]) == 10
    assert "last_accessed_date" not in doc.metadata
    assert "file_size" not in doc.get_content(MetadataMode.EMBED)
    assert "file_path" in doc.get_content(MetadataMode.EMBED)


def test_file_metadata_callable_replaces_defaults(tree: Path) -> None:
    docs = SimpleDirectoryReader(tree, file_metadata=lambda p: {"source": Path(p).stem}).load_data()
    assert {d.metadata["source"] for d in docs} == {"notes", "readme", "data", "table", "page"}
    assert all(set(d.metadata) == {"source"} for d in docs)


def test_recursive_skips_hidden_files_and_dirs(tree: Path) -> None:
    ids = [d.id_ for d in SimpleDirectoryReader(tree, recursive=True).load_data()]
    assert ids == ["data.json", "notes.txt", "page.html", "readme.md", "sub/deep.txt", "sub/skip.log", "table.csv"]
    with_hidden = [d.id_ for d in SimpleDirectoryReader(tree, recursive=True, exclude_hidden=False).load_data()]
    assert ".hidden.txt" in with_hidden
    assert ".git/config.txt" in with_hidden


def test_exclude_globs_and_required_exts(tree: Path) -> None:
    reader = SimpleDirectoryReader(tree, recursive=True, exclude=["*.log", "*.html", "data.*"])
    assert [d.id_ for d in reader.load_data()] == ["notes.txt", "readme.md", "sub/deep.txt", "table.csv"]
    assert [d.id_ for d in SimpleDirectoryReader(tree, recursive=True, exclude=["sub"]).load_data()] == [
        "data.json", "notes.txt", "page.html", "readme.md", "table.csv"
    ]  # fmt: skip
    only = SimpleDirectoryReader(tree, recursive=True, required_exts=[".txt", "md"])
    assert [d.id_ for d in only.load_data()] == ["notes.txt", "readme.md", "sub/deep.txt"]


def test_num_files_limit(tree: Path) -> None:
    assert len(SimpleDirectoryReader(tree, num_files_limit=2).load_data()) == 2
    with pytest.raises(InvalidInputError):
        SimpleDirectoryReader(tree, num_files_limit=0)


def test_ids_are_stable_relative_paths_and_filename_as_id(tree: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = SimpleDirectoryReader(tree, recursive=True).load_data()
    second = SimpleDirectoryReader(tree, recursive=True).load_data()
    assert [(d.id_, d.hash) for d in first] == [(d.id_, d.hash) for d in second]
    listed = SimpleDirectoryReader(tree, filename_as_id=True).load_data()
    assert {d.id_ for d in listed} == {
        str(tree / n) for n in ["data.json", "notes.txt", "page.html", "readme.md", "table.csv"]
    }
    files = SimpleDirectoryReader(input_files=[tree / "sub" / "deep.txt"]).load_data()
    assert [d.id_ for d in files] == [(tree / "sub" / "deep.txt").resolve().as_posix()]


@pytest.mark.parametrize("errors", ["ignore", "replace"])
def test_non_utf8_bytes_are_never_dropped(tmp_path: Path, errors: str) -> None:
    (tmp_path / "latin.txt").write_bytes(LATIN1)
    reader = SimpleDirectoryReader(tmp_path, errors=errors)
    assert reader.load_data()[0].text == "café crème brûlée"
    decoding = reader.decodings[str(tmp_path / "latin.txt")]
    assert (decoding.encoding, decoding.lost) == ("cp1252", 0)
    assert "not valid UTF-8" in decoding.reason


@pytest.mark.parametrize(
    ("payload", "encoding", "reason"),
    [
        ("naïve “quotes” – €".encode("cp1252"), "cp1252", "Windows-1252"),
        ("\ufeffCafé au lait".encode("utf-8"), "utf-8-sig", "byte-order mark"),
        ("Café au lait".encode("utf-16"), "utf-16", "byte-order mark"),
        ("# -*- coding: koi8-r -*-\nПривет".encode("koi8-r"), "koi8-r", "declared"),
        ('<?xml version="1.0" encoding="iso-8859-7"?><a>Καλημέρα</a>'.encode("iso-8859-7"), "iso8859-7", "declared"),
        ("Café".encode(), "utf-8", "valid UTF-8"),
    ],
)
def test_encoding_detection(tmp_path: Path, payload: bytes, encoding: str, reason: str) -> None:
    (tmp_path / "file.txt").write_bytes(payload)
    reader = SimpleDirectoryReader(tmp_path)
    text = reader.load_data()[0].text
    decoding = reader.decodings[str(tmp_path / "file.txt")]
    assert decoding.encoding == encoding
    assert reason in decoding.reason
    assert text == payload.decode(encoding).lstrip("\ufeff")


def test_explicit_encoding_reports_what_it_could_not_decode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "ascii.txt").write_bytes(LATIN1)
    reader = SimpleDirectoryReader(tmp_path, encoding="ascii", errors="replace")
    with caplog.at_level(logging.WARNING):
        assert reader.load_data()[0].text == "caf\ufffd cr\ufffdme br\ufffdl\ufffde"
    assert reader.decodings[str(tmp_path / "ascii.txt")].lost == 4
    assert "4 undecodable byte(s)" in caplog.text


def test_explicit_encoding_decodes_latin1(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes(LATIN1)
    assert SimpleDirectoryReader(tmp_path, encoding="latin-1").load_data()[0].text == "café crème brûlée"


def test_strict_policy_skips_or_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "latin.txt").write_bytes(LATIN1)
    (tmp_path / "good.txt").write_text("fine", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        docs = SimpleDirectoryReader(tmp_path, errors="strict").load_data()
    assert [d.id_ for d in docs] == ["good.txt"]
    assert "latin.txt" in caplog.text
    with pytest.raises(InvalidInputError, match=r"latin\.txt"):
        SimpleDirectoryReader(tmp_path, errors="strict", raise_on_error=True).load_data()


@pytest.mark.parametrize(
    "payload",
    [b"%PDF-1.7\n% mostly ascii header\n", b"PK\x03\x04zipped", b"\x01\x02\x03\x04\x05\x06abc" * 20, b"ab\x00cd"],
)
def test_binary_content_is_sniffed(tmp_path: Path, payload: bytes) -> None:
    (tmp_path / "blob.dat").write_bytes(payload)
    (tmp_path / "ok.txt").write_text("ok", encoding="utf-8")
    assert [d.id_ for d in SimpleDirectoryReader(tmp_path).load_data()] == ["ok.txt"]


def test_symlinks_leaving_the_folder_are_skipped_unless_allowed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "credentials").write_text("password=hunter2", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "real.md").write_text("real notes", encoding="utf-8")
    (docs / "notes.md").symlink_to(Path("..") / "secret" / "credentials")
    (docs / "alias.md").symlink_to("real.md")  # stays inside: read
    with caplog.at_level(logging.WARNING):
        reader = SimpleDirectoryReader(docs)
    texts = {d.id_: d.text for d in reader.load_data()}
    assert texts == {"alias.md": "real notes", "real.md": "real notes"}
    assert reader.skipped_symlinks == [docs / "notes.md"]
    assert "notes.md" in caplog.text
    assert "allow_external_symlinks" in caplog.text
    allowed = SimpleDirectoryReader(docs, allow_external_symlinks=True).load_data()
    assert {d.id_ for d in allowed} == {"alias.md", "notes.md", "real.md"}


def test_resource_api(tree: Path) -> None:
    reader = SimpleDirectoryReader(tree)
    resources = reader.list_resources()
    assert resources == [str(path) for path in reader.input_files]
    notes = str(tree / "notes.txt")
    assert notes in resources
    info = reader.get_resource_info(notes)
    assert info["file_size"] == 12
    assert info["file_path"] == str((tree / "notes.txt").resolve())
    assert set(info) == {"file_path", "file_size", "creation_date", "last_modified_date"}
    assert [d.text for d in reader.load_resource(notes)] == ["plain notes\n"]
    assert reader.read_file_content(Path(notes)) == b"plain notes\n"
    with pytest.raises(NotFoundError, match="list_resources"):
        reader.load_resource(str(tree / "sub" / "deep.txt"))
    with pytest.raises(NotFoundError):
        reader.get_resource_info("nope.txt")


async def test_aload_resource(tree: Path) -> None:
    reader = SimpleDirectoryReader(tree)
    docs = await reader.aload_resource(str(tree / "readme.md"))
    assert [d.id_ for d in docs] == ["readme.md"]


def test_string_iterable_reader() -> None:
    from dovetail.core.readers import StringIterableReader

    docs = StringIterableReader().load_data(texts=["a dovetail joint", "a mortise"])
    assert [d.text for d in docs] == ["a dovetail joint", "a mortise"]
    assert docs[0].id_ != docs[1].id_
    assert [d.text for d in StringIterableReader().lazy_load_data(iter(["x"]))] == ["x"]
    with pytest.raises(InvalidInputError, match="not a single string"):
        StringIterableReader().load_data(texts="abc")
    with pytest.raises(InvalidInputError, match=r"texts\[1\]"):
        StringIterableReader().load_data(texts=["ok", 3])  # type: ignore[list-item]


def test_bad_json_and_binary_files_are_skipped_or_raised(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "ok.txt").write_text("ok", encoding="utf-8")
    assert [d.id_ for d in SimpleDirectoryReader(tmp_path).load_data()] == ["ok.txt"]
    reader = SimpleDirectoryReader(tmp_path, raise_on_error=True)
    with pytest.raises(InvalidInputError, match="invalid JSON"):
        reader.load_file(tmp_path / "bad.json")
    with pytest.raises(InvalidInputError, match="looks binary"):
        reader.load_file(tmp_path / "blob.bin")


def test_file_vanished_after_listing_is_logged_or_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "gone.txt").write_text("x", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("ok", encoding="utf-8")
    reader = SimpleDirectoryReader(tmp_path)
    strict = SimpleDirectoryReader(tmp_path, raise_on_error=True)
    (tmp_path / "gone.txt").unlink()
    with caplog.at_level(logging.WARNING):
        assert [d.id_ for d in reader.load_data()] == ["ok.txt"]
    assert "gone.txt" in caplog.text
    with pytest.raises(NotFoundError, match="disappeared"):
        strict.load_data()


def test_missing_and_empty_inputs(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        SimpleDirectoryReader(tmp_path / "missing")
    with pytest.raises(NotFoundError):
        SimpleDirectoryReader(input_files=[tmp_path / "missing.txt"])
    with pytest.raises(InvalidInputError, match="no files found"):
        SimpleDirectoryReader(tmp_path)
    (tmp_path / "a.log").write_text("x", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="no files found"):
        SimpleDirectoryReader(tmp_path, required_exts=[".md"])
    with pytest.raises(InvalidInputError, match="exactly one"):
        SimpleDirectoryReader()
    with pytest.raises(InvalidInputError, match="unknown encoding"):
        SimpleDirectoryReader(tmp_path, errors="shrug")


def test_lazy_load_reads_file_by_file(tree: Path) -> None:
    reader = SimpleDirectoryReader(tree)
    stream = reader.lazy_load_data()
    first = next(stream)
    assert first.id_ == "data.json"
    (tree / "table.csv").write_text("changed,after\n", encoding="utf-8")  # not read yet: the stream sees the change
    rest = {d.id_: d.text for d in stream}
    assert rest["table.csv"] == "changed, after"
    assert [len(batch) for batch in reader.iter_data()] == [1, 1, 1, 1, 1]


async def test_async_variants_match(tree: Path) -> None:
    reader = SimpleDirectoryReader(tree, recursive=True)
    expected = [(d.id_, d.text) for d in reader.load_data()]
    assert [(d.id_, d.text) for d in await reader.aload_data()] == expected
    assert [(d.id_, d.text) async for d in reader.alazy_load_data()] == expected
    assert [(d.id_, d.text) for d in reader.load_data(num_workers=3)] == expected


def test_file_extractor_per_extension(tmp_path: Path) -> None:
    class UpperReader(BaseReader):
        def load_data(self, file: Path, extra_info: dict[str, object] | None = None) -> list[Document]:
            lines = Path(file).read_text(encoding="utf-8").splitlines()
            return [Document(text=line.upper(), metadata={"line": n}) for n, line in enumerate(lines)]

    (tmp_path / "two.up").write_text("a\nb", encoding="utf-8")
    docs = SimpleDirectoryReader(tmp_path, file_extractor={".up": UpperReader()}).load_data()
    assert [(d.id_, d.text, d.metadata["line"], d.metadata["file_name"]) for d in docs] == [
        ("two.up#0", "A", 0, "two.up"),
        ("two.up#1", "B", 1, "two.up"),
    ]
