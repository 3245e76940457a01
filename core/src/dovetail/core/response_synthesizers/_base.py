"""The synthesizer contract: turn a query and retrieved nodes into a :class:`Response`, inside a SYNTHESIZE event."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from dovetail.core._query_bundle import as_query_bundle
from dovetail.core.callbacks import CallbackManager, CBEventType, EventPayload
from dovetail.core.concurrency import run_in_thread
from dovetail.core.response_synthesizers._response import AsyncStreamingResponse, Response, StreamingResponse
from dovetail.core.schema import NodeWithScore, QueryBundle

__all__ = ["BaseSynthesizer", "ResponseType"]

ResponseType = Response | StreamingResponse | AsyncStreamingResponse


class BaseSynthesizer(ABC):
    """Base of every response synthesizer.

    Subclasses implement :meth:`_synthesize` (and may override :meth:`_asynthesize`); the public methods add the
    ``SYNTHESIZE`` callback event and handle the no-nodes case.

    Args:
        callback_manager: receives ``SYNTHESIZE`` events.
        streaming: return :class:`StreamingResponse` objects.
    """

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

    def synthesize(self, query: str | QueryBundle, nodes: Sequence[NodeWithScore], **kwargs: Any) -> ResponseType:
        """The answer to ``query`` from ``nodes`` (``"Empty Response"`` when there are none)."""
        bundle = as_query_bundle(query)
        with self.callback_manager.event(
            CBEventType.SYNTHESIZE, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as event:
            response = self._synthesize(bundle, list(nodes), **kwargs) if nodes else self._empty()
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    async def asynthesize(
        self, query: str | QueryBundle, nodes: Sequence[NodeWithScore], **kwargs: Any
    ) -> ResponseType:
        """Async :meth:`synthesize`."""
        bundle = as_query_bundle(query)
        with self.callback_manager.event(
            CBEventType.SYNTHESIZE, payload={EventPayload.QUERY_STR: bundle.query_str}
        ) as event:
            response = await self._asynthesize(bundle, list(nodes), **kwargs) if nodes else self._empty()
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response
