"""Messages, content blocks, responses and metadata."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import NotFoundError
from dovetail.core.llms import ChatMessage
from dovetail.core.llms import ChatResponse
from dovetail.core.llms import CompletionResponse
from dovetail.core.llms import ImageBlock
from dovetail.core.llms import LLMMetadata
from dovetail.core.llms import MessageRole
from dovetail.core.llms import TextBlock
from dovetail.core.llms import messages_to_prompt
from dovetail.core.testing.llm import tiny_png
from dovetail.core.tools import ToolOutput
from pydantic import ValidationError


def test_chat_message_content_is_a_view_over_blocks() -> None:
    message = ChatMessage(role="assistant", content="hi")
    assert message.role is MessageRole.ASSISTANT
    assert message.blocks == [TextBlock(text="hi")]
    assert message.content == "hi"
    message.content = "bye"
    assert message.blocks == [TextBlock(text="bye")]
    assert str(message) == "assistant: bye"


def test_chat_message_with_text_and_image_blocks() -> None:
    image = ImageBlock(url="https://example.invalid/cat.png")
    message = ChatMessage(blocks=[TextBlock(text="what is"), image, TextBlock(text="this?")])
    assert message.role is MessageRole.USER
    assert message.content == "what is\nthis?"
    assert message.images == [image]
    message.content = "replaced"
    assert message.blocks == [TextBlock(text="replaced"), image], "setting content keeps the images"


def test_chat_message_round_trips_through_json() -> None:
    message = ChatMessage(
        role="user",
        blocks=[TextBlock(text="x"), ImageBlock(image=b"\x89PNG\r\n\x1a\nrest")],
        additional_kwargs={"name": "ann"},
    )
    assert ChatMessage.model_validate_json(message.model_dump_json()) == message


def test_from_str() -> None:
    message = ChatMessage.from_str("Hi", "assistant", additional_kwargs={"name": "bot"})
    assert (message.role, message.content, message.additional_kwargs) == (MessageRole.ASSISTANT, "Hi", {"name": "bot"})


def test_llm_subclasses_may_have_model_fields_without_warnings() -> None:
    import warnings

    from dovetail.core.llms import MockLLM

    with warnings.catch_warnings():
        warnings.simplefilter("error")

        class Named(MockLLM):
            model_name: str = "x"
            model_kwargs: dict[str, int] = {}

    assert Named().model_name == "x"


def test_chat_message_without_content() -> None:
    assert ChatMessage(role="assistant", content=None).content is None
    assert ChatMessage().content is None


@pytest.mark.parametrize(
    ("content", "in_message", "in_output"),
    [
        (None, [], []),
        ("hi", [TextBlock(text="hi")], [TextBlock(text="hi")]),
        (42, [TextBlock(text="42")], [TextBlock(text="42")]),
        ([TextBlock(text="a"), TextBlock(text="b")], [TextBlock(text="a"), TextBlock(text="b")], None),
    ],
)
def test_content_keyword_becomes_blocks(content: object, in_message: list[TextBlock], in_output: object) -> None:
    assert ChatMessage(content=content).blocks == in_message
    if in_output is not None:
        assert ToolOutput(content=content, tool_name="t").blocks == in_output


def test_tool_output_content_is_always_one_text_block() -> None:
    output = ToolOutput(content=["a", "b"], tool_name="t")
    assert output.blocks == [TextBlock(text="['a', 'b']")], "a tool output's content is its text, lists included"


@pytest.mark.parametrize(
    ("build", "owner"),
    [
        (lambda: ChatMessage(content="a", blocks=[TextBlock(text="b")]), "ChatMessage"),
        (lambda: ToolOutput(content="a", blocks=[TextBlock(text="b")], tool_name="t"), "ToolOutput"),
    ],
)
def test_content_and_blocks_together_are_refused(build: Callable[[], object], owner: str) -> None:
    with pytest.raises(ValidationError, match=f"{owner} takes content or blocks, not both"):
        build()


def test_content_with_empty_blocks_is_accepted() -> None:
    assert ChatMessage(content="a", blocks=[]).content == "a"
    assert ToolOutput(content="a", blocks=[], tool_name="t").content == "a"


def test_image_block_from_bytes_base64_and_path(tmp_path: Path) -> None:
    png = tiny_png()
    path = tmp_path / "pixel.png"
    path.write_bytes(png)
    from_bytes = ImageBlock(image=png)
    from_b64 = ImageBlock(image=base64.b64encode(png).decode())
    from_path = ImageBlock(path=path)
    resolved = [block.resolve_image().getvalue() for block in (from_bytes, from_b64, from_path)]
    assert resolved == [png, png, png], "resolve_image returns a buffer, as LlamaIndex"
    assert from_bytes.resolve_mimetype() == "image/png", "sniffed from the magic bytes"
    assert from_path.resolve_mimetype() == "image/png"
    assert from_bytes.as_url() == "data:image/png;base64," + base64.b64encode(png).decode()
    jpeg = ImageBlock(image=b"\xff\xd8\xff\xe0rest")
    assert jpeg.resolve_mimetype() == "image/jpeg"
    assert ImageBlock(image=png, image_mimetype="image/webp").as_url().startswith("data:image/webp;base64,")


def test_image_block_url_is_passed_through_not_downloaded() -> None:
    block = ImageBlock(url="https://example.invalid/a.jpg")
    assert block.as_url() == "https://example.invalid/a.jpg"
    assert block.resolve_mimetype() == "image/jpeg"
    with pytest.raises(InvalidInputError, match="cannot fetch"):
        ImageBlock(url="ftp://example.invalid/a.jpg").resolve_image()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"image": b"x", "url": "https://example.invalid/a.png"}, {"image": "not base64!"}],
)
def test_image_block_needs_exactly_one_valid_source(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ImageBlock(**kwargs)


def test_missing_image_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        ImageBlock(path=tmp_path / "missing.png").resolve_image()


def test_responses() -> None:
    completion = CompletionResponse(text="abc", delta="c", additional_kwargs={"total_tokens": 3})
    assert str(completion) == "abc"
    chat = ChatResponse(message=ChatMessage(role="assistant", content="yo"), raw={"id": 1})
    assert str(chat) == "assistant: yo"
    assert chat.text == "yo"
    assert chat.additional_kwargs == {}


def test_metadata_defaults_match_llamaindex_plus_dovetail_fields() -> None:
    metadata = LLMMetadata()
    assert (metadata.context_window, metadata.num_output) == (3900, 256)
    assert not metadata.is_chat_model
    assert not metadata.is_function_calling_model
    assert metadata.model_name == "unknown"
    assert metadata.system_role is MessageRole.SYSTEM
    assert not metadata.supports_vision
    assert not metadata.supports_structured_output


def test_messages_to_prompt_ends_with_an_open_assistant_turn() -> None:
    prompt = messages_to_prompt(
        [ChatMessage(role="system", content="Be brief."), ChatMessage(content="Hi"), ChatMessage(role="assistant")]
    )
    assert prompt == "system: Be brief.\nuser: Hi\nassistant: \nassistant: "
