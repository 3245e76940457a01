"""Message, content-block, response and metadata types shared by every LLM integration."""

from __future__ import annotations

import base64
import binascii
import mimetypes
from collections.abc import AsyncGenerator, Generator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from dovetail.core._exceptions import InvalidInputError
from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator, model_validator

__all__ = [
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


class TextBlock(BaseModel):
    """A piece of text inside a :class:`ChatMessage`."""

    block_type: Literal["text"] = "text"
    text: str


_MAGIC_MIMETYPES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"RIFF", "image/webp"),
)


class ImageBlock(BaseModel):
    """An image inside a :class:`ChatMessage`, given by exactly one of raw bytes, a local path or a URL.

    ``image`` holds raw bytes; a ``str`` passed as ``image`` is read as base64 and decoded (JSON dumps write
    base64, so messages round-trip through JSON).

    Example:
        ```python
        ChatMessage(role="user", blocks=[TextBlock(text="What is this?"), ImageBlock(path="cat.png")])
        ```
    """

    block_type: Literal["image"] = "image"
    image: bytes | None = None
    path: Path | None = None
    url: str | None = None
    image_mimetype: str | None = None
    detail: str | None = None

    @field_validator("image", mode="before")
    @classmethod
    def _decode_base64(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                msg = "ImageBlock.image given as str must be base64; pass raw bytes or valid base64 text"
                raise ValueError(msg) from exc
        return value

    @field_serializer("image", when_used="json")
    def _encode_base64(self, value: bytes | None) -> str | None:
        return base64.b64encode(value).decode("ascii") if value is not None else None

    @model_validator(mode="after")
    def _one_source(self) -> ImageBlock:
        sources = sum(x is not None for x in (self.image, self.path, self.url))
        if sources != 1:
            msg = "ImageBlock needs exactly one of image (bytes/base64), path or url"
            raise ValueError(msg)
        return self

    def resolve_image(self) -> bytes:
        """The image bytes (reads ``path``; a ``url`` image is not downloaded and raises ``InvalidInputError``)."""
        if self.image is not None:
            return self.image
        if self.path is not None:
            try:
                return self.path.read_bytes()
            except OSError as exc:
                msg = f"cannot read image file {self.path}: {exc}; check the path"
                raise InvalidInputError(msg) from exc
        msg = "ImageBlock refers to a URL; pass the URL to the provider or give bytes/path to read it locally"
        raise InvalidInputError(msg)

    def resolve_mimetype(self) -> str:
        """The MIME type: explicit, else guessed from the path/URL suffix or the file's magic bytes."""
        if self.image_mimetype:
            return self.image_mimetype
        name = str(self.path) if self.path is not None else self.url
        if name:
            guessed, _ = mimetypes.guess_type(name)
            if guessed:
                return guessed
        if self.url is None:
            head = self.resolve_image()[:12]
            for magic, mimetype in _MAGIC_MIMETYPES:
                if head.startswith(magic):
                    return mimetype
        return "image/png"

    def as_base64(self) -> str:
        """The image bytes, base64-encoded."""
        return base64.b64encode(self.resolve_image()).decode("ascii")

    def as_url(self) -> str:
        """``url`` when given, else a ``data:`` URL with the base64 image (what most chat APIs accept)."""
        if self.url is not None:
            return self.url
        return f"data:{self.resolve_mimetype()};base64,{self.as_base64()}"


class DocumentBlock(BaseModel):
    """A document (PDF, plain text, ...) inside a :class:`ChatMessage`: exactly one of raw bytes, a local path or a
    URL. Providers that read documents (Anthropic, Gemini) get it as a document part.

    ``data`` holds raw bytes; a ``str`` passed as ``data`` is read as base64 and decoded.

    Example:
        ```python
        ChatMessage(role="user", blocks=[DocumentBlock(path="report.pdf"), TextBlock(text="Summarise it.")])
        ```
    """

    block_type: Literal["document"] = "document"
    data: bytes | None = None
    path: Path | None = None
    url: str | None = None
    title: str | None = None
    document_mimetype: str | None = None

    @field_validator("data", mode="before")
    @classmethod
    def _decode_base64(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError) as exc:
                msg = "DocumentBlock.data given as str must be base64; pass raw bytes or valid base64 text"
                raise ValueError(msg) from exc
        return value

    @field_serializer("data", when_used="json")
    def _encode_base64(self, value: bytes | None) -> str | None:
        return base64.b64encode(value).decode("ascii") if value is not None else None

    @model_validator(mode="after")
    def _one_source(self) -> DocumentBlock:
        if sum(x is not None for x in (self.data, self.path, self.url)) != 1:
            msg = "DocumentBlock needs exactly one of data (bytes/base64), path or url"
            raise ValueError(msg)
        return self

    def resolve_document(self) -> bytes:
        """The document bytes (reads ``path``; a ``url`` document is not downloaded and raises
        ``InvalidInputError``)."""
        if self.data is not None:
            return self.data
        if self.path is not None:
            try:
                return self.path.read_bytes()
            except OSError as exc:
                msg = f"cannot read document file {self.path}: {exc}; check the path"
                raise InvalidInputError(msg) from exc
        msg = "DocumentBlock refers to a URL; pass the URL to the provider or give bytes/path to read it locally"
        raise InvalidInputError(msg)

    def resolve_mimetype(self) -> str:
        """The MIME type: explicit, else guessed from the path/URL suffix or the bytes (``%PDF``), else PDF."""
        if self.document_mimetype:
            return self.document_mimetype
        name = str(self.path) if self.path is not None else self.url
        if name:
            guessed, _ = mimetypes.guess_type(name)
            if guessed:
                return guessed
        if self.url is None and not self.resolve_document().startswith(b"%PDF"):
            return "text/plain"
        return "application/pdf"

    def as_base64(self) -> str:
        """The document bytes, base64-encoded."""
        return base64.b64encode(self.resolve_document()).decode("ascii")


class ThinkingBlock(BaseModel):
    """A model's reasoning ("extended thinking"), returned before its answer.

    ``content`` is the reasoning text (``None`` when the provider returned it redacted); provider data needed to
    send the block back on the next turn (Anthropic's ``signature``, redacted ``data``) is kept in
    ``additional_information``. It is not part of ``ChatMessage.content``.
    """

    block_type: Literal["thinking"] = "thinking"
    content: str | None = None
    num_tokens: int | None = None
    additional_information: dict[str, Any] = Field(default_factory=dict)


class CacheControl(BaseModel):
    """How long a provider keeps a cached prompt prefix (``type="ephemeral"``, ``ttl`` ``"5m"`` or ``"1h"``)."""

    type: str = "ephemeral"
    ttl: str = "5m"


class CachePoint(BaseModel):
    """A prompt-cache breakpoint: the prompt up to and including the block before it may be cached.

    Example:
        ```python
        ChatMessage(role="system", blocks=[TextBlock(text=long_instructions), CachePoint(cache_control=CacheControl())])
        ```
    """

    block_type: Literal["cache"] = "cache"
    cache_control: CacheControl = Field(default_factory=CacheControl)


ContentBlock = Annotated[
    Union[TextBlock, ImageBlock, DocumentBlock, ThinkingBlock, CachePoint],  # noqa: UP007
    Field(discriminator="block_type"),
]


class ChatMessage(BaseModel):
    """One chat message: a role, content blocks and provider extras (tool calls, names, ids).

    ``content`` is the convenience view: the text of the message (text blocks joined), settable.

    Example:
        ```python
        ChatMessage(role="user", content="Hello!")
        ChatMessage(role=MessageRole.ASSISTANT, content="Hi", additional_kwargs={"tool_calls": [...]})
        ```
    """

    role: MessageRole = MessageRole.USER
    additional_kwargs: dict[str, Any] = Field(default_factory=dict)
    blocks: list[ContentBlock] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _content_to_blocks(cls, data: Any) -> Any:
        if isinstance(data, dict) and "content" in data:
            data = dict(data)
            content = data.pop("content")
            if data.get("blocks"):
                msg = "ChatMessage takes content or blocks, not both"
                raise ValueError(msg)
            if content is None:
                data["blocks"] = []
            elif isinstance(content, str):
                data["blocks"] = [TextBlock(text=content)]
            elif isinstance(content, list):
                data["blocks"] = content
            else:
                data["blocks"] = [TextBlock(text=str(content))]
        return data

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


class ChatResponse(BaseModel):
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


class CompletionResponse(BaseModel):
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


class LLMMetadata(BaseModel):
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
