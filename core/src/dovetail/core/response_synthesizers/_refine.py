"""LLM synthesis: ``refine`` (one call per chunk, improving the answer) and ``compact`` (pack chunks into as
few prompts as the context window allows, then refine)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING, Any

from dovetail.core.response_synthesizers._base import BaseSynthesizer, ResponseType
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse, Response, StreamingResponse
from dovetail.core.schema import MetadataMode, NodeWithScore, QueryBundle
from dovetail.core.tokenizers import get_tokenizer

if TYPE_CHECKING:
    from dovetail.core.callbacks import CallbackManager
    from dovetail.core.llms import LLM
    from dovetail.core.prompts import BasePromptTemplate

__all__ = ["CompactAndRefine", "Refine"]

_SEPARATOR = "\n\n"


def _defaults() -> tuple[BasePromptTemplate, BasePromptTemplate]:
    from dovetail.core.prompts import DEFAULT_REFINE_PROMPT, DEFAULT_TEXT_QA_PROMPT

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
        return [hit.node.get_content(MetadataMode.LLM) for hit in nodes]

    def _steps(self, query: QueryBundle, chunks: list[str]) -> list[tuple[BasePromptTemplate, dict[str, Any]]]:
        steps: list[tuple[BasePromptTemplate, dict[str, Any]]] = []
        for position, chunk in enumerate(chunks):
            if position == 0:
                steps.append((self.text_qa_template, {"context_str": chunk, "query_str": query.query_str}))
            else:
                steps.append((self.refine_template, {"context_msg": chunk, "query_str": query.query_str}))
        return steps

    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        steps = self._steps(query, self._chunks(nodes))
        metadata = {"mode": type(self).__name__.lower(), "llm_calls": len(steps)}
        answer: str | None = None
        for position, (template, args) in enumerate(steps):
            if answer is not None:
                args = {**args, "existing_answer": answer}
            if self.streaming and position == len(steps) - 1:
                stream: Generator[str, None, None] = self.llm.stream(template, **args)
                return StreamingResponse(stream, nodes, metadata)
            answer = self.llm.predict(template, **args)
        return Response(answer, nodes, metadata)

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        steps = self._steps(query, self._chunks(nodes))
        metadata = {"mode": type(self).__name__.lower(), "llm_calls": len(steps)}
        answer: str | None = None
        for position, (template, args) in enumerate(steps):
            if answer is not None:
                args = {**args, "existing_answer": answer}
            if self.streaming and position == len(steps) - 1:
                stream: AsyncGenerator[str, None] = await self.llm.astream(template, **args)
                return AsyncStreamingResponse(stream, nodes, metadata)
            answer = await self.llm.apredict(template, **args)
        return Response(answer, nodes, metadata)


class CompactAndRefine(Refine):
    """Like :class:`Refine`, but first packs the chunks into as few prompts as fit the LLM's context window.

    The budget per prompt is ``context_window - num_output - tokens(template)``; a chunk longer than the
    budget is cut into pieces. Tokens are counted with :func:`dovetail.core.tokenizers.get_tokenizer`.
    """

    def _budget(self) -> int:
        metadata = self.llm.metadata
        tokenizer = get_tokenizer()
        template_tokens = max(
            len(tokenizer(self.text_qa_template.format(context_str="", query_str=""))),
            len(tokenizer(self.refine_template.format(context_msg="", query_str="", existing_answer=""))),
        )
        # The query and the running answer also take room: reserve num_output for each.
        return max(64, metadata.context_window - 2 * metadata.num_output - template_tokens)

    def _chunks(self, nodes: list[NodeWithScore]) -> list[str]:
        tokenizer = get_tokenizer()
        budget = self._budget()
        packed: list[str] = []
        current: list[str] = []
        used = 0
        for text in super()._chunks(nodes):
            for piece in _cut(text, budget, tokenizer):
                size = len(tokenizer(piece)) + 2
                if current and used + size > budget:
                    packed.append(_SEPARATOR.join(current))
                    current, used = [], 0
                current.append(piece)
                used += size
        if current:
            packed.append(_SEPARATOR.join(current))
        return packed


def _cut(text: str, budget: int, tokenizer: Any) -> list[str]:
    tokens = len(tokenizer(text))
    if tokens <= budget:
        return [text]
    words = text.split(" ")
    per_piece = max(1, int(len(words) * budget / tokens * 0.9))
    return [" ".join(words[start : start + per_piece]) for start in range(0, len(words), per_piece)]
