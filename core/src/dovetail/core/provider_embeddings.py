"""Plumbing shared by the provider embedding models (OpenAI, Gemini, Ollama).

:class:`ProviderEmbedding`: a ``BaseEmbedding`` whose six ``_get_*`` hooks are routed into one batch method and
its async twin, told whether the texts are queries (providers embed queries and documents differently: a task
type, an instruction prefix, another model), with ``max_concurrency`` requests in flight on the async batch path.
"""

from __future__ import annotations

from abc import abstractmethod

from dovetail.core.embeddings import BaseEmbedding
from pydantic import Field

__all__ = ["ProviderEmbedding"]


class ProviderEmbedding(BaseEmbedding):
    """``_get_query_embedding``, ``_get_text_embedding(s)`` and their async twins over :meth:`_embed` and
    :meth:`_aembed`; ``max_concurrency`` bounds the async batch path (``num_workers`` wins when set)."""

    max_concurrency: int = Field(default=4, gt=0, le=256)

    @property
    def _concurrency(self) -> int:
        return self.num_workers or self.max_concurrency

    @abstractmethod
    def _embed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        """One vector per text, in order; ``query`` says the texts are search queries, not documents."""

    @abstractmethod
    async def _aembed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        """Async :meth:`_embed`."""

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query], query=True)[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return (await self._aembed([query], query=True))[0]

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return (await self._aembed([text]))[0]

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return await self._aembed(texts)
