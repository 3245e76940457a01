"""``StructuredLLM``: an LLM whose every answer is an instance of one pydantic class (``llm.as_structured_llm``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Generator
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

from dovetail.core.llms._base import LLM
from dovetail.core.llms._types import ChatMessage
from dovetail.core.llms._types import ChatResponse
from dovetail.core.llms._types import ChatResponseAsyncGen
from dovetail.core.llms._types import ChatResponseGen
from dovetail.core.llms._types import CompletionResponse
from dovetail.core.llms._types import CompletionResponseAsyncGen
from dovetail.core.llms._types import CompletionResponseGen
from dovetail.core.llms._types import LLMMetadata
from dovetail.core.llms._types import MessageRole
from pydantic import BaseModel
from pydantic import Field
from pydantic import SerializeAsAny

__all__ = ["StructuredLLM"]


class StructuredLLM(LLM):
    """Wraps ``llm`` so that chat and completion answer with an ``output_cls`` instance.

    Each call asks ``llm.structured_predict`` (so the wrapped LLM's ``pydantic_program_mode`` decides how); the
    answer's text is the instance as JSON and ``raw`` is the instance itself. Keyword arguments of a call are
    passed to the provider (``llm_kwargs``). A stream yields one chunk holding the whole instance: partial objects
    are not produced.

    Example:
        ```python
        sllm = llm.as_structured_llm(Invoice)
        invoice = sllm.complete(text).raw  # an Invoice
        ```
    """

    llm: SerializeAsAny[LLM]
    output_cls: type[BaseModel] = Field(exclude=True)

    @classmethod
    def class_name(cls) -> str:
        """LlamaIndex's name of the class."""
        return "structured_llm"

    @property
    def metadata(self) -> LLMMetadata:
        """The wrapped LLM's metadata."""
        return self.llm.metadata

    def _answer(self, output: BaseModel) -> ChatResponse:
        content = output.model_dump_json()
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=content), raw=output, delta=content)

    @staticmethod
    def _completion(response: ChatResponse) -> CompletionResponse:
        text = response.message.content or ""
        return CompletionResponse(text=text, raw=response.raw, delta=text)

    def _template(self, messages: Sequence[ChatMessage]) -> Any:
        from dovetail.core.prompts import ChatPromptTemplate

        return ChatPromptTemplate(message_templates=list(messages))

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Answer the conversation with an ``output_cls`` instance (JSON text, the instance as ``raw``)."""
        output = self.llm.structured_predict(self.output_cls, self._template(messages), llm_kwargs=kwargs or None)
        return self._answer(output)

    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async :meth:`chat`."""
        template = self._template(messages)
        output = await self.llm.astructured_predict(self.output_cls, template, llm_kwargs=kwargs or None)
        return self._answer(output)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """One chunk: the whole answer of :meth:`chat`."""
        return _once_sync(self.chat(messages, **kwargs))

    async def astream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseAsyncGen:
        """Async :meth:`stream_chat`."""
        return _once(await self.achat(messages, **kwargs))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """The answer to ``prompt`` as one user message."""
        return self._completion(self.chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs))

    async def acomplete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Async :meth:`complete`."""
        return self._completion(await self.achat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """One chunk: the whole answer of :meth:`complete`."""
        return _once_sync(self.complete(prompt, **kwargs))

    async def astream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseAsyncGen:
        """Async :meth:`stream_complete`."""
        return _once(await self.acomplete(prompt, **kwargs))


R = TypeVar("R", ChatResponse, CompletionResponse)


def _once_sync(item: R) -> Generator[R, None, None]:
    yield item


async def _once(item: R) -> AsyncGenerator[R, None]:
    yield item
