"""Big text files are read from disk a section at a time: same hash, sections, nodes and index as read whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.cli import EXIT_OK
from dovetail.core.cli import main
from dovetail.core.ingestion import IngestionPipeline
from dovetail.core.ingestion import _sections
from dovetail.core.ingestion._sections import sections
from dovetail.core.node_parser import SentenceSplitter
from dovetail.core.readers._streamed import StreamedTextDocument
from dovetail.core.readers._streamed import stream_document
from dovetail.core.schema import Document
from dovetail.core.schema import TextNode
from dovetail.core.storage import SimpleDocumentStore
from dovetail.core.storage import StorageContext
from dovetail.core.vector_stores import SimpleVectorStore

from .conftest import CountingEmbedding

# multi-byte characters (2, 3 and 4 bytes in UTF-8) so block edges fall inside characters
LINE = "Paragraph {i}: the tail board — marked from the pins, sawn on the waste side 🪚, pared to the line. Ünïcödé.\n"


def write_big(path: Path, paragraphs: int) -> str:
    text = "".join(LINE.format(i=i) + ("\n" if i % 3 == 0 else "") for i in range(paragraphs))
    path.write_text(text, encoding="utf-8")
    return text


def test_hash_length_and_sections_equal_those_of_the_whole_text(tmp_path: Path) -> None:
    path = tmp_path / "book.txt"
    text = write_big(path, 25_000)  # about 2.8 MB: several 1 MB blocks
    metadata = {"file_name": "book.txt", "n": 1}
    streamed = stream_document(path, metadata, "book.txt")
    assert isinstance(streamed, StreamedTextDocument)
    assert streamed.text == ""
    whole = Document(id_="book.txt", text=text, metadata=metadata)
    assert streamed.hash == whole.hash
    assert streamed.text_length == len(text)
    for size in (50_000, 200_000, 1_500_000):
        assert list(streamed.stream_sections(size)) == list(sections(text, size))
    assert streamed.load().text == text
    assert streamed.load().hash == whole.hash


def test_files_that_are_not_plain_utf8_are_not_streamed(tmp_path: Path) -> None:
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbfhello")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Café".encode("latin-1") * 1000)
    assert stream_document(bom, {}, "bom.txt") is None
    assert stream_document(latin, {}, "latin.txt") is None


def test_a_streamed_document_gives_the_nodes_of_the_whole_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_sections, "SECTION_THRESHOLD", 60_000)
    monkeypatch.setattr(_sections, "SECTION_CHARS", 12_000)
    path = tmp_path / "book.txt"
    text = write_big(path, 1_500)
    streamed = stream_document(path, {"source": "x"}, "book.txt")
    assert streamed is not None
    whole = Document(id_="book.txt", text=text, metadata={"source": "x"})

    def ingest(doc: Document) -> tuple[list[TextNode], IngestionPipeline]:
        splitter = SentenceSplitter(chunk_size=64, chunk_overlap=8)
        pipeline = IngestionPipeline(
            transformations=[splitter, CountingEmbedding(embed_dim=4, embed_batch_size=16)],
            vector_store=SimpleVectorStore(),
            docstore=SimpleDocumentStore(),
        )
        return [n for n in pipeline.run(documents=[doc]) if isinstance(n, TextNode)], pipeline

    expected, _ = ingest(whole)
    got, pipeline = ingest(streamed)
    assert len(got) > 50
    assert [(n.node_id, n.text, n.start_char_idx, n.end_char_idx, n.embedding) for n in got] == [
        (n.node_id, n.text, n.start_char_idx, n.end_char_idx, n.embedding) for n in expected
    ]
    assert all(n.ref_doc_id == "book.txt" for n in got)
    assert pipeline.docstore is not None
    assert pipeline.docstore.hashes_by_document_id() == {"book.txt": whole.hash}


def test_the_cli_streams_a_big_file_and_indexes_it_as_if_read_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from dovetail.core.readers import _streamed

    folder = tmp_path / "docs"
    folder.mkdir()
    write_big(folder / "big.txt", 3_000)
    (folder / "small.md").write_text("A small note about chisels.", encoding="utf-8")
    made: list[StreamedTextDocument] = []
    original = _streamed.stream_document

    def recording(*args: object, **kwargs: object) -> StreamedTextDocument | None:
        doc = original(*args, **kwargs)  # type: ignore[arg-type]
        if doc is not None:
            made.append(doc)
        return doc

    monkeypatch.setattr(_streamed, "stream_document", recording)
    monkeypatch.setattr(_streamed, "STREAM_BYTES", 300_000)
    monkeypatch.setattr(_sections, "SECTION_THRESHOLD", 100_000)
    monkeypatch.setattr(_sections, "SECTION_CHARS", 30_000)
    code = main(["ingest", str(folder), "--index", str(tmp_path / "streamed"), "--embed", "mock:8", "--quiet"])
    assert code == EXIT_OK, capsys.readouterr().err
    assert [doc.node_id for doc in made] == ["big.txt"]

    monkeypatch.setattr(_streamed, "STREAM_BYTES", 10**12)  # read whole
    code = main(["ingest", str(folder), "--index", str(tmp_path / "whole"), "--embed", "mock:8", "--quiet"])
    assert code == EXIT_OK, capsys.readouterr().err

    def contents(index: Path) -> tuple[dict[str, str], list[tuple[str, str, int | None]]]:
        storage = StorageContext.from_defaults(persist_dir=index)
        nodes = sorted(storage.vector_store.get_nodes(), key=lambda n: n.node_id)
        rows = [(n.node_id, n.get_content(), n.start_char_idx if isinstance(n, TextNode) else None) for n in nodes]
        return storage.docstore.hashes_by_document_id(), rows

    streamed_index, whole_index = contents(tmp_path / "streamed"), contents(tmp_path / "whole")
    assert len(streamed_index[1]) > 100
    assert streamed_index == whole_index


def test_a_file_that_vanishes_during_the_run_gives_a_typed_error(tmp_path: Path) -> None:
    from dovetail.core.errors import InvalidInputError

    path = tmp_path / "book.txt"
    write_big(path, 200)
    streamed = stream_document(path, {}, "book.txt")
    assert streamed is not None
    path.unlink()
    with pytest.raises(InvalidInputError, match="run the ingest again"):
        list(streamed.stream_sections(1_000))
