"""Bytes of a file to text without losing any: BOM, then UTF-8, then the file's own declaration, then cp1252.

How a file is decoded (``encoding="utf-8"``, the default, with any ``errors`` but ``"strict"``):

1. a byte-order mark names the encoding (UTF-8, UTF-16 or UTF-32, little or big endian);
2. otherwise the bytes are tried as UTF-8 (what nearly every text file written since 2010 is);
3. otherwise an encoding the file declares in its first two lines (a Python ``coding:`` cookie, an XML
   ``encoding=`` or an HTML ``charset=``) is used when Python knows it and it decodes the bytes;
4. otherwise cp1252 (Windows Western, a superset of Latin-1's printable range), and Latin-1 for the five bytes
   cp1252 leaves undefined: both map every byte to a character, so no byte is ever dropped.

The encoding used and the reason are returned with the text, so callers can report them per file. An explicit
``encoding`` other than UTF-8 is used as given; when its bytes do not decode, ``errors`` decides (``"strict"``
fails, ``"replace"``/``"ignore"`` go on) and the number of undecodable bytes is reported, never dropped in
silence. ``errors="strict"`` with UTF-8 keeps UTF-8 strict: a file that is not UTF-8 fails.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

__all__ = ["Decoding", "decode_bytes", "looks_binary"]

_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(rb"""(?:coding[:=]\s*|encoding\s*=\s*["']|charset\s*=\s*["']?)([-\w.]+)""", re.IGNORECASE)
_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"BZh", b"7z\xbc\xaf")
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b\x0b")
_SNIFF = 8192


@dataclass(frozen=True)
class Decoding:
    """How a file was decoded.

    Attributes:
        encoding: the codec used (``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"``, ...).
        reason: why this codec (``"valid UTF-8"``, ``"byte-order mark"``, ``"declared in the file"``, ...).
        lost: bytes that could not be decoded and were replaced or dropped under ``errors`` (0 normally).
    """

    encoding: str
    reason: str
    lost: int = 0


def looks_binary(data: bytes) -> bool:
    """Whether the start of ``data`` looks like a binary format rather than text.

    Binary: a known magic number (PDF, ZIP, gzip, ELF, images, ...), a NUL byte outside a UTF-16/32 BOM file,
    or more than 10 % control characters other than tab, newlines, form feed, backspace and escape.
    """
    head = data[:_SNIFF]
    if not head or any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if head.startswith(_MAGIC) or b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls * 10 > len(head)


def _result(text: str, encoding: str, reason: str, lost: int = 0) -> tuple[str, Decoding]:
    return text, Decoding(encoding, reason, lost)


def _declared(data: bytes) -> str | None:
    for line in data[:400].splitlines()[:2]:
        found = _DECLARED.search(line)
        if found:
            try:
                return codecs.lookup(found.group(1).decode("ascii")).name
            except LookupError:
                return None
    return None


def _cp1252(data: bytes) -> tuple[str, Decoding]:
    try:
        return _result(data.decode("cp1252"), "cp1252", "not valid UTF-8; read as Windows-1252 (Latin-1)")
    except UnicodeDecodeError:
        return _result(data.decode("latin-1"), "latin-1", "not valid UTF-8 nor Windows-1252; read as Latin-1")


def _explicit(data: bytes, encoding: str, errors: str) -> tuple[str, Decoding]:
    try:
        return _result(data.decode(encoding), codecs.lookup(encoding).name, "given by the caller")
    except UnicodeDecodeError:
        if errors == "strict":
            raise
    text = data.decode(encoding, errors)
    replaced = data.decode(encoding, "replace")
    lost = replaced.count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
    return _result(text, codecs.lookup(encoding).name, f"given by the caller; {errors} undecodable bytes", lost)


def decode_bytes(data: bytes, encoding: str = "utf-8", errors: str = "ignore") -> tuple[str, Decoding]:
    """Decode ``data`` as described in the module docstring; returns the text and how it was decoded.

    Raises:
        UnicodeDecodeError: only with ``errors="strict"``, when the bytes are not in the required encoding.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _result(data.decode(codec), codec, "byte-order mark")
            except UnicodeDecodeError:
                break  # a stray BOM-like start: fall through to the other rules
    if codecs.lookup(encoding).name != "utf-8":
        return _explicit(data, encoding, errors)
    try:
        return _result(data.decode("utf-8"), "utf-8", "valid UTF-8")
    except UnicodeDecodeError:
        if errors == "strict":
            raise
    declared = _declared(data)
    if declared is not None and declared != "utf-8":
        try:
            return _result(data.decode(declared), declared, "declared in the file")
        except (UnicodeDecodeError, LookupError):
            pass
    return _cp1252(data)
