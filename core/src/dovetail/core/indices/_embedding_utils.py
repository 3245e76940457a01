"""Top-k and maximal-marginal-relevance selection over plain embedding lists (LlamaIndex's
``indices.query.embedding_utils``), for custom retrievers that score their own vectors."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.embeddings import similarity

__all__ = ["get_top_k_embeddings", "get_top_k_mmr_embeddings"]

SimilarityFn = Callable[[Sequence[float], Sequence[float]], float]


def _ids_for(embeddings: Sequence[Sequence[float]], embedding_ids: Sequence[Any] | None) -> list[Any]:
    if embedding_ids is None:
        return list(range(len(embeddings)))
    if len(embedding_ids) != len(embeddings):
        msg = f"embedding_ids has {len(embedding_ids)} ids for {len(embeddings)} embeddings; give one id per embedding"
        raise InvalidInputError(msg)
    return list(embedding_ids)


def _count(similarity_top_k: int | None, available: int) -> int:
    if similarity_top_k is not None and (isinstance(similarity_top_k, bool) or similarity_top_k < 0):
        msg = f"similarity_top_k must be a non-negative integer or None, got {similarity_top_k!r}"
        raise InvalidInputError(msg)
    return available if similarity_top_k is None else min(similarity_top_k, available)


def get_top_k_embeddings(
    query_embedding: Sequence[float],
    embeddings: Sequence[Sequence[float]],
    similarity_fn: SimilarityFn | None = None,
    similarity_top_k: int | None = None,
    embedding_ids: Sequence[Any] | None = None,
    similarity_cutoff: float | None = None,
) -> tuple[list[float], list[Any]]:
    """The ``similarity_top_k`` embeddings closest to ``query_embedding`` (all when ``None``), best first.

    Args:
        query_embedding: the query vector.
        embeddings: the candidate vectors.
        similarity_fn: ``(a, b) -> score``, higher is closer; default cosine similarity.
        similarity_top_k: how many to return; ``0`` returns nothing.
        embedding_ids: an id per embedding; default their positions.
        similarity_cutoff: leave out scores below this.

    Returns:
        ``(similarities, ids)``, best first.

    Raises:
        InvalidInputError: ``embedding_ids`` does not match ``embeddings``, or ``similarity_top_k`` is negative.
    """
    score = similarity_fn or similarity
    ids = _ids_for(embeddings, embedding_ids)
    scored = [(score(query_embedding, embedding), position) for position, embedding in enumerate(embeddings)]
    if similarity_cutoff is not None:
        scored = [item for item in scored if item[0] >= similarity_cutoff]
    best = heapq.nlargest(_count(similarity_top_k, len(scored)), scored, key=lambda item: (item[0], -item[1]))
    return [value for value, _ in best], [ids[position] for _, position in best]


def get_top_k_mmr_embeddings(
    query_embedding: Sequence[float],
    embeddings: Sequence[Sequence[float]],
    similarity_fn: SimilarityFn | None = None,
    similarity_top_k: int | None = None,
    embedding_ids: Sequence[Any] | None = None,
    similarity_cutoff: float | None = None,
    mmr_threshold: float | None = None,
) -> tuple[list[float], list[Any]]:
    """Pick embeddings one at a time by maximal marginal relevance: ``mmr_threshold * relevance - (1 -
    mmr_threshold) * (highest similarity to an embedding already picked)``.

    ``mmr_threshold`` (default 0.5) trades relevance (1: plain top-k order) for diversity (0: avoid anything
    like an earlier pick). Ties go to the earlier embedding.

    Returns:
        ``(scores, ids)`` in pick order; a score is the marginal relevance at the time of its pick.

    Raises:
        InvalidInputError: as :func:`get_top_k_embeddings`, or ``mmr_threshold`` is outside ``[0, 1]``.
    """
    threshold = 0.5 if mmr_threshold is None else mmr_threshold
    if not 0.0 <= threshold <= 1.0:
        msg = f"mmr_threshold must be between 0 and 1, got {mmr_threshold!r}"
        raise InvalidInputError(msg)
    score = similarity_fn or similarity
    ids = _ids_for(embeddings, embedding_ids)
    relevance = [score(query_embedding, embedding) for embedding in embeddings]
    candidates = [p for p in range(len(embeddings)) if similarity_cutoff is None or relevance[p] >= similarity_cutoff]
    redundancy = dict.fromkeys(candidates, float("-inf"))  # highest similarity to a pick so far
    scores: list[float] = []
    picked: list[Any] = []
    for _ in range(_count(similarity_top_k, len(candidates))):
        marginal = {
            p: threshold * relevance[p] - ((1 - threshold) * redundancy[p] if picked else 0.0) for p in redundancy
        }
        choice = max(marginal, key=lambda p: (marginal[p], -p))
        scores.append(marginal[choice])
        picked.append(ids[choice])
        del redundancy[choice]
        for p in redundancy:
            redundancy[p] = max(redundancy[p], score(embeddings[p], embeddings[choice]))
    return scores, picked
