"""Media blocks whose content resolves to zero bytes raise, as LlamaIndex's ``resolve_*`` methods do.

LlamaIndex's ``ImageBlock.resolve_image``, ``AudioBlock.resolve_audio``, ``VideoBlock.resolve_video`` and
``DocumentBlock.resolve_document`` raise ``ValueError`` for empty content; dovetail raises its
``InvalidInputError`` (a ``ValueError``) from every way of reading the content, whatever the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import DovetailError
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import AudioBlock
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import VideoBlock
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import LoopbackHTTPServer

# block class, its data keyword, its LlamaIndex resolve method, a MIME type for a data: URL
KINDS: dict[str, tuple[type[Any], str, str, str]] = {
    "image": (ImageBlock, "image", "resolve_image", "image/png"),
    "audio": (AudioBlock, "audio", "resolve_audio", "audio/wav"),
    "video": (VideoBlock, "video", "resolve_video", "video/mp4"),
    "document": (DocumentBlock, "data", "resolve_document", "application/pdf"),
}
SOURCES = ("bytes", "file", "url", "data_url")


def _send_empty(exchange: Exchange) -> None:
    exchange.send_bytes(200, b"", "application/octet-stream")


def _send_one_byte(exchange: Exchange) -> None:
    exchange.send_bytes(200, b"x", "application/octet-stream")


@pytest.fixture(scope="module")
def media_server() -> Iterator[str]:
    """A server on 127.0.0.1 answering ``/empty`` with a 200 and no body, ``/one`` with one byte."""
    with LoopbackHTTPServer() as server:
        server.add_route("GET", "/empty", _send_empty)
        server.add_route("GET", "/one", _send_one_byte)
        yield server.url


def _block(kind: str, source: str, content: bytes, tmp_path: Path, server: str) -> Any:
    cls, field, _, mimetype = KINDS[kind]
    if source == "bytes":
        return cls(**{field: content})
    if source == "file":
        path = tmp_path / f"{kind}.bin"
        path.write_bytes(content)
        return cls(path=path)
    if source == "url":
        return cls(url=f"{server}/{'one' if content else 'empty'}")
    return cls(url=f"data:{mimetype};base64,{'eA==' if content else ''}")


def _readers(kind: str) -> dict[str, Callable[[Any], Any]]:
    method = KINDS[kind][2]
    return {
        method: lambda block: getattr(block, method)(),
        f"{method}(as_base64=True)": lambda block: getattr(block, method)(as_base64=True),
        "resolve_bytes": lambda block: block.resolve_bytes(),
        "as_base64": lambda block: block.as_base64(),
        "as_data_url": lambda block: block.as_data_url(),
    }


@pytest.mark.integration
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_empty_content_is_a_value_error_from_every_reader(
    kind: str, source: str, tmp_path: Path, media_server: str
) -> None:
    block = _block(kind, source, b"", tmp_path, media_server)
    for name, read in _readers(kind).items():
        with pytest.raises(InvalidInputError, match=r"is empty \(zero bytes\); give it content") as info:
            read(block)
        assert isinstance(info.value, ValueError), name  # what LlamaIndex's callers catch
        assert isinstance(info.value, DovetailError), name
        assert KINDS[kind][0].__name__ in str(info.value), name


@pytest.mark.integration
@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_one_byte_of_content_still_resolves(kind: str, source: str, tmp_path: Path, media_server: str) -> None:
    block = _block(kind, source, b"x", tmp_path, media_server)
    assert getattr(block, KINDS[kind][2])().getvalue() == b"x"


def test_the_message_names_where_the_empty_content_came_from(tmp_path: Path) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(b"")
    with pytest.raises(InvalidInputError, match="^" + re.escape(f"ImageBlock file {path} is empty")):
        ImageBlock(path=path).resolve_image()
    with pytest.raises(InvalidInputError, match=r"^DocumentBlock data is empty"):
        DocumentBlock(data=b"").resolve_document()


def test_the_mimetype_of_an_empty_block_is_still_inferred_without_raising() -> None:
    assert ImageBlock(image=b"").resolve_mimetype() == "image/png"
    assert DocumentBlock(data=b"").resolve_mimetype() == "text/plain"
    assert AudioBlock(audio=b"", format="mp3").resolve_format() == "mp3"
