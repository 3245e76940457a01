"""The other LLM response modes: ``tree_summarize``, ``simple_summarize``, ``accumulate``,
``compact_accumulate``, ``generation`` and ``no_text``.

Each packs or cuts the retrieved text to the LLM's context window with the same token budget as ``compact``
(``context_window - 2 * num_output - tokens(template)``), so no prompt overflows the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from collections.abc import Generator
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._base import ResponseType
from dovetail.core.response_synthesizers._packing import SEPARATOR
from dovetail.core.response_synthesizers._packing import context_budget
from dovetail.core.response_synthesizers._packing import cut
from dovetail.core.response_synthesizers._packing import node_texts
from dovetail.core.response_synthesizers._packing import pack_texts
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse
from dovetail.core.response_synthesizers._response import Response
from dovetail.core.response_synthesizers._response import StreamingResponse
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle
from dovetail.core.tokenizers import get_tokenizer

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.llms import LLM
    from dovetail.core.prompts import BasePromptTemplate

__all__ = [
    "Accumulate",
    "CompactAndAccumulate",
    "Generation",
    "NoText",
    "SimpleSummarize",
    "TreeSummarize",
]

ACCUMULATE_SEPARATOR = "\n---------------------\n"


class _LLMSynthesizer(BaseSynthesizer):
    """Shared constructor of the LLM modes below."""

    def __init__(
        self,
        llm: LLM,
        template: BasePromptTemplate | None = None,
        streaming: bool = False,
        use_async: bool = False,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager, streaming=streaming)
        self.llm = llm
        self.template = template or self._default_template()
        self.use_async = use_async

    def _default_template(self) -> BasePromptTemplate:
        from dovetail.core.prompts import DEFAULT_TEXT_QA_PROMPT

        return DEFAULT_TEXT_QA_PROMPT

    def _metadata(self, calls: int) -> dict[str, Any]:
        return {"mode": type(self).__name__.lower(), "llm_calls": calls}

    def _final(self, nodes: list[NodeWithScore], calls: int, args: dict[str, Any]) -> ResponseType:
        if self.streaming:
            stream: Generator[str, None, None] = self.llm.stream(self.template, **args)
            return StreamingResponse(stream, nodes, self._metadata(calls))
        return Response(self.llm.predict(self.template, **args), nodes, self._metadata(calls))

    async def _afinal(self, nodes: list[NodeWithScore], calls: int, args: dict[str, Any]) -> ResponseType:
        if self.streaming:
            stream: AsyncGenerator[str, None] = await self.llm.astream(self.template, **args)
            return AsyncStreamingResponse(stream, nodes, self._metadata(calls))
        return Response(await self.llm.apredict(self.template, **args), nodes, self._metadata(calls))


class TreeSummarize(_LLMSynthesizer):
    """Pack the chunks into prompts, summarize each against the query, then summarize the summaries, level by
    level, until one answer is left (the last call streams when ``streaming``).

    Args:
        llm: the model.
        summary_template: variables ``context_str``, ``query_str``.
        streaming: stream the final call.
        use_async: in :meth:`asynthesize`, run the calls of one level concurrently.
        callback_manager: receives ``SYNTHESIZE`` events.
    """

    _prompt_attributes: ClassVar[Mapping[str, str]] = {"summary_template": "template"}

    def __init__(
        self,
        llm: LLM,
        summary_template: BasePromptTemplate | None = None,
        streaming: bool = False,
        use_async: bool = False,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(llm, summary_template, streaming, use_async, callback_manager)

    def _default_template(self) -> BasePromptTemplate:
        from dovetail.core.prompts import DEFAULT_TREE_SUMMARIZE_PROMPT

        return DEFAULT_TREE_SUMMARIZE_PROMPT

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        chunks, calls = pack_texts(node_texts(nodes), self.llm, self.template), 0
        while len(chunks) > 1:
            chunks = [self.llm.predict(self.template, context_str=c, query_str=query.query_str) for c in chunks]
            calls += len(chunks)
            chunks = pack_texts(chunks, self.llm, self.template)
        return self._final(nodes, calls + 1, {"context_str": chunks[0], "query_str": query.query_str})

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        chunks, calls = pack_texts(node_texts(nodes), self.llm, self.template), 0
        while len(chunks) > 1:
            jobs = [self.llm.apredict(self.template, context_str=c, query_str=query.query_str) for c in chunks]
            chunks = list(await asyncio.gather(*jobs)) if self.use_async else [await job for job in jobs]
            calls += len(chunks)
            chunks = pack_texts(chunks, self.llm, self.template)
        return await self._afinal(nodes, calls + 1, {"context_str": chunks[0], "query_str": query.query_str})


class SimpleSummarize(_LLMSynthesizer):
    """One LLM call: every chunk joined, cut to what fits the window (``text_qa_template``: ``context_str``,
    ``query_str``)."""

    _prompt_attributes: ClassVar[Mapping[str, str]] = {"text_qa_template": "template"}

    def _args(self, query: QueryBundle, nodes: list[NodeWithScore]) -> dict[str, Any]:
        budget = context_budget(self.llm, self.template)
        context = cut(SEPARATOR.join(node_texts(nodes)), budget, get_tokenizer())[0]
        return {"context_str": context, "query_str": query.query_str}

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        return self._final(nodes, 1, self._args(query, nodes))

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        return await self._afinal(nodes, 1, self._args(query, nodes))


class Accumulate(_LLMSynthesizer):
    """Answer the query against each chunk separately and list the answers (``Response 1: ...``), separated
    by a dashed line. With ``streaming`` the listed answers are streamed one after another."""

    _prompt_attributes: ClassVar[Mapping[str, str]] = {"text_qa_template": "template"}

    def _chunks(self, nodes: list[NodeWithScore]) -> list[str]:
        return [piece for text in node_texts(nodes) for piece in pack_texts([text], self.llm, self.template)]

    def _respond(self, nodes: list[NodeWithScore], answers: list[str]) -> ResponseType:
        text = ACCUMULATE_SEPARATOR.join(f"Response {n}: {answer}" for n, answer in enumerate(answers, 1))
        if self.streaming:
            pieces = text.split(ACCUMULATE_SEPARATOR)
            gen = (p if i == 0 else ACCUMULATE_SEPARATOR + p for i, p in enumerate(pieces))
            return StreamingResponse(gen, nodes, self._metadata(len(answers)))
        return Response(text, nodes, self._metadata(len(answers)))

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        chunks = self._chunks(nodes)
        answers = [self.llm.predict(self.template, context_str=c, query_str=query.query_str) for c in chunks]
        return self._respond(nodes, answers)

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        jobs = [self.llm.apredict(self.template, context_str=c, query_str=query.query_str) for c in self._chunks(nodes)]
        answers = list(await asyncio.gather(*jobs)) if self.use_async else [await job for job in jobs]
        response = self._respond(nodes, answers)
        if isinstance(response, StreamingResponse):
            return AsyncStreamingResponse(_aiter(response.response_gen), nodes, response.metadata)
        return response


class CompactAndAccumulate(Accumulate):
    """:class:`Accumulate` over chunks first packed into as few prompts as fit the window."""

    def _chunks(self, nodes: list[NodeWithScore]) -> list[str]:
        return pack_texts(node_texts(nodes), self.llm, self.template)


class Generation(_LLMSynthesizer):
    """Ignore the retrieved text and ask the LLM the question alone (``simple_template``: ``query_str``); the
    nodes are still returned as sources."""

    _prompt_attributes: ClassVar[Mapping[str, str]] = {"simple_template": "template"}
    _answers_without_nodes: ClassVar[bool] = True

    def _default_template(self) -> BasePromptTemplate:
        from dovetail.core.prompts import DEFAULT_SIMPLE_INPUT_PROMPT

        return DEFAULT_SIMPLE_INPUT_PROMPT

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        return self._final(nodes, 1, {"query_str": query.query_str})

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        return await self._afinal(nodes, 1, {"query_str": query.query_str})


class NoText(BaseSynthesizer):
    """No answer text and no LLM call: only the retrieved nodes (``response.source_nodes``)."""

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        if self.streaming:
            return StreamingResponse(_empty_gen(), nodes, {"mode": "no_text"})
        return Response("", nodes, {"mode": "no_text"})

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        if self.streaming:
            return AsyncStreamingResponse(_aiter(iter(())), nodes, {"mode": "no_text"})
        return Response("", nodes, {"mode": "no_text"})


def _empty_gen() -> Generator[str, None, None]:
    yield from ()


async def _aiter(pieces: Any) -> AsyncGenerator[str, None]:
    for piece in pieces:
        yield piece
