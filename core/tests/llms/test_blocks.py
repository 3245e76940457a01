"""Document, thinking and cache-point blocks: validation, MIME types, JSON round trips, ``content`` view."""

from __future__ import annotations

from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.llms import CacheControl
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from pydantic import ValidationError

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_document_block_needs_exactly_one_source() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        DocumentBlock()
    with pytest.raises(ValidationError, match="exactly one"):
        DocumentBlock(data=PDF, url="https://example.com/a.pdf")


def test_document_block_mimetypes(tmp_path: Path) -> None:
    assert DocumentBlock(data=PDF).resolve_mimetype() == "application/pdf"
    assert DocumentBlock(data=b"plain words").resolve_mimetype() == "text/plain"
    assert DocumentBlock(data=b"x", document_mimetype="text/csv").resolve_mimetype() == "text/csv"
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello")
    block = DocumentBlock(path=path)
    # LlamaIndex returns a BytesIO at position 0: its callers read() it directly
    assert (block.resolve_mimetype(), block.resolve_document().read()) == ("text/plain", b"hello")


def test_document_block_unreadable_path_and_url_bytes(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        DocumentBlock(path=tmp_path / "missing.pdf").resolve_document()
    with pytest.raises(InvalidInputError, match="cannot fetch"):
        DocumentBlock(url="ftp://example.com/a.pdf").resolve_document()


def test_blocks_round_trip_through_json_and_stay_out_of_content() -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(content="let me think", additional_information={"signature": "sig"}),
            TextBlock(text="answer"),
            DocumentBlock(data=PDF, title="doc"),
            CachePoint(cache_control=CacheControl(ttl="1h")),
        ],
    )
    assert message.content == "answer"
    again = ChatMessage.model_validate_json(message.model_dump_json())
    assert again == message
    assert isinstance(again.blocks[2], DocumentBlock)
    assert again.blocks[2].data == PDF
    assert again.blocks[3] == CachePoint(cache_control=CacheControl(type="ephemeral", ttl="1h"))


def test_document_block_base64_text_is_decoded() -> None:
    import base64

    assert DocumentBlock(data=base64.b64encode(PDF).decode()).data == PDF
    with pytest.raises(ValidationError, match="base64"):
        DocumentBlock(data="not base64!")
