"""Content blocks on the wire: audio and documents map to the chat API's parts, the rest is refused or dropped."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.llms import AudioBlock
from dovetail.core.llms import CachePoint
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import DocumentBlock
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import ThinkingBlock
from dovetail.core.llms import ToolCallBlock
from dovetail.core.llms import VideoBlock
from dovetail.llms.openai import OpenAI

pytestmark = pytest.mark.integration

CHAT = "/v1/chat/completions"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _llm(server: Any) -> OpenAI:
    return OpenAI(model="gpt-4o-mini", api_key="k", api_base=server.base_url)


def test_audio_and_document_blocks_become_input_audio_and_file_parts(server: Any, tmp_path: Path) -> None:
    pdf = tmp_path / "manual.pdf"
    pdf.write_bytes(PDF)
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt "
    message = ChatMessage(
        blocks=[TextBlock(text="summarise"), AudioBlock(audio=wav), DocumentBlock(path=pdf), CachePoint()]
    )
    _llm(server).chat([message])
    parts = server.requests_to(CHAT)[-1].body["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "summarise"}
    assert parts[1] == {"type": "input_audio", "input_audio": {"data": base64.b64encode(wav).decode(), "format": "wav"}}
    assert parts[2]["type"] == "file"
    assert parts[2]["file"]["filename"] == "manual.pdf"
    assert parts[2]["file"]["file_data"] == "data:application/pdf;base64," + base64.b64encode(PDF).decode()
    assert len(parts) == 3, "the cache point is not content"


def test_video_is_refused_before_any_request(server: Any) -> None:
    message = ChatMessage(blocks=[TextBlock(text="what happens?"), VideoBlock(video=b"\x00\x00\x00\x18ftypmp42")])
    with pytest.raises(InvalidInputError, match="VideoBlock"):
        _llm(server).chat([message])
    assert server.requests_to(CHAT) == []


def test_tool_call_blocks_become_tool_calls_and_thinking_is_not_resent(server: Any) -> None:
    assistant = ChatMessage(
        role=MessageRole.ASSISTANT,
        blocks=[
            ThinkingBlock(content="the user wants a sum"),
            ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 1, "b": 2}),
        ],
    )
    tool = ChatMessage(role=MessageRole.TOOL, content="3", additional_kwargs={"tool_call_id": "call_1"})
    _llm(server).chat([ChatMessage("add 1 and 2"), assistant, tool])
    sent = server.requests_to(CHAT)[-1].body["messages"]
    assert sent[1]["content"] is None
    assert sent[1]["tool_calls"] == [
        {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    ]
