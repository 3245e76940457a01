"""``index.as_chat_engine(chat_mode=...)``: the engine for a chat mode, keywords split between it and the retriever."""

from __future__ import annotations

from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.chat_engine._base import BaseChatEngine
from dovetail.core.chat_engine._base import resolve_chat_llm
from dovetail.core.chat_engine._engines import CondensePlusContextChatEngine
from dovetail.core.chat_engine._engines import ContextChatEngine
from dovetail.core.chat_engine._engines import SimpleChatEngine
from dovetail.core.chat_engine._types import ChatMode

__all__ = ["chat_engine_for"]

_ENGINE_KWARGS = {
    ChatMode.SIMPLE: {"memory", "system_prompt", "prefix_messages", "chat_history", "callback_manager"},
    ChatMode.CONTEXT: {
        "memory",
        "system_prompt",
        "context_template",
        "node_postprocessors",
        "prefix_messages",
        "chat_history",
        "callback_manager",
    },
    ChatMode.CONDENSE_PLUS_CONTEXT: {
        "memory",
        "context_prompt",
        "condense_prompt",
        "system_prompt",
        "skip_condense",
        "node_postprocessors",
        "verbose",
        "chat_history",
        "callback_manager",
    },
}


def chat_engine_for(
    index: Any, chat_mode: ChatMode | str = ChatMode.BEST, llm: Any = None, **kwargs: Any
) -> BaseChatEngine:
    """The chat engine of ``chat_mode`` over ``index``; retriever keywords (``similarity_top_k``, ``filters``,
    ...) go to ``index.as_retriever``, the rest to the engine.

    Raises:
        InvalidInputError: an unsupported chat mode.
        TypeError: a keyword neither the engine nor the retriever knows.
    """
    from dovetail.core.indices._kwargs import reject_unknown

    try:
        mode = ChatMode(chat_mode)
    except ValueError as exc:
        valid = ", ".join(m.value for m in ChatMode)
        msg = f"chat_mode {chat_mode!r} is not supported; use one of {valid}"
        raise InvalidInputError(msg) from exc
    if mode is ChatMode.BEST:
        mode = ChatMode.CONDENSE_PLUS_CONTEXT
    engine_names = _ENGINE_KWARGS[mode]
    retriever_names = () if mode is ChatMode.SIMPLE else index.retriever_keywords
    reject_unknown("as_chat_engine", kwargs, (*engine_names, *retriever_names, "chat_mode", "llm"))
    engine_kwargs = {key: value for key, value in kwargs.items() if key in engine_names}
    model = resolve_chat_llm(llm)
    if mode is ChatMode.SIMPLE:
        return SimpleChatEngine.from_defaults(llm=model, **engine_kwargs)
    retriever_kwargs = {key: value for key, value in kwargs.items() if key not in engine_names}
    if "callback_manager" in kwargs:
        retriever_kwargs["callback_manager"] = kwargs["callback_manager"]
    retriever = index.as_retriever(**retriever_kwargs)
    if mode is ChatMode.CONTEXT:
        return ContextChatEngine.from_defaults(retriever, llm=model, **engine_kwargs)
    return CondensePlusContextChatEngine.from_defaults(retriever, llm=model, **engine_kwargs)
