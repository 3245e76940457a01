"""The chat engines: ``simple`` (LLM only), ``context`` (retrieve with the message) and
``condense_plus_context`` (rewrite the message into a standalone question first)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core.chat_engine._base import BaseChatEngine
from dovetail.core.chat_engine._base import Turn
from dovetail.core.chat_engine._base import resolve_chat_llm
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import MessageRole
from dovetail.core.postprocessor._chain import apostprocess_all
from dovetail.core.postprocessor._chain import postprocess_all
from dovetail.core.prompts import BasePromptTemplate
from dovetail.core.prompts import PromptTemplate
from dovetail.core.schema import MetadataMode
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.memory import BaseMemory
    from dovetail.core.retrievers import BaseRetriever

__all__ = [
    "DEFAULT_CONDENSE_PROMPT",
    "DEFAULT_CONTEXT_TEMPLATE",
    "CondensePlusContextChatEngine",
    "ContextChatEngine",
    "SimpleChatEngine",
]

DEFAULT_CONTEXT_TEMPLATE = (
    "Below is context from the knowledge base that may help with the conversation.\n"
    "--------------------\n"
    "{context_str}\n"
    "--------------------\n"
    "Use it to answer the user; if it does not hold the answer, say so.\n"
)
"""Variable: ``context_str``; rendered into the system message."""

DEFAULT_CONDENSE_PROMPT = PromptTemplate(
    "Here is a conversation between a user and an assistant, then the user's next message.\n"
    "Rewrite that message as one standalone question that can be understood without the conversation.\n\n"
    "Conversation:\n{chat_history}\n\n"
    "Next message: {question}\n"
    "Standalone question: ",
    prompt_type="condense",
)
"""Variables: ``chat_history``, ``question``."""


def _as_template(template: str | BasePromptTemplate | None, default: str | BasePromptTemplate) -> BasePromptTemplate:
    chosen = template if template is not None else default
    return chosen if isinstance(chosen, BasePromptTemplate) else PromptTemplate(chosen)


def _context_str(nodes: list[NodeWithScore]) -> str:
    return "\n\n".join(node.node.get_content(MetadataMode.LLM) for node in nodes)


class SimpleChatEngine(BaseChatEngine):
    """Chat with the LLM alone, keeping the conversation in memory.

    Example:
        ```python
        engine = SimpleChatEngine.from_defaults(llm=llm, system_prompt="Answer briefly.")
        print(engine.chat("Hello!"))
        ```
    """

    @classmethod
    def from_defaults(
        cls,
        llm: Any = None,
        memory: BaseMemory | None = None,
        system_prompt: str | None = None,
        prefix_messages: Sequence[ChatMessage] | None = None,
        chat_history: Sequence[ChatMessage] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> SimpleChatEngine:
        """Build an engine (``llm``: default ``Settings.llm``; ``chat_history`` seeds a new memory)."""
        model = resolve_chat_llm(llm)
        engine = cls(model, memory, system_prompt, prefix_messages, callback_manager)
        engine._use_history(chat_history)
        return engine

    def _turn(self, message: str) -> Turn:
        head = self._system()
        return [*head, *self._history(message, head), ChatMessage(role=MessageRole.USER, content=message)], []

    async def _aturn(self, message: str) -> Turn:
        return self._turn(message)


class ContextChatEngine(BaseChatEngine):
    """Retrieve with each user message and put the nodes into the system message.

    Args:
        retriever: finds the context.
        llm: the model.
        memory: the conversation.
        system_prompt: put before the context in the system message.
        context_template: the context part of the system message (variable ``context_str``).
        node_postprocessors: applied in order to the retrieved nodes.
        prefix_messages: messages sent before the history.
        callback_manager: receives events.
    """

    def __init__(
        self,
        retriever: BaseRetriever,
        llm: Any,
        memory: BaseMemory | None = None,
        system_prompt: str | None = None,
        context_template: str | BasePromptTemplate | None = None,
        node_postprocessors: Sequence[Any] | None = None,
        prefix_messages: Sequence[ChatMessage] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(llm, memory, system_prompt, prefix_messages, callback_manager)
        self.retriever = retriever
        self.context_template = _as_template(context_template, DEFAULT_CONTEXT_TEMPLATE)
        self.node_postprocessors = list(node_postprocessors or [])

    @classmethod
    def from_defaults(
        cls,
        retriever: BaseRetriever,
        llm: Any = None,
        memory: BaseMemory | None = None,
        system_prompt: str | None = None,
        context_template: str | BasePromptTemplate | None = None,
        node_postprocessors: Sequence[Any] | None = None,
        prefix_messages: Sequence[ChatMessage] | None = None,
        chat_history: Sequence[ChatMessage] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> ContextChatEngine:
        """Build an engine (``llm``: default ``Settings.llm``; ``chat_history`` seeds a new memory)."""
        engine = cls(
            retriever,
            resolve_chat_llm(llm),
            memory,
            system_prompt,
            context_template,
            node_postprocessors,
            prefix_messages,
            callback_manager,
        )
        engine._use_history(chat_history)
        return engine

    def _messages(self, message: str, nodes: list[NodeWithScore]) -> list[ChatMessage]:
        head = self._system(self.context_template.format(context_str=_context_str(nodes)))
        return [*head, *self._history(message, head), ChatMessage(role=MessageRole.USER, content=message)]

    def _search(self, message: str) -> str:
        return message

    async def _asearch(self, message: str) -> str:
        return message

    def _turn(self, message: str) -> Turn:
        query = self._search(message)
        bundle = QueryBundle(query_str=query)
        nodes = postprocess_all(self.node_postprocessors, self.retriever.retrieve(query), bundle)
        return self._messages(message, nodes), nodes

    async def _aturn(self, message: str) -> Turn:
        query = await self._asearch(message)
        bundle = QueryBundle(query_str=query)
        nodes = await apostprocess_all(self.node_postprocessors, await self.retriever.aretrieve(query), bundle)
        return self._messages(message, nodes), nodes


class CondensePlusContextChatEngine(ContextChatEngine):
    """Rewrite the user's message into a standalone question (using the history), retrieve with it, and answer
    with the nodes in the system message. The first message of a conversation is used as it is.

    Args:
        retriever: finds the context.
        llm: the model (also rewrites the question).
        memory: the conversation.
        context_prompt: the context part of the system message (variable ``context_str``).
        condense_prompt: the rewrite prompt (variables ``chat_history``, ``question``).
        system_prompt: put before the context in the system message.
        skip_condense: retrieve with the message as it is.
        node_postprocessors: applied in order to the retrieved nodes.
        verbose: log the standalone question at INFO.
        callback_manager: receives events.
    """

    def __init__(
        self,
        retriever: BaseRetriever,
        llm: Any,
        memory: BaseMemory | None = None,
        context_prompt: str | BasePromptTemplate | None = None,
        condense_prompt: str | BasePromptTemplate | None = None,
        system_prompt: str | None = None,
        skip_condense: bool = False,
        node_postprocessors: Sequence[Any] | None = None,
        verbose: bool = False,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(
            retriever,
            llm,
            memory,
            system_prompt,
            context_prompt,
            node_postprocessors,
            callback_manager=callback_manager,
        )
        self.condense_prompt = _as_template(condense_prompt, DEFAULT_CONDENSE_PROMPT)
        self.skip_condense = skip_condense
        self.verbose = verbose
        self.last_condensed_question: str | None = None

    @classmethod
    def from_defaults(  # type: ignore[override]
        cls,
        retriever: BaseRetriever,
        llm: Any = None,
        memory: BaseMemory | None = None,
        context_prompt: str | BasePromptTemplate | None = None,
        condense_prompt: str | BasePromptTemplate | None = None,
        system_prompt: str | None = None,
        skip_condense: bool = False,
        node_postprocessors: Sequence[Any] | None = None,
        verbose: bool = False,
        chat_history: Sequence[ChatMessage] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> CondensePlusContextChatEngine:
        """Build an engine (``llm``: default ``Settings.llm``; ``chat_history`` seeds a new memory)."""
        engine = cls(
            retriever,
            resolve_chat_llm(llm),
            memory,
            context_prompt,
            condense_prompt,
            system_prompt,
            skip_condense,
            node_postprocessors,
            verbose,
            callback_manager,
        )
        engine._use_history(chat_history)
        return engine

    def _condense_args(self, message: str) -> dict[str, str] | None:
        history = self.memory.get(input=message)
        if self.skip_condense or not history:
            return None
        rendered = "\n".join(f"{m.role.value}: {m.content or ''}" for m in history)
        return {"chat_history": rendered, "question": message}

    def _log(self, question: str) -> str:
        self.last_condensed_question = question
        if self.verbose:
            import logging

            logging.getLogger(__name__).info("condensed question: %s", question)
        return question

    def _search(self, message: str) -> str:
        args = self._condense_args(message)
        return self._log(message if args is None else self.llm.predict(self.condense_prompt, **args))

    async def _asearch(self, message: str) -> str:
        args = self._condense_args(message)
        return self._log(message if args is None else await self.llm.apredict(self.condense_prompt, **args))
