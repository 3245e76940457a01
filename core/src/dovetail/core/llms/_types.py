"""Message, content-block, response and metadata types shared by every LLM integration."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Generator
from enum import Enum
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core._blocks import AudioBlock
from dovetail.core._blocks import CacheControl
from dovetail.core._blocks import CachePoint
from dovetail.core._blocks import ContentBlock
from dovetail.core._blocks import DocumentBlock
from dovetail.core._blocks import ImageBlock
from dovetail.core._blocks import TextBlock
from dovetail.core._blocks import ThinkingBlock
from dovetail.core._blocks import ToolCallBlock
from dovetail.core._blocks import VideoBlock
from dovetail.core._blocks import content_to_blocks
from dovetail.core._blocks import is_content_block
from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import model_validator

__all__ = [
    "AudioBlock",
    "CacheControl",
    "CachePoint",
    "ChatMessage",
    "ChatResponse",
    "ChatResponseAsyncGen",
    "ChatResponseGen",
    "CompletionResponse",
    "CompletionResponseAsyncGen",
    "CompletionResponseGen",
    "ContentBlock",
    "DocumentBlock",
    "ImageBlock",
    "LLMMetadata",
    "MessageRole",
    "TextBlock",
    "ThinkingBlock",
    "ToolCallBlock",
    "VideoBlock",
    "is_content_block",
]


class MessageRole(str, Enum):
    """Who wrote a chat message."""

    SYSTEM = "system"
    DEVELOPER = "developer"
    USER = "user"
    ASSISTANT = "assistant"
    FUNCTION = "function"
    TOOL = "tool"
    CHATBOT = "chatbot"
    MODEL = "model"


def _message_blocks(content: Any) -> list[Any]:
    """A message's blocks for its ``content``: a list is the blocks themselves, anything else one text block."""
    if isinstance(content, list):
        return content
    return [TextBlock(text=content if isinstance(content, str) else str(content))]


class ChatMessage(KeywordCheckedModel):
    """One chat message: a role, content blocks and provider extras (tool calls, names, ids).

    ``content`` is the convenience view: the text of the message (text blocks joined), settable. As in
    LlamaIndex, the content may be given positionally: ``ChatMessage("Hello!")`` is a user message.

    Example:
        ```python
        ChatMessage(role="user", content="Hello!")
        ChatMessage(role=MessageRole.ASSISTANT, content="Hi", additional_kwargs={"tool_calls": [...]})
        ```
    """

    _positional: ClassVar[tuple[str, ...]] = ("content",)
    _extra_keywords: ClassVar[frozenset[str]] = frozenset({"content"})

    role: MessageRole = MessageRole.USER
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    blocks: list[ContentBlock] = Field(default_factory=list)

    if TYPE_CHECKING:
        # The signature type checkers see: without it, pydantic's mypy plugin gives the class a keyword-only
        # ``__init__`` and rejects the positional content that the constructor accepts.
        def __init__(self, /, content: Any = None, **data: Any) -> None: ...

    @model_validator(mode="before")
    @classmethod
    def _content_to_blocks(cls, data: Any) -> Any:
        return content_to_blocks(data, "ChatMessage", _message_blocks)

    @classmethod
    def from_str(cls, content: str, role: MessageRole | str = MessageRole.USER, **kwargs: Any) -> ChatMessage:
        """A text message: ``ChatMessage.from_str("Hi", "assistant")``."""
        return cls(role=role, content=content, **kwargs)

    @property
    def content(self) -> str | None:
        """Text of the message (text blocks joined with newlines); ``None`` when there is no text block."""
        texts = [block.text for block in self.blocks if isinstance(block, TextBlock)]
        if not texts:
            return None
        return texts[0] if len(texts) == 1 else "\n".join(texts)

    @content.setter
    def content(self, value: str | None) -> None:
        others = [block for block in self.blocks if not isinstance(block, TextBlock)]
        self.blocks = ([TextBlock(text=value)] if value is not None else []) + others

    @property
    def images(self) -> list[ImageBlock]:
        """The image blocks of the message."""
        return [block for block in self.blocks if isinstance(block, ImageBlock)]

    def __str__(self) -> str:
        return f"{self.role.value}: {self.content or ''}"


class ChatResponse(KeywordCheckedModel):
    """A chat answer. In streams, ``message.content`` is the text so far and ``delta`` the new piece.

    Token usage, when the provider reports it, is in ``additional_kwargs`` under ``prompt_tokens``,
    ``completion_tokens`` and ``total_tokens``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    message: ChatMessage
    raw: Any | None = None
    delta: str | None = None
    logprobs: Any | None = None
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """The message text ("" when the message has no text)."""
        return self.message.content or ""

    def __str__(self) -> str:
        return str(self.message)


class CompletionResponse(KeywordCheckedModel):
    """A completion. In streams, ``text`` is the text so far and ``delta`` the new piece.

    Token usage, when the provider reports it, is in ``additional_kwargs`` under ``prompt_tokens``,
    ``completion_tokens`` and ``total_tokens``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    text: str
    raw: Any | None = None
    delta: str | None = None
    logprobs: Any | None = None
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)

    def __str__(self) -> str:
        return self.text


ChatResponseGen = Generator[ChatResponse, None, None]
ChatResponseAsyncGen = AsyncGenerator[ChatResponse, None]
CompletionResponseGen = Generator[CompletionResponse, None, None]
CompletionResponseAsyncGen = AsyncGenerator[CompletionResponse, None]


class LLMMetadata(KeywordCheckedModel):
    """What an LLM can do; used for prompt packing and request validation.

    Args:
        context_window: total tokens the model accepts (prompt + output).
        num_output: tokens reserved for the output.
        is_chat_model: the model takes chat messages natively.
        is_function_calling_model: the model can call tools.
        model_name: the provider's model id.
        system_role: role to use for system prompts.
        supports_vision: the model accepts image blocks.
        supports_structured_output: the provider enforces JSON-schema outputs.
    """

    # pydantic < 2.10 warns about fields starting with "model_" unless the protected namespaces are cleared.
    model_config = ConfigDict(protected_namespaces=())

    context_window: int = 3900
    num_output: int = 256
    is_chat_model: bool = False
    is_function_calling_model: bool = False
    model_name: str = "unknown"
    system_role: MessageRole = MessageRole.SYSTEM
    supports_vision: bool = False
    supports_structured_output: bool = False
