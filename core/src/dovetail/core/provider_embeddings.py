"""Plumbing shared by the provider embedding models (OpenAI, Gemini, Ollama).

:class:`QueryOrTextEmbedMixin`: ``BaseEmbedding``'s six ``_get_*`` hooks routed into one batch method and its
async twin, told whether the texts are queries (providers embed queries and documents differently: a task type,
an instruction prefix, another model).
"""

from __future__ import annotations

from abc import abstractmethod

__all__ = ["QueryOrTextEmbedMixin"]


class QueryOrTextEmbedMixin:
    """``_get_query_embedding``, ``_get_text_embedding(s)`` and their async twins over :meth:`_embed` and
    :meth:`_aembed`. List it before ``BaseEmbedding``."""

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
