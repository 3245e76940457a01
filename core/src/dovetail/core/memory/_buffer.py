"""``ChatMemoryBuffer``: the whole conversation is kept; :meth:`get` returns the latest part within a token limit."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core.concurrency import run_in_thread
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import MessageRole

__all__ = ["DEFAULT_TOKEN_LIMIT", "BaseMemory", "ChatMemoryBuffer"]

DEFAULT_TOKEN_LIMIT = 3000
_DEFAULT_TOKEN_LIMIT_RATIO = 0.75


def _default_tokenizer() -> Callable[[str], Sequence[Any]]:
    from dovetail.core.tokenizers import get_tokenizer

    return get_tokenizer()


class BaseMemory:
    """What a chat engine needs of a memory: ``get``, ``get_all``, ``put``, ``set``, ``reset`` and async twins."""

    def get(self, input: str | None = None, **kwargs: Any) -> list[ChatMessage]:
        """The messages to send with the next turn."""
        raise NotImplementedError

    def get_all(self) -> list[ChatMessage]:
        """Every stored message."""
        raise NotImplementedError

    def put(self, message: ChatMessage) -> None:
        """Append a message."""
        raise NotImplementedError

    def set(self, messages: list[ChatMessage]) -> None:
        """Replace the stored messages."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget every message."""
        raise NotImplementedError

    async def aget(self, input: str | None = None, **kwargs: Any) -> list[ChatMessage]:
        """Async :meth:`get`."""
        return await run_in_thread(self.get, input, **kwargs)

    async def aput(self, message: ChatMessage) -> None:
        """Async :meth:`put`."""
        self.put(message)

    async def aget_all(self) -> list[ChatMessage]:
        """Async :meth:`get_all`."""
        return self.get_all()

    async def aset(self, messages: list[ChatMessage]) -> None:
        """Async :meth:`set`."""
        self.set(messages)

    async def areset(self) -> None:
        """Async :meth:`reset`."""
        self.reset()


class ChatMemoryBuffer(BaseMemory):
    """A conversation buffer bounded by tokens when read.

    Every message is kept (:meth:`get_all`); :meth:`get` returns the latest messages whose tokens, plus
    ``initial_token_count``, fit ``token_limit`` — never starting with an assistant or tool message, which would
    have no question before it.

    Args:
        token_limit: the budget of :meth:`get`.
        tokenizer_fn: ``text -> tokens``; default :func:`dovetail.core.tokenizers.get_tokenizer`.
        chat_history: messages to start with.

    Example:
        ```python
        memory = ChatMemoryBuffer.from_defaults(token_limit=1000)
        memory.put(ChatMessage(role="user", content="Hi"))
        memory.get()
        ```
    """

    def __init__(
        self,
        token_limit: int = DEFAULT_TOKEN_LIMIT,
        tokenizer_fn: Callable[[str], Sequence[Any]] | None = None,
        chat_history: Sequence[ChatMessage] | None = None,
    ) -> None:
        if isinstance(token_limit, bool) or not isinstance(token_limit, int) or token_limit < 1:
            msg = f"token_limit must be a positive integer, got {token_limit!r}"
            raise InvalidInputError(msg)
        self.token_limit = token_limit
        self.tokenizer_fn = tokenizer_fn or _default_tokenizer()
        self._messages: list[ChatMessage] = list(chat_history or [])

    @classmethod
    @suggest_keywords
    def from_defaults(
        cls,
        chat_history: Sequence[ChatMessage] | None = None,
        llm: Any = None,
        token_limit: int | None = None,
        tokenizer_fn: Callable[[str], Sequence[Any]] | None = None,
    ) -> ChatMemoryBuffer:
        """A buffer whose limit is ``token_limit``, else 75% of ``llm``'s context window, else 3000 tokens."""
        if token_limit is None:
            window = getattr(getattr(llm, "metadata", None), "context_window", None)
            token_limit = int(window * _DEFAULT_TOKEN_LIMIT_RATIO) if window else DEFAULT_TOKEN_LIMIT
        return cls(token_limit=token_limit, tokenizer_fn=tokenizer_fn, chat_history=chat_history)

    @property
    def chat_history(self) -> list[ChatMessage]:
        """Every stored message (a copy)."""
        return list(self._messages)

    def _tokens(self, message: ChatMessage) -> int:
        return len(self.tokenizer_fn(f"{message.role.value}: {message.content or ''}"))

    def get(self, input: str | None = None, initial_token_count: int = 0, **kwargs: Any) -> list[ChatMessage]:
        """The latest messages that fit ``token_limit - initial_token_count``.

        Raises:
            InvalidInputError: ``initial_token_count`` alone exceeds the limit, or an unknown keyword.
        """
        if kwargs:
            msg = f"ChatMemoryBuffer.get() got unexpected keyword(s) {sorted(kwargs)}; use input/initial_token_count"
            raise TypeError(msg)
        if initial_token_count > self.token_limit:
            msg = f"initial_token_count {initial_token_count} exceeds token_limit {self.token_limit}"
            raise InvalidInputError(msg)
        budget = self.token_limit - initial_token_count
        start = len(self._messages)
        used = 0
        while start > 0:
            cost = self._tokens(self._messages[start - 1])
            if used + cost > budget:
                break
            used += cost
            start -= 1
        while start < len(self._messages) and self._messages[start].role in (MessageRole.ASSISTANT, MessageRole.TOOL):
            start += 1
        return self._messages[start:]

    def get_all(self) -> list[ChatMessage]:
        """Every stored message."""
        return list(self._messages)

    def put(self, message: ChatMessage) -> None:
        """Append a message."""
        if not isinstance(message, ChatMessage):
            msg = f"put() takes a ChatMessage, got {type(message).__name__}"
            raise InvalidInputError(msg)
        self._messages.append(message)

    def put_messages(self, messages: Sequence[ChatMessage]) -> None:
        """Append several messages."""
        for message in messages:
            self.put(message)

    def set(self, messages: list[ChatMessage]) -> None:
        """Replace the stored messages."""
        self._messages = []
        self.put_messages(messages)

    def reset(self) -> None:
        """Forget every message."""
        self._messages = []
