"""``QueryFusionRetriever``: run several retrievers (and optionally several phrasings of the query), fuse the lists.

Fusion modes (``mode=``, a :class:`FUSION_MODES` member or its value):

* ``simple`` — the union; a node found more than once keeps its best score.
* ``reciprocal_rerank`` — reciprocal rank fusion: each list adds ``weight / (60 + rank)`` (rank from 1) to a
  node's score. Only ranks matter, so lists whose scores are on different scales (cosine and BM25) fuse well.
* ``relative_score`` — each list's scores are min-max scaled to [0, 1], weighted, and summed per node.
* ``dist_based_score`` — like ``relative_score`` but scaled between mean ± 3 standard deviations of the list.

Weights (``retriever_weights``, one per retriever, normalised to sum 1) apply in every mode but ``simple``;
each generated query counts equally. ``num_queries=1`` (the default here; LlamaIndex defaults to 4) means no LLM
is involved: the retrievers are run on the user's query only.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from typing import Any
from typing import ClassVar

from dovetail.core._exceptions import InvalidInputError
from dovetail.core._items import items_of
from dovetail.core.callbacks import CallbackManager
from dovetail.core.concurrency import submit_in_context
from dovetail.core.prompts import BasePromptTemplate
from dovetail.core.prompts import PromptTemplate
from dovetail.core.retrievers._base import BaseRetriever
from dovetail.core.schema import NodeWithScore
from dovetail.core.schema import QueryBundle

__all__ = ["FUSION_MODES", "QUERY_GEN_PROMPT", "QueryFusionRetriever"]

logger = logging.getLogger(__name__)

QUERY_GEN_PROMPT = (
    "You write search queries. Write {num_queries} different search queries, one per line and nothing else, "
    "that would find documents answering the question below. Vary the wording and the angle.\n"
    "Question: {query}\n"
    "Queries:\n"
)
_RRF_K = 60.0
_NUMBERING = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)]|query\s*\d*:)\s*", re.IGNORECASE)


class FUSION_MODES(str, Enum):
    """How the result lists of a :class:`QueryFusionRetriever` are fused."""

    RECIPROCAL_RANK = "reciprocal_rerank"
    RELATIVE_SCORE = "relative_score"
    DIST_BASED_SCORE = "dist_based_score"
    SIMPLE = "simple"


def _parse_mode(mode: FUSION_MODES | str) -> FUSION_MODES:
    try:
        return FUSION_MODES(mode)
    except ValueError:
        valid = ", ".join(repr(m.value) for m in FUSION_MODES)
        msg = f"unknown fusion mode {mode!r}; use one of {valid}"
        raise InvalidInputError(msg) from None


def _weights(weights: Sequence[float] | None, count: int) -> list[float]:
    if weights is None:
        return [1.0 / count] * count
    values = list(weights)
    if len(values) != count:
        msg = f"retriever_weights has {len(values)} values for {count} retrievers; give one weight per retriever"
        raise InvalidInputError(msg)
    if any(isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w < 0 for w in values):
        msg = f"retriever_weights must be finite numbers >= 0, got {values}"
        raise InvalidInputError(msg)
    total = float(sum(values))
    if total <= 0:
        msg = "retriever_weights sum to 0; give at least one positive weight"
        raise InvalidInputError(msg)
    return [w / total for w in values]


def _scaled(hits: list[NodeWithScore], mode: FUSION_MODES) -> list[float]:
    scores = [0.0 if hit.score is None else float(hit.score) for hit in hits]
    if not scores:
        return []
    if mode is FUSION_MODES.DIST_BASED_SCORE:
        mean = sum(scores) / len(scores)
        std = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
        low, high = mean - 3 * std, mean + 3 * std
    else:
        low, high = min(scores), max(scores)
    if high <= low:
        return [1.0] * len(scores)
    return [(s - low) / (high - low) for s in scores]


def fuse(
    results: Sequence[tuple[int, list[NodeWithScore]]],
    mode: FUSION_MODES,
    weights: Sequence[float],
    num_queries: int,
    top_k: int,
) -> list[NodeWithScore]:
    """Fuse ``(retriever index, hits)`` lists into the ``top_k`` best nodes (ties keep first-seen order)."""
    fused: dict[str, float] = {}
    nodes: dict[str, NodeWithScore] = {}
    for retriever, hits in results:
        if mode is FUSION_MODES.SIMPLE:
            for hit in hits:
                score = -math.inf if hit.score is None else float(hit.score)
                key = hit.node.node_id
                if key not in fused or score > fused[key]:
                    fused[key] = score
                    nodes[key] = hit
            continue
        weight = weights[retriever] / num_queries
        if mode is FUSION_MODES.RECIPROCAL_RANK:
            contributions = [weight / (_RRF_K + rank) for rank in range(1, len(hits) + 1)]
        else:
            contributions = [weight * s for s in _scaled(hits, mode)]
        for hit, contribution in zip(hits, contributions, strict=True):
            key = hit.node.node_id
            fused[key] = fused.get(key, 0.0) + contribution
            nodes.setdefault(key, hit)
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)[:top_k]
    return [
        NodeWithScore(node=nodes[key].node, score=None if fused[key] == -math.inf else fused[key]) for key in ranked
    ]


class QueryFusionRetriever(BaseRetriever):
    """Run every retriever on the query (and on LLM-written variants of it), then fuse the results.

    Args:
        retrievers: the retrievers to fuse (e.g. a vector retriever and a BM25 retriever).
        llm: writes the extra queries when ``num_queries > 1`` (default ``Settings.llm``).
        query_gen_prompt: template with ``{num_queries}`` and ``{query}`` for the extra queries.
        mode: the fusion mode (see the module docstring); default ``simple`` as in LlamaIndex.
        similarity_top_k: how many fused nodes to return.
        num_queries: total queries including the user's (1: no query generation, no LLM call).
        use_async: run the retrievers concurrently (threads on the sync path, tasks on the async path).
        verbose: log the generated queries.
        callback_manager: receives ``RETRIEVE`` events.
        object_map: objects that ``IndexNode`` results point at.
        retriever_weights: one weight per retriever (normalised to sum 1).

    Example:
        ```python
        hybrid = QueryFusionRetriever(
            [index.as_retriever(similarity_top_k=5), bm25], mode="reciprocal_rerank", similarity_top_k=5
        )
        hybrid.retrieve("what does ERR_42 mean?")
        ```
    """

    _prompt_attributes: ClassVar[Mapping[str, str]] = {"query_gen_prompt": "query_gen_prompt"}

    def __init__(
        self,
        retrievers: Sequence[BaseRetriever],
        llm: Any = None,
        query_gen_prompt: str | BasePromptTemplate | None = None,
        mode: FUSION_MODES | str = FUSION_MODES.SIMPLE,
        similarity_top_k: int = 2,
        num_queries: int = 1,
        use_async: bool = True,
        verbose: bool = False,
        callback_manager: CallbackManager | None = None,
        object_map: dict[str, Any] | None = None,
        retriever_weights: Sequence[float] | None = None,
    ) -> None:
        super().__init__(callback_manager=callback_manager, object_map=object_map, verbose=verbose)
        if isinstance(retrievers, BaseRetriever) or not isinstance(retrievers, Sequence) or not retrievers:
            msg = "retrievers must be a non-empty list of retrievers, e.g. [index.as_retriever(), bm25_retriever]"
            raise InvalidInputError(msg)
        self.retrievers = items_of(retrievers, BaseRetriever, "retrievers")
        for name, value in (("similarity_top_k", similarity_top_k), ("num_queries", num_queries)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                msg = f"{name} must be a positive int, got {value!r}"
                raise InvalidInputError(msg)
        self.mode = _parse_mode(mode)
        self.similarity_top_k = similarity_top_k
        self.num_queries = num_queries
        self.use_async = bool(use_async)
        self.retriever_weights = _weights(retriever_weights, len(self.retrievers))
        template = query_gen_prompt or QUERY_GEN_PROMPT
        self.query_gen_prompt = template if isinstance(template, BasePromptTemplate) else PromptTemplate(template)
        self._llm = llm

    @property
    def llm(self) -> Any:
        """The LLM that writes extra queries (``Settings.llm`` unless one was given)."""
        if self._llm is not None:
            return self._llm
        from dovetail.core.settings import Settings

        return Settings.llm

    # ---- queries -----------------------------------------------------------------------------------------

    def _parse_queries(self, answer: str, original: str) -> list[str]:
        queries: list[str] = []
        for line in answer.splitlines():
            text = _NUMBERING.sub("", line).strip().strip('"').strip()
            if text and text != original and text not in queries:
                queries.append(text)
        wanted = queries[: self.num_queries - 1]
        if self._verbose:
            logger.info("generated queries: %s", wanted)
        return wanted

    def _queries(self, bundle: QueryBundle) -> list[QueryBundle]:
        if self.num_queries == 1:
            return [bundle]
        answer = self.llm.predict(self.query_gen_prompt, num_queries=self.num_queries - 1, query=bundle.query_str)
        return [bundle, *(QueryBundle(query_str=q) for q in self._parse_queries(answer, bundle.query_str))]

    async def _aqueries(self, bundle: QueryBundle) -> list[QueryBundle]:
        if self.num_queries == 1:
            return [bundle]
        answer = await self.llm.apredict(
            self.query_gen_prompt, num_queries=self.num_queries - 1, query=bundle.query_str
        )
        return [bundle, *(QueryBundle(query_str=q) for q in self._parse_queries(answer, bundle.query_str))]

    def _jobs(self, queries: list[QueryBundle]) -> list[tuple[int, QueryBundle]]:
        return [(position, query) for query in queries for position in range(len(self.retrievers))]

    def _fuse(self, jobs: list[tuple[int, QueryBundle]], lists: list[list[NodeWithScore]]) -> list[NodeWithScore]:
        queries = len(jobs) // len(self.retrievers)
        results = [(position, hits) for (position, _), hits in zip(jobs, lists, strict=True)]
        return fuse(results, self.mode, self.retriever_weights, queries, self.similarity_top_k)

    # ---- retrieval ---------------------------------------------------------------------------------------

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        jobs = self._jobs(self._queries(query_bundle))
        if not self.use_async or len(jobs) == 1:
            lists = [self.retrievers[position].retrieve(query) for position, query in jobs]
        else:
            with ThreadPoolExecutor(max_workers=min(8, len(jobs)), thread_name_prefix="fusion") as pool:
                futures = [submit_in_context(pool, self.retrievers[p].retrieve, query) for p, query in jobs]
                lists = [future.result() for future in futures]
        return self._fuse(jobs, lists)

    async def _aretrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        jobs = self._jobs(await self._aqueries(query_bundle))
        if self.use_async:
            lists = list(await asyncio.gather(*(self.retrievers[p].aretrieve(query) for p, query in jobs)))
        else:
            lists = [await self.retrievers[p].aretrieve(query) for p, query in jobs]
        return self._fuse(jobs, lists)
