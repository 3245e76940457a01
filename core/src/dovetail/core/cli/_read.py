"""Reading the selected files for ``dovetail ingest``: documents, and per file what happened to it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dovetail.core.readers import SimpleDirectoryReader
    from dovetail.core.schema import Document

__all__ = ["ReadReport", "read_files"]


@dataclass
class ReadReport:
    """What reading gave: the documents and, per file, the encoding used or why it was skipped.

    Attributes:
        documents: one per file read (ids relative to the ingested folder).
        encodings: encoding name → number of files decoded with it.
        notes: ``(relative path, note)`` for every file not read as plain UTF-8 (encoding and why).
        binary: files skipped because their content is binary.
        unparsable: ``(relative path, reason)`` for files whose content was rejected (e.g. invalid JSON).
        failed: ``(relative path, reason)`` for files that could not be read at all (permissions, I/O errors).
    """

    documents: list[Document] = field(default_factory=list)
    encodings: Counter[str] = field(default_factory=Counter)
    notes: list[tuple[str, str]] = field(default_factory=list)
    binary: list[str] = field(default_factory=list)
    unparsable: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def read_files(root: Path, files: list[Path], follow_symlinks: bool) -> ReadReport:
    """Read ``files`` (found under ``root``, or ``root`` itself) into documents with stable relative ids."""
    from dovetail.core._exceptions import DovetailError
    from dovetail.core.readers import SimpleDirectoryReader

    base = root if root.is_dir() else root.parent
    report = ReadReport()
    if not files:
        return report
    reader = SimpleDirectoryReader(input_files=files, raise_on_error=True, allow_external_symlinks=follow_symlinks)
    for path in files:
        relative = path.relative_to(base).as_posix()
        try:
            streamed = _streamed(reader, path, relative)
            if isinstance(streamed, str):  # "binary"
                report.binary.append(relative)
                continue
            if streamed is not None:
                report.encodings["utf-8"] += 1
                report.documents.append(streamed)
                continue
            docs = reader.load_file(path)
        except DovetailError as exc:
            if isinstance(exc.__cause__, OSError):
                report.failed.append((relative, f"{type(exc.__cause__).__name__}: {exc.__cause__}"))
            elif "looks binary" in str(exc):
                report.binary.append(relative)
            else:
                report.unparsable.append((relative, str(exc).replace(str(path), relative)))
            continue
        decoding = reader.decodings.pop(str(path), None)
        if decoding is not None:
            report.encodings[decoding.encoding] += 1
            if decoding.encoding not in ("utf-8", "ascii"):
                report.notes.append((relative, f"read as {decoding.encoding} ({decoding.reason})"))
        for number, doc in enumerate(docs):
            doc.id_ = relative if len(docs) == 1 else f"{relative}#{number}"
            report.documents.append(doc)
    return report


def _streamed(reader: SimpleDirectoryReader, path: Path, relative: str) -> Document | str | None:
    """A big plain-text UTF-8 file as a document read from disk a section at a time (``"binary"`` when its start
    looks binary; ``None``: read it the ordinary way)."""
    from dovetail.core.readers._decode import looks_binary
    from dovetail.core.readers._directory import EXCLUDED_METADATA
    from dovetail.core.readers._parsers import PARSERS
    from dovetail.core.readers._parsers import parse_text
    from dovetail.core.readers._streamed import STREAM_BYTES
    from dovetail.core.readers._streamed import stream_document

    try:
        if path.stat().st_size < STREAM_BYTES or PARSERS.get(path.suffix.lower(), parse_text) is not parse_text:
            return None
        with path.open("rb") as stream:
            if looks_binary(stream.read(8192)):
                return "binary"
        metadata = dict(reader.file_metadata(str(path)))
        return stream_document(
            path,
            metadata,
            relative,
            excluded_embed_metadata_keys=list(EXCLUDED_METADATA),
            excluded_llm_metadata_keys=list(EXCLUDED_METADATA),
        )
    except OSError:
        return None  # the ordinary read reports it
