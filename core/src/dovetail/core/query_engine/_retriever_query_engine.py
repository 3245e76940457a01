"""Query engines: retrieve, then synthesize — one trace per query with QUERY/RETRIEVE/SYNTHESIZE(/LLM) events."""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._kwargs import suggest_keywords
from dovetail.core._query_bundle import as_query_bundle
from dovetail.core.callbacks import CallbackManager
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.postprocessor._chain import apostprocess_all
from dovetail.core.postprocessor._chain import postprocess_all
from dovetail.core.response_synthesizers import BaseSynthesizer
from dovetail.core.response_synthesizers import get_response_synthesizer
from dovetail.core.response_synthesizers._base import ResponseType
from dovetail.core.retrievers._prompt_mixin import PromptMixin
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

if TYPE_CHECKING:
    from dovetail.core.retrievers import BaseRetriever

__all__ = ["BaseQueryEngine", "RetrieverQueryEngine"]


class BaseQueryEngine(PromptMixin, ABC):
    """Base of every query engine: ``query(str | QueryBundle)`` returns a response; ``get_prompts`` and
    ``update_prompts`` reach the prompts of the components it is built from.

    Args:
        callback_manager: receives the ``QUERY`` event and the trace of each query.
    """

    def __init__(self, callback_manager: CallbackManager | None = None) -> None:
        self.callback_manager = callback_manager or CallbackManager()

    @abstractmethod
    def _query(self, query_bundle: QueryBundle) -> ResponseType:
        """Answer one query."""

    @abstractmethod
    async def _aquery(self, query_bundle: QueryBundle) -> ResponseType:
        """Answer one query, async."""

    def query(self, str_or_query_bundle: str | QueryBundle) -> ResponseType:
        """Answer a question (one trace per call)."""
        bundle = as_query_bundle(str_or_query_bundle)
        manager = self.callback_manager
        with (
            manager.as_trace("query"),
            manager.event(CBEventType.QUERY, payload={EventPayload.QUERY_STR: bundle.query_str}) as event,
        ):
            response = self._query(bundle)
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response

    async def aquery(self, str_or_query_bundle: str | QueryBundle) -> ResponseType:
        """Async :meth:`query`."""
        bundle = as_query_bundle(str_or_query_bundle)
        manager = self.callback_manager
        with (
            manager.as_trace("query"),
            manager.event(CBEventType.QUERY, payload={EventPayload.QUERY_STR: bundle.query_str}) as event,
        ):
            response = await self._aquery(bundle)
            event.on_end(payload={EventPayload.RESPONSE: response})
        return response


class RetrieverQueryEngine(BaseQueryEngine):
    """Retrieve nodes with a retriever, optionally post-process them, and synthesize the answer.

    Args:
        retriever: finds the nodes.
        response_synthesizer: builds the answer; default :func:`get_response_synthesizer` (extractive when no
            LLM is configured).
        node_postprocessors: objects with ``postprocess_nodes(nodes, query_bundle=...)`` applied in order.
        callback_manager: receives the events; default the retriever's.

    Example:
        ```python
        engine = RetrieverQueryEngine.from_args(index.as_retriever(similarity_top_k=3), llm=None)
        response = engine.query("Which joint resists pulling apart?")
        print(response, response.get_formatted_sources())
        ```
    """

    def __init__(
        self,
        retriever: BaseRetriever,
        response_synthesizer: BaseSynthesizer | None = None,
        node_postprocessors: Sequence[Any] | None = None,
        callback_manager: CallbackManager | None = None,
    ) -> None:
        manager = callback_manager or retriever.callback_manager
        super().__init__(callback_manager=manager)
        self.retriever = retriever
        self.response_synthesizer = response_synthesizer or get_response_synthesizer(callback_manager=manager)
        self.node_postprocessors = list(node_postprocessors or [])

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {"response_synthesizer": self.response_synthesizer}

    @classmethod
    @suggest_keywords
    def from_args(
        cls,
        retriever: BaseRetriever,
        llm: Any = None,
        response_synthesizer: BaseSynthesizer | None = None,
        node_postprocessors: Sequence[Any] | None = None,
        callback_manager: CallbackManager | None = None,
        response_mode: str | None = None,
        text_qa_template: Any | None = None,
        refine_template: Any | None = None,
        summary_template: Any | None = None,
        simple_template: Any | None = None,
        output_cls: Any = None,
        use_async: bool = False,
        streaming: bool = False,
        verbose: bool = False,
        embed_model: Any | None = None,
        default_response_mode: str = "compact",
    ) -> RetrieverQueryEngine:
        """Build an engine and its synthesizer in one call (``llm=None``: ``Settings.llm``, else extractive).

        Args:
            retriever: finds the nodes.
            llm: the LLM (or ``"provider:model"``).
            response_synthesizer: a ready synthesizer; then the synthesis keywords below must stay unset.
            node_postprocessors: applied in order after retrieval.
            callback_manager: receives the events; default the retriever's.
            response_mode: see :class:`~dovetail.core.response_synthesizers.ResponseMode`; default
                ``default_response_mode``.
            text_qa_template, refine_template, summary_template, simple_template: prompts of the modes.
            output_cls: not supported (must be ``None``).
            use_async: concurrent LLM calls in async synthesis.
            streaming: stream the answer.
            verbose: log the synthesis mode.
            embed_model: for extractive answers.
            default_response_mode: the mode when ``response_mode`` is not given (``tree_summarize`` for
                :class:`~dovetail.core.indices.SummaryIndex`).

        Raises:
            InvalidInputError: ``response_synthesizer`` together with synthesis keywords, or an unsupported option.
        """
        from dovetail.core.settings import Settings

        manager = callback_manager or retriever.callback_manager
        if response_synthesizer is not None:
            given = [
                name
                for name, value in (
                    ("response_mode", response_mode),
                    ("text_qa_template", text_qa_template),
                    ("refine_template", refine_template),
                    ("summary_template", summary_template),
                    ("simple_template", simple_template),
                )
                if value is not None
            ]
            if given or streaming or llm is not None:
                names = ", ".join(given + (["streaming"] if streaming else []) + (["llm"] if llm is not None else []))
                msg = f"from_args got response_synthesizer and {names}; configure the synthesizer itself instead"
                raise InvalidInputError(msg)
            return cls(retriever, response_synthesizer, node_postprocessors, manager)
        synthesizer = get_response_synthesizer(
            llm=Settings.llm if llm is None else llm,
            response_mode=response_mode or default_response_mode,
            streaming=streaming,
            text_qa_template=text_qa_template,
            refine_template=refine_template,
            summary_template=summary_template,
            simple_template=simple_template,
            use_async=use_async,
            output_cls=output_cls,
            verbose=verbose,
            embed_model=embed_model,
            callback_manager=manager,
        )
        return cls(retriever, synthesizer, node_postprocessors, manager)

    def retrieve(self, query_bundle: str | QueryBundle) -> list[NodeWithScore]:
        """The post-processed nodes for a query, without synthesis."""
        bundle = as_query_bundle(query_bundle)
        return postprocess_all(self.node_postprocessors, self.retriever.retrieve(bundle), bundle)

    async def aretrieve(self, query_bundle: str | QueryBundle) -> list[NodeWithScore]:
        """Async :meth:`retrieve` (a postprocessor's ``apostprocess_nodes`` is used when it has one)."""
        bundle = as_query_bundle(query_bundle)
        return await apostprocess_all(self.node_postprocessors, await self.retriever.aretrieve(bundle), bundle)

    def synthesize(self, query_bundle: QueryBundle, nodes: list[NodeWithScore]) -> ResponseType:
        """Answer from given nodes."""
        return self.response_synthesizer.synthesize(query_bundle, nodes)

    def _query(self, query_bundle: QueryBundle) -> ResponseType:
        return self.response_synthesizer.synthesize(query_bundle, self.retrieve(query_bundle))

    async def _aquery(self, query_bundle: QueryBundle) -> ResponseType:
        nodes = await self.aretrieve(query_bundle)
        return await self.response_synthesizer.asynthesize(query_bundle, nodes)
