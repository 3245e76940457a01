"""The synthesizer contract: turn a query and retrieved nodes into a :class:`Response`, inside a SYNTHESIZE event."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any
from typing import ClassVar

from dovetail.core._kwargs import unexpected_keyword
from dovetail.core._query_bundle import as_query_bundle
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.concurrency import run_in_thread
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse
from dovetail.core.response_synthesizers._response import Response
from dovetail.core.response_synthesizers._response import StreamingResponse
from dovetail.core.retrievers._prompt_mixin import PromptMixin
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["BaseSynthesizer", "ResponseType"]

ResponseType = Response | StreamingResponse | AsyncStreamingResponse


class BaseSynthesizer(PromptMixin, ABC):
    """Base of every response synthesizer.

    Subclasses implement :meth:`_synthesize` (and may override :meth:`_asynthesize`); the public methods add the
    ``SYNTHESIZE`` callback event and handle the no-nodes case. ``get_prompts``/``update_prompts`` read and
    replace the templates, under LlamaIndex's keys (``text_qa_template``, ``refine_template``, ...).

    Args:
        callback_manager: receives ``SYNTHESIZE`` events.
        streaming: return :class:`StreamingResponse` objects.
    """

    _answers_without_nodes: ClassVar[bool] = False
    """Whether the answer comes without retrieved text (``generation``), so no nodes is no reason to stop."""

    def __init__(self, callback_manager: CallbackManager | None = None, streaming: bool = False) -> None:
        self.callback_manager = callback_manager or CallbackManager()
        self.streaming = streaming

    @abstractmethod
    def _synthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        """Build the response for ``query`` from ``nodes`` (never empty)."""

    async def _asynthesize(self, query: QueryBundle, nodes: list[NodeWithScore], **kwargs: Any) -> ResponseType:
        """Async :meth:`_synthesize`; the default runs it in a worker thread."""
        return await run_in_thread(self._synthesize, query, nodes, **kwargs)

    def _empty(self) -> ResponseType:
        if self.streaming:
            return StreamingResponse((piece for piece in ["Empty Response"]), [], {"mode": "empty"})
        return Response("Empty Response", [], {"mode": "empty"})

    def synthesize(
        self,
        query: str | QueryBundle,
        nodes: Sequence[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **kwargs: Any,
    ) -> ResponseType:
        """The answer to ``query`` from ``nodes`` (``"Empty Response"`` when there are none, except for modes that
        answer without retrieved text, such as ``generation``).

        Args:
            query: the question.
            nodes: the retrieved nodes the answer is built from.
            additional_source_nodes: nodes listed in the response's ``source_nodes`` after ``nodes`` without
                being sent to the LLM (as in LlamaIndex).

        Raises:
            TypeError: any other keyword. LlamaIndex passes them to the LLM call as extra prompt variables;
                here a template's own variables are filled with ``template.partial_format(name=value)``.
        """
        _refuse_response_keywords("synthesize", kwargs)
        bundle = as_query_bundle(query)
        with self.callback_manager.event(
            CBEventType.SYNTHESIZE, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as event:
            response = self._synthesize(bundle, list(nodes)) if nodes or self._answers_without_nodes else self._empty()
            _add_sources(response, additional_source_nodes)
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    async def asynthesize(
        self,
        query: str | QueryBundle,
        nodes: Sequence[NodeWithScore],
        additional_source_nodes: Sequence[NodeWithScore] | None = None,
        **kwargs: Any,
    ) -> ResponseType:
        """Async :meth:`synthesize`."""
        _refuse_response_keywords("asynthesize", kwargs)
        bundle = as_query_bundle(query)
        with self.callback_manager.event(
            CBEventType.SYNTHESIZE, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as event:
            if nodes or self._answers_without_nodes:
                response = await self._asynthesize(bundle, list(nodes))
            else:
                response = self._empty()
            _add_sources(response, additional_source_nodes)
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response


def _refuse_response_keywords(method: str, kwargs: dict[str, Any]) -> None:
    for name in kwargs:
        error = unexpected_keyword(method, name, ("query", "nodes", "additional_source_nodes"))
        msg = f"{error} (to fill a prompt variable, give the template a value: template.partial_format({name}=...))"
        raise TypeError(msg)


def _add_sources(response: ResponseType, extra: Sequence[NodeWithScore] | None) -> None:
    if extra:
        response.source_nodes = [*response.source_nodes, *extra]
