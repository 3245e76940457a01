"""What a chat engine returns: :class:`AgentChatResponse` and its streaming twin."""

from __future__ import annotations

import sys
from collections.abc import AsyncGenerator
from collections.abc import Callable
from collections.abc import Generator
from dataclasses import dataclass
from dataclasses import field
from enum import Enum
from typing import Any

from dovetail.core.response_synthesizers._response import format_sources
from dovetail.core.schema import NodeWithScore
from dovetail.core.tools import ToolOutput

__all__ = ["AgentChatResponse", "ChatMode", "StreamingAgentChatResponse"]


class ChatMode(str, Enum):
    """The chat modes of ``index.as_chat_engine``."""

    SIMPLE = "simple"
    """Chat with the LLM alone; the index is not used."""
    CONTEXT = "context"
    """Retrieve with the user's message and put the nodes in the system prompt."""
    CONDENSE_PLUS_CONTEXT = "condense_plus_context"
    """Rewrite the message into a standalone question from the history, retrieve with it, then as ``context``."""
    BEST = "best"
    """``condense_plus_context``."""


@dataclass
class AgentChatResponse:
    """One chat turn's answer.

    Attributes:
        response: the answer text.
        sources: tool outputs used (the retrieval, for engines that retrieve).
        source_nodes: the retrieved nodes.
    """

    response: str = ""
    sources: list[ToolOutput] = field(default_factory=list)
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    metadata: dict[str, Any] | None = None

    def __str__(self) -> str:
        return self.response

    def get_formatted_sources(self, length: int = 100) -> str:
        """The sources, one paragraph each, text cut to ``length`` characters."""
        return format_sources(self.source_nodes, length)


@dataclass
class StreamingAgentChatResponse:
    """An answer that arrives piece by piece: iterate :attr:`response_gen` (sync engines) or
    :meth:`async_response_gen` (async engines). The turn enters the memory once the stream is consumed.
    """

    chat_stream: Generator[str, None, None] | None = None
    achat_stream: AsyncGenerator[str, None] | None = None
    sources: list[ToolOutput] = field(default_factory=list)
    source_nodes: list[NodeWithScore] = field(default_factory=list)
    on_complete: Callable[[str], None] | None = None
    response: str = ""
    _done: bool = False

    def __str__(self) -> str:
        if not self._done and self.chat_stream is not None:
            for _ in self.response_gen:
                pass
        return self.response

    def _finish(self, pieces: list[str]) -> None:
        self.response = "".join(pieces)
        self._done = True
        if self.on_complete is not None:
            self.on_complete(self.response)

    @property
    def response_gen(self) -> Generator[str, None, None]:
        """The answer's pieces (once; the whole text is then in :attr:`response`)."""
        if self.chat_stream is None:
            msg = "this response came from astream_chat; iterate async_response_gen() instead"
            raise TypeError(msg)
        return self._sync_pieces(self.chat_stream)

    def _sync_pieces(self, stream: Generator[str, None, None]) -> Generator[str, None, None]:
        if self._done:
            yield self.response
            return
        pieces: list[str] = []
        for piece in stream:
            pieces.append(piece)
            yield piece
        self._finish(pieces)

    async def async_response_gen(self) -> AsyncGenerator[str, None]:
        """The answer's pieces, async (once; the whole text is then in :attr:`response`)."""
        if self.achat_stream is None:
            msg = "this response came from stream_chat; iterate response_gen instead"
            raise TypeError(msg)
        if self._done:
            yield self.response
            return
        pieces: list[str] = []
        async for piece in self.achat_stream:
            pieces.append(piece)
            yield piece
        self._finish(pieces)

    def print_response_stream(self) -> None:
        """Write the answer to stdout as it arrives."""
        for piece in self.response_gen:
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")

    async def aprint_response_stream(self) -> None:
        """Async :meth:`print_response_stream`."""
        async for piece in self.async_response_gen():
            sys.stdout.write(piece)
            sys.stdout.flush()
        sys.stdout.write("\n")

    def get_formatted_sources(self, length: int = 100) -> str:
        """The sources, one paragraph each, text cut to ``length`` characters."""
        return format_sources(self.source_nodes, length)
