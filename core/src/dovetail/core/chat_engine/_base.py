"""``BaseChatEngine``: a chat turn is "build the messages (maybe retrieving), call the LLM, remember the turn"."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import AsyncGenerator
from collections.abc import Generator
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import ConfigurationError
from dovetail.core._exceptions import InvalidInputError
from dovetail.core.chat_engine._types import AgentChatResponse
from dovetail.core.chat_engine._types import StreamingAgentChatResponse
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import MessageRole
from dovetail.core.memory import BaseMemory
from dovetail.core.memory import ChatMemoryBuffer
from dovetail.core.schema import NodeWithScore
from dovetail.core.tools import ToolOutput

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.llms import LLM

__all__ = ["BaseChatEngine", "resolve_chat_llm"]

Turn = tuple[list[ChatMessage], list[NodeWithScore]]


def resolve_chat_llm(llm: Any) -> LLM:
    """``llm`` (object or ``"provider:model"``), else ``Settings.llm``.

    Raises:
        ConfigurationError: neither is set (a chat engine always needs an LLM).
    """
    from dovetail.core.settings import Settings
    from dovetail.core.settings import resolve_llm

    model = Settings.llm if llm is None else resolve_llm(llm)
    if model is None:
        msg = "a chat engine needs an LLM: pass llm=... or set Settings.llm"
        raise ConfigurationError(msg)
    return model


def _manager_of(llm: Any) -> CallbackManager:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.settings import Settings

    manager = getattr(llm, "callback_manager", None)
    return manager if isinstance(manager, CallbackManager) else Settings.callback_manager


class BaseChatEngine(ABC):
    """Base of the chat engines: ``chat``/``achat``/``stream_chat``/``astream_chat``, ``reset``, ``chat_history``.

    Subclasses implement :meth:`_turn` (and :meth:`_aturn`): the messages to send for a user message, and the
    nodes they retrieved. A turn enters the memory only after the LLM answered (for streams: once consumed), so
    a failed call leaves the conversation as it was.

    Args:
        llm: the model.
        memory: the conversation; default a :class:`~dovetail.core.memory.ChatMemoryBuffer` sized to the LLM.
        system_prompt: a system message sent first.
        prefix_messages: messages sent before the history (after the system prompt).
        callback_manager: each turn is one ``"chat"`` trace on it (the LLM's and retriever's events join it);
            default the LLM's manager, else ``Settings.callback_manager``.
    """

    def __init__(
        self,
        llm: LLM,
        memory: BaseMemory | None = None,
        system_prompt: str | None = None,
        prefix_messages: Sequence[ChatMessage] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        self.llm = llm
        self.memory = memory if memory is not None else ChatMemoryBuffer.from_defaults(llm=llm)
        self.system_prompt = system_prompt
        self.prefix_messages = list(prefix_messages or [])
        self.callback_manager: CallbackManager = callback_manager or _manager_of(llm)

    @abstractmethod
    def _turn(self, message: str) -> Turn:
        """Messages for the LLM and the nodes retrieved for ``message``."""

    @abstractmethod
    async def _aturn(self, message: str) -> Turn:
        """Async :meth:`_turn`."""

    # ------------------------------------------------------------------ helpers for subclasses
    def _tokens(self, text: str) -> int:
        from dovetail.core.tokenizers import get_tokenizer

        return len(get_tokenizer()(text))

    def _system(self, extra: str | None = None) -> list[ChatMessage]:
        parts = [part for part in (self.system_prompt, extra) if part]
        head = [ChatMessage(role=MessageRole.SYSTEM, content="\n\n".join(parts))] if parts else []
        return head + self.prefix_messages

    def _history(self, message: str, head: list[ChatMessage]) -> list[ChatMessage]:
        used = sum(self._tokens(m.content or "") for m in head) + self._tokens(message)
        limit = getattr(self.memory, "token_limit", None)
        if isinstance(limit, int) and used > limit:
            return []  # the context alone fills the budget: answer without history rather than fail
        return self.memory.get(input=message, initial_token_count=used)

    def _remember(self, message: str, answer: str) -> None:
        self.memory.put(ChatMessage(role=MessageRole.USER, content=message))
        self.memory.put(ChatMessage(role=MessageRole.ASSISTANT, content=answer))

    @staticmethod
    def _sources(message: str, nodes: list[NodeWithScore]) -> list[ToolOutput]:
        if not nodes:
            return []
        content = "\n\n".join(node.get_content() for node in nodes)
        return [ToolOutput(content=content, tool_name="retriever", raw_input={"message": message}, raw_output=nodes)]

    def _start(self, message: Any, chat_history: Sequence[ChatMessage] | None) -> str:
        """The checked user message; ``chat_history`` (when given) replaces the memory first."""
        if not isinstance(message, str):
            msg = f"chat() takes the user's message as a str, got {type(message).__name__}"
            raise InvalidInputError(msg)
        self._use_history(chat_history)
        return message

    def _use_history(self, chat_history: Sequence[ChatMessage] | None) -> None:
        if chat_history is not None:
            self.memory.set(list(chat_history))

    def _reply(self, message: str, answer: str, nodes: list[NodeWithScore]) -> AgentChatResponse:
        self._remember(message, answer)
        return AgentChatResponse(response=answer, sources=self._sources(message, nodes), source_nodes=nodes)

    def _streaming(self, message: str, nodes: list[NodeWithScore], **stream: Any) -> StreamingAgentChatResponse:
        """A streamed answer (``chat_stream=`` or ``achat_stream=``), remembered once consumed."""
        return StreamingAgentChatResponse(
            **stream,
            sources=self._sources(message, nodes),
            source_nodes=nodes,
            on_complete=lambda answer: self._remember(message, answer),
        )

    # ------------------------------------------------------------------ public API
    def chat(self, message: str, chat_history: Sequence[ChatMessage] | None = None) -> AgentChatResponse:
        """Answer ``message`` (``chat_history`` replaces the memory first)."""
        message = self._start(message, chat_history)
        with self.callback_manager.as_trace("chat"):
            messages, nodes = self._turn(message)
            answer = self.llm.chat(messages).message.content or ""
        return self._reply(message, answer, nodes)

    async def achat(self, message: str, chat_history: Sequence[ChatMessage] | None = None) -> AgentChatResponse:
        """Async :meth:`chat`."""
        message = self._start(message, chat_history)
        with self.callback_manager.as_trace("chat"):
            messages, nodes = await self._aturn(message)
            answer = (await self.llm.achat(messages)).message.content or ""
        return self._reply(message, answer, nodes)

    def stream_chat(
        self, message: str, chat_history: Sequence[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        """Answer ``message`` as a stream: iterate ``response.response_gen``."""
        message = self._start(message, chat_history)
        with self.callback_manager.as_trace("chat"):
            messages, nodes = self._turn(message)
            stream = self.llm.stream_chat(messages)

        def pieces() -> Generator[str, None, None]:
            for chunk in stream:
                if chunk.delta:
                    yield chunk.delta

        return self._streaming(message, nodes, chat_stream=pieces())

    async def astream_chat(
        self, message: str, chat_history: Sequence[ChatMessage] | None = None
    ) -> StreamingAgentChatResponse:
        """Async :meth:`stream_chat`: iterate ``response.async_response_gen()``."""
        message = self._start(message, chat_history)
        with self.callback_manager.as_trace("chat"):
            messages, nodes = await self._aturn(message)
            stream = await self.llm.astream_chat(messages)

        async def pieces() -> AsyncGenerator[str, None]:
            async for chunk in stream:
                if chunk.delta:
                    yield chunk.delta

        return self._streaming(message, nodes, achat_stream=pieces())

    def reset(self) -> None:
        """Forget the conversation."""
        self.memory.reset()

    async def areset(self) -> None:
        """Async :meth:`reset`."""
        await self.memory.areset()

    @property
    def chat_history(self) -> list[ChatMessage]:
        """Every message of the conversation so far."""
        return self.memory.get_all()
