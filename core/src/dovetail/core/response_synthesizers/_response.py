"""What a query engine returns: the answer text, the source nodes it came from and metadata."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Generator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from dovetail.core.schema import NodeWithScore

__all__ = ["AsyncStreamingResponse", "Response", "StreamingResponse", "format_sources"]


def format_sources(source_nodes: list[NodeWithScore], length: int = 100) -> str:
    """One line per source: ``> Source (Doc id: ...): <first length characters>``."""
    lines = []
    for source in source_nodes:
        text = " ".join(source.node.get_content().split())
        if len(text) > length:
            text = text[:length] + "..."
        doc_id = source.node.ref_doc_id or source.node.node_id
        lines.append(f"> Source (Doc id: {doc_id}): {text}")
    return "\n\n".join(lines)


@dataclass
class Response:
    """An answer.

    Attributes:
        response: the answer text (``None`` when nothing could be answered).
        source_nodes: the retrieved nodes the answer is based on, best first.
        metadata: extra details, e.g. ``{"mode": "extractive", "sentences": [...]}``.
    """

    response: str | None
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    metadata: dict[str, Any] | None = None

    def __str__(self) -> str:
        return self.response or "None"

    def get_formatted_sources(self, length: int = 100) -> str:
        """The sources, one paragraph each, text cut to ``length`` characters."""
        return format_sources(self.source_nodes, length)


@dataclass
class StreamingResponse:
    """An answer that arrives piece by piece: iterate :attr:`response_gen` (or call :meth:`get_response`)."""

    response_gen: Generator[str, None, None]
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    response_txt: str | None = None

    def __str__(self) -> str:
        return self.get_response().response or "None"

    def get_response(self) -> Response:
        """Drain the stream (once) and return the whole answer."""
        if self.response_txt is None:
            self.response_txt = "".join(self.response_gen)
        return Response(self.response_txt, self.source_nodes, self.metadata)

    def print_response_stream(self) -> None:
        """Write the answer to stdout as it arrives (a convenience for scripts and notebooks)."""
        import sys

        if self.response_txt is not None:
            sys.stdout.write(self.response_txt)
        else:
            pieces = []
            for piece in self.response_gen:
                pieces.append(piece)
                sys.stdout.write(piece)
                sys.stdout.flush()
            self.response_txt = "".join(pieces)
        sys.stdout.write("\n")

    def get_formatted_sources(self, length: int = 100) -> str:
        """The sources, one paragraph each, text cut to ``length`` characters."""
        return format_sources(self.source_nodes, length)


@dataclass
class AsyncStreamingResponse:
    """Async twin of :class:`StreamingResponse`: ``async for piece in response.async_response_gen()``."""

    response_gen: AsyncGenerator[str, None]
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    response_txt: str | None = None

    async def async_response_gen(self) -> AsyncGenerator[str, None]:
        """Yield the pieces (once), remembering the whole text."""
        pieces = []
        async for piece in self.response_gen:
            pieces.append(piece)
            yield piece
        self.response_txt = "".join(pieces)

    async def get_response(self) -> Response:
        """Drain the stream and return the whole answer."""
        if self.response_txt is None:
            self.response_txt = "".join([piece async for piece in self.response_gen])
        return Response(self.response_txt, self.source_nodes, self.metadata)

    def get_formatted_sources(self, length: int = 100) -> str:
        """The sources, one paragraph each, text cut to ``length`` characters."""
        return format_sources(self.source_nodes, length)
