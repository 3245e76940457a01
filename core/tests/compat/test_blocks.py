"""Content blocks as LlamaIndex documents them: every image source resolves to a buffer; the other block types."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import AudioBlock
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms import ToolCallBlock
from dovetail.core.llms import VideoBlock
from dovetail.core.schema import ImageNode
from dovetail.core.testing.loopback import Exchange
from dovetail.core.testing.loopback import LoopbackHTTPServer
from pydantic import ValidationError

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(24))


def _send_png(exchange: Exchange) -> None:
    exchange.send_bytes(200, PNG, "image/png")


@pytest.fixture
def image_server() -> Iterator[str]:
    """A server on 127.0.0.1 with one image at ``/cat.png`` (404 elsewhere); yields its URL."""
    with LoopbackHTTPServer() as server:
        server.add_route("GET", "/cat.png", _send_png)
        yield server.url


@pytest.mark.integration
def test_every_image_source_resolves_to_the_same_buffer(tmp_path: Path, image_server: str) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    blocks = [
        ImageBlock(image=PNG),
        ImageBlock(image=io.BytesIO(PNG)),
        ImageBlock(image=base64.b64encode(PNG).decode()),
        ImageBlock(path=path),
        ImageBlock(path=str(path)),
        ImageBlock(url=f"{image_server}/cat.png"),
        ImageBlock(url="data:image/png;base64," + base64.b64encode(PNG).decode()),
    ]
    for block in blocks:
        buffer = block.resolve_image()
        assert isinstance(buffer, io.BytesIO)
        assert buffer.getvalue() == PNG
        assert block.resolve_image(as_base64=True).getvalue() == base64.b64encode(PNG)
        assert block.image_mimetype == "image/png", f"mimetype inferred for {block!r}"


def test_data_url_is_decoded_at_once() -> None:
    block = ImageBlock(url="data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xffjpeg").decode())
    assert block.url is None
    assert block.image == b"\xff\xd8\xffjpeg"
    assert block.image_mimetype == "image/jpeg"


@pytest.mark.integration
def test_a_failing_download_is_a_typed_error(image_server: str) -> None:
    with pytest.raises(InvalidInputError, match="cannot download"):
        ImageBlock(url=f"{image_server}/missing.png").resolve_image()


def test_exactly_one_source() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        ImageBlock()
    with pytest.raises(ValidationError, match="exactly one"):
        ImageBlock(image=PNG, url="https://example.invalid/a.png")


def test_other_block_types_live_in_messages_and_round_trip_json() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            TextBlock(text="see"),
            ThinkingBlock(content="hmm", num_tokens=3),
            ToolCallBlock(tool_call_id="c1", tool_name="add", tool_kwargs={"a": 1}),
            AudioBlock(audio=b"ID3audio"),
            VideoBlock(url="https://example.invalid/v.mp4"),
            DocumentBlock(data=b"%PDF-1.4 x", title="spec"),
            CachePoint(),
        ],
    )
    again = ChatMessage.model_validate_json(message.model_dump_json())
    assert again == message
    assert message.content == "see"
    audio, video, document = message.blocks[3], message.blocks[4], message.blocks[5]
    assert isinstance(audio, AudioBlock)
    assert audio.resolve_format() == "mp3"
    assert isinstance(video, VideoBlock)
    assert video.video_mimetype == "video/mp4"
    assert isinstance(document, DocumentBlock)
    assert document.document_mimetype == "application/pdf"
    assert message.blocks[6] == CachePoint(cache_control={"type": "ephemeral"})


def test_image_node_hash_includes_the_image_path_and_mimetype_is_inferred() -> None:
    first = ImageNode(image_path="a.png")
    second = ImageNode(image_path="b.png")
    assert first.hash != second.hash
    assert first.image_mimetype == "image/png"
    assert ImageNode(image_url="https://example.invalid/x.jpg").image_mimetype == "image/jpeg"
