"""LLM synthesis: ``refine`` (one call per chunk, improving the answer) and ``compact`` (pack chunks into as
few prompts as the context window allows, then refine)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from collections.abc import Generator
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import ClassVar

from dovetail.core.response_synthesizers._base import BaseSynthesizer
from dovetail.core.response_synthesizers._base import ResponseType
from dovetail.core.response_synthesizers._packing import context_budget
from dovetail.core.response_synthesizers._packing import node_texts
from dovetail.core.response_synthesizers._packing import pack
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse
from dovetail.core.response_synthesizers._response import Response
from dovetail.core.response_synthesizers._response import StreamingResponse
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.llms import LLM
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["CompactAndRefine", "Refine"]


_Step = tuple["BasePromptTemplate", dict[str, Any]]
"""One LLM call of a refine: the template and its variables."""


def _with_answer(args: dict[str, Any], answer: str | None) -> dict[str, Any]:
    """``args`` with the answer so far as ``existing_answer`` (unchanged before the first answer)."""
    return args if answer is None else {**args, "existing_answer": answer}


def _defaults() -> tuple[BasePromptTemplate, BasePromptTemplate]:
    from dovetail.core.prompts import DEFAULT_REFINE_PROMPT
    from dovetail.core.prompts import DEFAULT_TEXT_QA_PROMPT

    return DEFAULT_TEXT_QA_PROMPT, DEFAULT_REFINE_PROMPT


class Refine(BaseSynthesizer):
    """Answer from the first chunk, then refine the answer with each further chunk (one LLM call per chunk).

    Args:
        llm: the model.
        text_qa_template: variables ``context_str``, ``query_str``.
        refine_template: variables ``query_str``, ``existing_answer``, ``context_msg``.
        streaming: stream the last call.
        callback_manager: receives ``SYNTHESIZE`` events (the LLM emits its own ``LLM`` events).
    """

    _prompt_attributes: ClassVar[Mapping[str, str]] = {
        "text_qa_template": "text_qa_template",
        "refine_template": "refine_template",
    }

    def __init__(
        self,
        llm: LLM,
        text_qa_template: BasePromptTemplate | None = None,
        refine_template: BasePromptTemplate | None = None,
        streaming: bool = False,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager, streaming=streaming)
        qa, refine = _defaults()
        self.llm = llm
        self.text_qa_template = text_qa_template or qa
        self.refine_template = refine_template or refine

    def _chunks(self, nodes: list[NodeWithScore]) -> list[str]:
        return node_texts(nodes)

    def _steps(self, query: QueryBundle, chunks: list[str]) -> list[_Step]:
        steps: list[_Step] = []
        for position, chunk in enumerate(chunks):
            if position == 0:
                steps.append((self.text_qa_template, {"context_str": chunk, "query_str": query.query_str}))
            else:
                steps.append((self.refine_template, {"context_msg": chunk, "query_str": query.query_str}))
        return steps

    def _plan(self, query: QueryBundle, nodes: list[NodeWithScore]) -> tuple[list[_Step], dict[str, Any]]:
        steps = self._steps(query, self._chunks(nodes))
        return steps, {"mode": type(self).__name__.lower(), "llm_calls": len(steps)}

    def _streams(self, position: int, steps: list[_Step]) -> bool:
        """Whether the call at ``position`` is streamed: only the last one, and only when streaming."""
        return self.streaming and position == len(steps) - 1

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        steps, metadata = self._plan(query, nodes)
        answer: str | None = None
        for position, (template, args) in enumerate(steps):
            args = _with_answer(args, answer)
            if self._streams(position, steps):
                stream: Generator[str, None, None] = self.llm.stream(template, **args)
                return StreamingResponse(stream, nodes, metadata)
            answer = self.llm.predict(template, **args)
        return Response(answer, nodes, metadata)

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        steps, metadata = self._plan(query, nodes)
        answer: str | None = None
        for position, (template, args) in enumerate(steps):
            args = _with_answer(args, answer)
            if self._streams(position, steps):
                astream: AsyncGenerator[str, None] = await self.llm.astream(template, **args)
                return AsyncStreamingResponse(astream, nodes, metadata)
            answer = await self.llm.apredict(template, **args)
        return Response(answer, nodes, metadata)


class CompactAndRefine(Refine):
    """Like :class:`Refine`, but first packs the chunks into as few prompts as fit the LLM's context window.

    The budget per prompt is that of :func:`~dovetail.core.response_synthesizers._packing.context_budget` for
    the larger of the two templates; a chunk longer than the budget is cut into pieces.
    """

    def _chunks(self, nodes: list[NodeWithScore]) -> list[str]:
        return pack(super()._chunks(nodes), context_budget(self.llm, self.text_qa_template, self.refine_template))
