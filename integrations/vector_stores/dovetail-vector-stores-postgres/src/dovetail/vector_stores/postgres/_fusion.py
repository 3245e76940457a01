"""Rank fusion of dense and full-text candidates for ``VectorStoreQueryMode.HYBRID`` (pure).

Without ``alpha`` the lists are fused by reciprocal rank (``sum 1 / (60 + rank)``), which needs no score
calibration. With ``alpha`` (``1.0`` = dense only, ``0.0`` = text only) each list's scores are min-max scaled
to ``[0, 1]`` and combined as ``alpha * dense + (1 - alpha) * text``; a candidate missing from one list scores
0 there. Ties keep the dense order first, then the text order.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["RRF_K", "fuse"]

RRF_K = 60


def _scaled(scores: Sequence[float]) -> list[float]:
    if not scores:
        return []
    low, high = min(scores), max(scores)
    if high - low <= 1e-12:
        return [1.0] * len(scores)
    return [(score - low) / (high - low) for score in scores]


def fuse(
    dense: Sequence[tuple[str, float]],
    text: Sequence[tuple[str, float]],
    top_k: int,
    alpha: float | None = None,
) -> list[tuple[str, float]]:
    """The ``top_k`` ``(id, fused score)`` pairs, best first.

    Args:
        dense: ``(id, similarity)`` best first (higher is closer).
        text: ``(id, text rank)`` best first (higher is better).
        top_k: how many to return.
        alpha: weight of the dense side; ``None`` for reciprocal rank fusion.
    """
    scores: dict[str, float] = {}
    if alpha is None:
        for ranked in (dense, text):
            for rank, (node_id, _) in enumerate(ranked, start=1):
                scores[node_id] = scores.get(node_id, 0.0) + 1.0 / (RRF_K + rank)
    else:
        for weight, ranked in ((alpha, dense), (1.0 - alpha, text)):
            for (node_id, _), scaled in zip(ranked, _scaled([score for _, score in ranked]), strict=True):
                scores[node_id] = scores.get(node_id, 0.0) + weight * scaled
    order = {node_id: position for position, node_id in enumerate(dict.fromkeys(i for i, _ in (*dense, *text)))}
    ranked_ids = sorted(scores, key=lambda node_id: (-scores[node_id], order[node_id]))
    return [(node_id, scores[node_id]) for node_id in ranked_ids[:top_k]]
