"""``CustomQueryEngine``: a query engine written as one method, with its dependencies as pydantic fields.

Example:
    ```python
    class RAGQueryEngine(CustomQueryEngine):
        retriever: BaseRetriever
        response_synthesizer: BaseSynthesizer

        def custom_query(self, query_str: str) -> Response:
            nodes = self.retriever.retrieve(query_str)
            return self.response_synthesizer.synthesize(query_str, nodes)
    ```
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from dovetail.core._kwargs import KeywordCheckedModel
from dovetail.core.callbacks import CallbackManager
from dovetail.core.query_engine._retriever_query_engine import BaseQueryEngine
from dovetail.core.response_synthesizers import Response
from dovetail.core.response_synthesizers._base import ResponseType
from dovetail.core.schema import QueryBundle
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator

__all__ = ["CustomQueryEngine"]


def _default_manager() -> CallbackManager:
    from dovetail.core.settings import Settings

    return Settings.callback_manager


class CustomQueryEngine(KeywordCheckedModel, BaseQueryEngine):
    """Subclass it, declare what it needs as fields, implement :meth:`custom_query` (``str`` or a response).

    ``query``/``aquery`` keep the ``QUERY`` event and trace of every engine; a returned ``str`` becomes a
    :class:`~dovetail.core.response_synthesizers.Response`. ``acustom_query`` defaults to ``custom_query`` in a
    worker thread.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    callback_manager: CallbackManager = Field(default_factory=_default_manager, exclude=True)

    @field_validator("callback_manager", mode="before")
    @classmethod
    def _none_is_default_manager(cls, value: Any) -> Any:
        return _default_manager() if value is None else value

    @abstractmethod
    def custom_query(self, query_str: str) -> str | ResponseType:
        """Answer ``query_str``."""

    async def acustom_query(self, query_str: str) -> str | ResponseType:
        """Async :meth:`custom_query` (the sync one in a worker thread unless overridden)."""
        from dovetail.core.concurrency import run_in_thread

        return await run_in_thread(self.custom_query, query_str)

    @staticmethod
    def _as_response(result: str | ResponseType) -> ResponseType:
        return Response(response=result) if isinstance(result, str) else result

    def _query(self, query_bundle: QueryBundle) -> ResponseType:
        return self._as_response(self.custom_query(query_bundle.query_str))

    async def _aquery(self, query_bundle: QueryBundle) -> ResponseType:
        return self._as_response(await self.acustom_query(query_bundle.query_str))
