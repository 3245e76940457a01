"""Big UTF-8 text files as documents whose text stays on disk until the pipeline reads it, a section at a time.

A 50 MB file read at once is a 50-200 MB ``str`` (4 bytes per character as soon as one character is outside the
Basic Multilingual Plane) held for the whole run. :class:`StreamedTextDocument` keeps only the path: its hash is
computed by streaming the file (equal to the hash of a :class:`Document` holding the whole text), its length is
counted the same way, and :meth:`StreamedTextDocument.stream_sections` yields exactly the sections that
:func:`dovetail.core.ingestion._sections.sections` would cut from the whole text, reading the file as it goes.
Only files that are valid UTF-8 without a byte-order mark are streamed (their bytes are then exactly the UTF-8
encoding of their text); :func:`stream_document` returns ``None`` for any other file, which is read whole.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.schema import Document
from pydantic import PrivateAttr

__all__ = ["STREAM_BYTES", "StreamedTextDocument", "stream_document"]

STREAM_BYTES = 4_000_000
"""Files at least this big are streamed (smaller ones are read whole: streaming them would gain nothing)."""
_BLOCK = 1 << 20


class StreamedTextDocument(Document):
    """A document of one big UTF-8 text file, read from disk when its sections are needed.

    ``text`` stays empty; use :meth:`stream_sections`, or :meth:`load` for an ordinary :class:`Document` with the
    whole text. ``hash`` equals that of the loaded document.
    """

    _path: Path = PrivateAttr()
    _chars: int = PrivateAttr(default=0)
    _content_digest: Any = PrivateAttr(default=None)

    @property
    def path(self) -> Path:
        """The file the text is read from."""
        return self._path

    @property
    def text_length(self) -> int:
        """Characters of the file's text (counted when the document was made)."""
        return self._chars

    @property
    def hash(self) -> str:
        """sha256 of the file's text and the metadata, as :attr:`Document.hash` computes it for the whole text."""
        digest = self._content_digest.copy()
        tail = "\x00" + json.dumps(self.metadata, sort_keys=True, default=str)
        digest.update(tail.encode("utf-8", "surrogatepass"))
        return str(digest.hexdigest())

    def load(self) -> Document:
        """An ordinary document with the whole text (for transformations that need all of it at once)."""
        text = self._path.read_bytes().decode("utf-8")
        return Document(**{**self.model_dump(exclude={"text"}), "text": text})

    def section(self, text: str) -> Document:
        """An ordinary document with this one's id and metadata and ``text`` (one section) as its text."""
        return Document(**{**self.model_dump(exclude={"text"}), "text": text})

    def stream_sections(self, size: int) -> Iterator[tuple[int, str]]:
        """``(offset, section)`` pairs covering the text, cut as ``sections(text, size)`` would cut them.

        Raises:
            InvalidInputError: the file vanished, became unreadable or stopped being UTF-8 during the run (what
                was committed before stays; run the ingest again).
        """
        try:
            yield from self._sections(size)
        except (OSError, UnicodeDecodeError) as exc:
            msg = (
                f"{self._path} changed or became unreadable while it was being indexed ({type(exc).__name__}: "
                f"{exc}); what was committed is kept, run the ingest again"
            )
            raise InvalidInputError(msg) from exc

    def _sections(self, size: int) -> Iterator[tuple[int, str]]:
        from dovetail.core.ingestion._sections import cut

        decoder = codecs.getincrementaldecoder("utf-8")()
        buffer = ""
        offset = 0
        with self._path.open("rb") as stream:
            while True:
                block = stream.read(_BLOCK)
                buffer += decoder.decode(block, final=not block)
                # a cut needs ``size`` characters ahead of it (or the end of the text) to be the one of the whole text
                while len(buffer) > size or (not block and buffer):
                    end = cut(buffer, 0, size)
                    yield offset, buffer[:end]
                    offset += end
                    buffer = buffer[end:]
                if not block:
                    return


def stream_document(path: Path, metadata: dict[str, Any], doc_id: str, **fields: Any) -> StreamedTextDocument | None:
    """A :class:`StreamedTextDocument` of ``path`` when it is valid UTF-8 without a byte-order mark, else ``None``.

    Reads the file once (hashing it and counting its characters) in bounded memory.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    chars = 0
    with path.open("rb") as stream:
        first = True
        while True:
            block = stream.read(_BLOCK)
            if first and block.startswith(codecs.BOM_UTF8):
                return None
            first = False
            try:
                chars += len(decoder.decode(block, final=not block))
            except UnicodeDecodeError:
                return None
            if not block:
                break
            digest.update(block)
    doc = StreamedTextDocument(id_=doc_id, text="", metadata=metadata, **fields)
    doc._path = path
    doc._chars = chars
    doc._content_digest = digest
    return doc
