"""Content blocks of messages and tool outputs: text, media, documents, thinking, tool calls, cache points.

Media blocks (image, audio, video, document) take their data as exactly one of raw bytes (``bytes``, a
``BytesIO`` or base64 text), a local ``path`` or a ``url``; a ``data:`` URL is decoded into bytes at once. The
MIME type is inferred from the path/URL suffix or the data's magic bytes when not given. ``resolve_*()`` returns
the data as a ``BytesIO`` (reading the file, or downloading an ``http(s)`` URL only when called); data that
resolves to zero bytes is an ``InvalidInputError`` (a ``ValueError``, as LlamaIndex raises) instead of an empty
buffer sent on to a provider.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import ClassVar
from typing import Literal
from typing import Union

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._exceptions import NotFoundError
from dovetail.core._kwargs import KeywordCheckedModel
from pydantic import Field
from pydantic import field_serializer
from pydantic import model_validator

__all__ = [
    "AudioBlock",
    "CacheControl",
    "CachePoint",
    "ContentBlock",
    "DocumentBlock",
    "ImageBlock",
    "TextBlock",
    "ThinkingBlock",
    "ToolCallBlock",
    "VideoBlock",
    "content_to_blocks",
    "is_content_block",
]

_DOWNLOAD_TIMEOUT_S = 30.0
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF", "application/pdf"),
    (b"ID3", "audio/mpeg"),
    (b"\xff\xfb", "audio/mpeg"),
    (b"OggS", "audio/ogg"),
    (b"fLaC", "audio/flac"),
)


def _magic_mimetype(head: bytes) -> str | None:
    for magic, mimetype in _MAGIC:
        if head.startswith(magic):
            return mimetype
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b"WAVE"):
        return "image/webp" if head[8:12] == b"WEBP" else "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    return None


def _as_bytes(value: Any, owner: str) -> bytes | None:
    """Raw bytes from bytes, a binary buffer or base64 text."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, io.IOBase) or hasattr(value, "read"):
        data = value.read()
        return data.encode() if isinstance(data, str) else bytes(data)
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            msg = f"{owner} data given as str must be base64; pass bytes, a BytesIO, a path or a URL"
            raise ValueError(msg) from exc
    msg = f"{owner} data must be bytes, a BytesIO or base64 text, got {type(value).__name__}"
    raise ValueError(msg)


def _decode_data_url(url: str, owner: str) -> tuple[bytes, str | None]:
    header, sep, payload = url.partition(",")
    if not sep:
        msg = f"{owner} got a data: URL without a ',' before its payload"
        raise ValueError(msg)
    mimetype = header[5:].split(";", 1)[0] or None
    if header.endswith(";base64"):
        try:
            return base64.b64decode(payload, validate=True), mimetype
        except (binascii.Error, ValueError) as exc:
            msg = f"{owner} got a data: URL whose base64 payload is invalid"
            raise ValueError(msg) from exc
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(payload), mimetype


class TextBlock(KeywordCheckedModel):
    """A piece of text inside a message."""

    block_type: Literal["text"] = "text"
    text: str


class _MediaBlock(KeywordCheckedModel):
    """Shared behaviour of media blocks: one source (data, path or URL), a MIME type, and resolution."""

    _data_field: ClassVar[str] = "data"
    _mimetype_field: ClassVar[str] = "mimetype"

    path: Path | None = None
    url: str | None = None

    @field_serializer("image", "audio", "video", "data", when_used="json", check_fields=False)
    def _encode_base64(self, value: bytes | None) -> str | None:
        """The data field (whichever a subclass has; a new media block adds its name above) is base64 in JSON."""
        return base64.b64encode(value).decode("ascii") if value is not None else None

    @model_validator(mode="before")
    @classmethod
    def _normalise_source(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        field = cls._data_field
        kind = cls._mimetype_field
        url = data.get("url")
        if url is not None and not isinstance(url, str):
            data["url"] = url = str(url)
        if isinstance(url, str) and url.startswith("data:"):
            if data.get(field) is not None:
                msg = f"{cls.__name__} takes one of {field}, path or url"
                raise ValueError(msg)
            data[field], mimetype = _decode_data_url(url, cls.__name__)
            data["url"] = None
            if mimetype and not data.get(kind):
                data[kind] = mimetype
        data[field] = _as_bytes(data.get(field), cls.__name__)
        sources = sum(data.get(name) is not None for name in (field, "path", "url"))
        if sources != 1:
            msg = f"{cls.__name__} needs exactly one of {field} (bytes/BytesIO/base64), path or url"
            raise ValueError(msg)
        if not data.get(kind):
            data[kind] = cls._guess_mimetype(data.get(field), data.get("path"), data.get("url"))
        return data

    @classmethod
    def _guess_mimetype(cls, raw: bytes | None, path: Any, url: str | None) -> str | None:
        name = str(path) if path is not None else url
        if name:
            guessed, _ = mimetypes.guess_type(name.split("?", 1)[0])
            if guessed:
                return guessed
        return _magic_mimetype(raw[:16]) if raw else None

    def _raw(self) -> bytes | None:
        value: bytes | None = getattr(self, self._data_field)
        return value

    def resolve_bytes(self) -> bytes:
        """The data as bytes: given bytes, the file's content, or the URL's body (downloaded now).

        Raises:
            NotFoundError: the file does not exist.
            InvalidInputError: the file cannot be read, the URL cannot be fetched, or the data is empty (zero
                bytes; LlamaIndex's ``resolve_*`` methods raise ``ValueError`` for it, and this error is one).
        """
        data = self._fetch()
        if not data:
            owner = type(self).__name__
            msg = f"{owner} {self._source()} is empty (zero bytes); give it content or leave the block out"
            raise InvalidInputError(msg)
        return data

    def _source(self) -> str:
        if self.path is not None:
            return f"file {self.path}"
        if self.url is not None:
            return f"URL {self.url}"
        return self._data_field

    def _fetch(self) -> bytes:
        raw = self._raw()
        if raw is not None:
            return raw
        if self.path is not None:
            try:
                return self.path.read_bytes()
            except FileNotFoundError as exc:
                msg = f"{type(self).__name__} file {self.path} does not exist; check the path"
                raise NotFoundError(msg) from exc
            except OSError as exc:
                msg = f"cannot read {type(self).__name__} file {self.path}: {exc}; check the path"
                raise InvalidInputError(msg) from exc
        assert self.url is not None
        if not self.url.startswith(("http://", "https://")):
            msg = f"{type(self).__name__} cannot fetch {self.url!r}; give bytes, a path, or an http(s) URL"
            raise InvalidInputError(msg)
        try:
            with urllib.request.urlopen(self.url, timeout=_DOWNLOAD_TIMEOUT_S) as response:
                body: bytes = response.read()
                return body
        except OSError as exc:
            msg = f"cannot download {self.url}: {exc}; check the URL or pass the data as bytes"
            raise InvalidInputError(msg) from exc

    def _resolve(self, as_base64: bool) -> io.BytesIO:
        data = self.resolve_bytes()
        return io.BytesIO(base64.b64encode(data) if as_base64 else data)

    def as_base64(self) -> str:
        """The data, base64-encoded."""
        return base64.b64encode(self.resolve_bytes()).decode("ascii")

    def _mimetype(self, default: str) -> str:
        value: str | None = getattr(self, self._mimetype_field)
        if value:
            return value
        if self.url is None:
            return _magic_mimetype(self._fetch()[:16]) or default  # empty data is refused when resolved, not here
        return default

    def as_data_url(self) -> str:
        """A ``data:`` URL holding the base64 data (what most chat APIs accept inline)."""
        return f"data:{self._mimetype('application/octet-stream')};base64,{self.as_base64()}"


class ImageBlock(_MediaBlock):
    """An image: ``ImageBlock(image=png_bytes)``, ``ImageBlock(path="cat.png")``, ``ImageBlock(url=...)``.

    ``image`` accepts bytes, a ``BytesIO`` or base64 text; a ``data:`` URL is decoded into ``image``.

    Example:
        ```python
        ChatMessage(role="user", blocks=[TextBlock(text="What is this?"), ImageBlock(path="cat.png")])
        ```
    """

    _data_field: ClassVar[str] = "image"
    _mimetype_field: ClassVar[str] = "image_mimetype"

    block_type: Literal["image"] = "image"
    image: bytes | None = None
    image_mimetype: str | None = None
    detail: str | None = None

    def resolve_image(self, as_base64: bool = False) -> io.BytesIO:
        """The image as a buffer (base64 text with ``as_base64``); reads the path or downloads the URL."""
        return self._resolve(as_base64)

    def resolve_mimetype(self) -> str:
        """The MIME type: explicit or inferred, else ``image/png``."""
        return self._mimetype("image/png")

    def as_url(self) -> str:
        """``url`` when given, else a ``data:`` URL with the base64 image (what most chat APIs accept)."""
        if self.url is not None:
            return self.url
        return f"data:{self.resolve_mimetype()};base64,{self.as_base64()}"


class AudioBlock(_MediaBlock):
    """Audio: bytes, a path or a URL, with ``format`` (``"wav"``, ``"mp3"``, ...) inferred when possible."""

    _data_field: ClassVar[str] = "audio"
    _mimetype_field: ClassVar[str] = "audio_mimetype"

    block_type: Literal["audio"] = "audio"
    audio: bytes | None = None
    audio_mimetype: str | None = None
    format: str | None = None

    def resolve_audio(self, as_base64: bool = False) -> io.BytesIO:
        """The audio as a buffer (base64 text with ``as_base64``)."""
        return self._resolve(as_base64)

    def resolve_format(self) -> str:
        """``format``, else the subtype of the MIME type (``audio/mpeg`` → ``mp3``), else ``wav``."""
        if self.format:
            return self.format
        subtype = self._mimetype("audio/wav").split("/", 1)[1]
        return {"mpeg": "mp3", "x-wav": "wav", "wave": "wav"}.get(subtype, subtype)


class VideoBlock(_MediaBlock):
    """A video: bytes, a path or a URL."""

    _data_field: ClassVar[str] = "video"
    _mimetype_field: ClassVar[str] = "video_mimetype"

    block_type: Literal["video"] = "video"
    video: bytes | None = None
    video_mimetype: str | None = None

    def resolve_video(self, as_base64: bool = False) -> io.BytesIO:
        """The video as a buffer (base64 text with ``as_base64``)."""
        return self._resolve(as_base64)


class DocumentBlock(_MediaBlock):
    """A document file (PDF, text, ...) for models that read files: bytes, a path or a URL, and a title."""

    _data_field: ClassVar[str] = "data"
    _mimetype_field: ClassVar[str] = "document_mimetype"

    block_type: Literal["document"] = "document"
    data: bytes | None = None
    title: str | None = None
    document_mimetype: str | None = None

    def resolve_document(self, as_base64: bool = False) -> io.BytesIO:
        """The document as a buffer (base64 text with ``as_base64``)."""
        return self._resolve(as_base64)

    def resolve_mimetype(self) -> str:
        """The MIME type: explicit or inferred; data that is not a PDF is ``text/plain``; else ``application/pdf``."""
        if self.document_mimetype:
            return self.document_mimetype
        if self.url is None and not self._fetch().startswith(b"%PDF"):
            return "text/plain"
        return "application/pdf"

    def resolve_title(self) -> str:
        """``title``, else the file name of the path/URL, else ``"document"``."""
        if self.title:
            return self.title
        source = str(self.path) if self.path is not None else (self.url or "")
        return Path(source.split("?", 1)[0]).name or "document"


class ThinkingBlock(KeywordCheckedModel):
    """A model's reasoning ("extended thinking"), returned before its answer.

    ``content`` is the reasoning text (``None`` when the provider returned it redacted); provider data needed to
    send the block back on the next turn (Anthropic's ``signature``, redacted ``data``) is kept in
    ``additional_information``. It is not part of ``ChatMessage.content``; providers that take no reasoning back
    (OpenAI chat completions) do not resend it.
    """

    block_type: Literal["thinking"] = "thinking"
    content: str | None = None
    num_tokens: int | None = None
    additional_information: dict[str, Any] = Field(default_factory=dict)


class ToolCallBlock(KeywordCheckedModel):
    """A tool call made by the assistant: its id, the tool's name and the arguments (a dict or JSON text)."""

    block_type: Literal["tool_call"] = "tool_call"
    tool_call_id: str | None = None
    tool_name: str
    tool_kwargs: dict[str, Any] | str = Field(default_factory=dict)


class CacheControl(KeywordCheckedModel):
    """How long a provider keeps a cached prompt prefix (``type="ephemeral"``, ``ttl`` ``"5m"`` or ``"1h"``)."""

    type: str = "ephemeral"
    ttl: str = "5m"


class CachePoint(KeywordCheckedModel):
    """Marks the end of a cacheable prompt prefix, for providers with explicit prompt caching."""

    block_type: Literal["cache"] = "cache"
    cache_control: CacheControl = Field(default_factory=CacheControl)


ContentBlock = Annotated[
    Union[  # noqa: UP007
        TextBlock,
        ImageBlock,
        AudioBlock,
        VideoBlock,
        DocumentBlock,
        ThinkingBlock,
        ToolCallBlock,
        CachePoint,
    ],
    Field(discriminator="block_type"),
]
_BLOCK_TYPES = (TextBlock, ImageBlock, AudioBlock, VideoBlock, DocumentBlock, ThinkingBlock, ToolCallBlock, CachePoint)


def is_content_block(value: Any) -> bool:
    """Whether ``value`` is one of the content block types."""
    return isinstance(value, _BLOCK_TYPES)


def content_to_blocks(data: Any, owner: str, as_blocks: Callable[[Any], list[Any]]) -> Any:
    """The ``content`` keyword of a model holding ``blocks`` (a message, a tool output) turned into blocks.

    A "before" validator's step: when ``data`` is a dict with ``content``, the result has ``blocks`` instead
    (``[]`` for ``None``, else ``as_blocks(content)``); any other ``data`` is returned as it is.

    Raises:
        ValueError: ``data`` has both ``content`` and non-empty ``blocks`` (pydantic reports it as a
            ``ValidationError`` naming ``owner``).
    """
    if not isinstance(data, dict) or "content" not in data:
        return data
    data = dict(data)
    content = data.pop("content")
    if data.get("blocks"):
        msg = f"{owner} takes content or blocks, not both"
        raise ValueError(msg)
    data["blocks"] = [] if content is None else as_blocks(content)
    return data
