"""Validation of the store's index settings (LlamaIndex's ``hnsw_kwargs`` shape, plus IVFFlat and distance)."""

from __future__ import annotations

from typing import Any

from dovetail.core.errors import ConfigurationError
from dovetail.vector_stores.postgres._sql import DISTANCES
from dovetail.vector_stores.postgres._sql import AnnIndex
from dovetail.vector_stores.postgres._sql import Distance

__all__ = [
    "DEFAULT_EF_CONSTRUCTION",
    "DEFAULT_EF_SEARCH",
    "DEFAULT_M",
    "HNSW_KEYS",
    "IVFFLAT_KEYS",
    "ann_index",
    "resolve_distance",
]

DEFAULT_M = 16
"""HNSW graph degree when ``hnsw_kwargs`` omits ``hnsw_m`` (pgvector's default)."""
DEFAULT_EF_CONSTRUCTION = 64
"""HNSW build candidate list when ``hnsw_kwargs`` omits ``hnsw_ef_construction`` (pgvector's default)."""
DEFAULT_EF_SEARCH = 80
"""``hnsw.ef_search`` of every connection when ``hnsw_kwargs`` omits ``hnsw_ef_search``."""

HNSW_KEYS = frozenset({"hnsw_m", "hnsw_ef_construction", "hnsw_ef_search", "hnsw_dist_method"})
IVFFLAT_KEYS = frozenset({"ivfflat_lists", "ivfflat_probes", "ivfflat_dist_method"})
_BY_OPCLASS = {opclass: distance for distance, (_, opclass) in DISTANCES.items()}


def _positive(kwargs: dict[str, Any], key: str, default: int | None, low: int, high: int) -> int | None:
    value = kwargs.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        msg = f"{key} must be an integer between {low} and {high}, got {value!r}"
        raise ConfigurationError(msg)
    return int(value)


def _unknown(kwargs: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    extra = sorted(set(kwargs) - allowed)
    if extra:
        msg = f"unknown {what} keys {extra}; use {sorted(allowed)}"
        raise ConfigurationError(msg)


def ann_index(
    hnsw_kwargs: dict[str, Any] | None, ivfflat_kwargs: dict[str, Any] | None
) -> tuple[AnnIndex | None, int | None, int | None]:
    """``(index, default ef_search, default probes)`` from the two settings (at most one may be given)."""
    if hnsw_kwargs is not None and ivfflat_kwargs is not None:
        msg = "pass hnsw_kwargs or ivfflat_kwargs, not both: a table has one vector index"
        raise ConfigurationError(msg)
    if hnsw_kwargs is not None:
        _unknown(hnsw_kwargs, HNSW_KEYS, "hnsw_kwargs")
        m = _positive(hnsw_kwargs, "hnsw_m", DEFAULT_M, 2, 100)
        ef_construction = _positive(hnsw_kwargs, "hnsw_ef_construction", DEFAULT_EF_CONSTRUCTION, 4, 1000)
        ef_search = _positive(hnsw_kwargs, "hnsw_ef_search", DEFAULT_EF_SEARCH, 1, 1000)
        if m is None or ef_construction is None or ef_construction < 2 * m:
            msg = f"hnsw_ef_construction ({ef_construction}) must be at least 2 * hnsw_m ({m})"
            raise ConfigurationError(msg)
        return AnnIndex("hnsw", m=m, ef_construction=ef_construction), ef_search, None
    if ivfflat_kwargs is not None:
        _unknown(ivfflat_kwargs, IVFFLAT_KEYS, "ivfflat_kwargs")
        lists = _positive(ivfflat_kwargs, "ivfflat_lists", 100, 1, 32768) or 100
        probes = _positive(ivfflat_kwargs, "ivfflat_probes", None, 1, 32768)
        return AnnIndex("ivfflat", lists=lists), None, probes
    return None, None, None


def resolve_distance(
    distance: Distance | None, hnsw_kwargs: dict[str, Any] | None, ivfflat_kwargs: dict[str, Any] | None
) -> Distance:
    """The distance: ``distance=``, else the index's ``*_dist_method`` operator class, else cosine."""
    method = (hnsw_kwargs or {}).get("hnsw_dist_method") or (ivfflat_kwargs or {}).get("ivfflat_dist_method")
    from_method: Distance | None = None
    if method is not None:
        found = _BY_OPCLASS.get(str(method))
        if found is None:
            msg = f"unknown distance method {method!r}; use one of {sorted(_BY_OPCLASS)}"
            raise ConfigurationError(msg)
        from_method = found  # type: ignore[assignment]
    if distance is not None and from_method is not None and distance != from_method:
        msg = f"distance={distance!r} contradicts the index's {method!r}; pass one of them"
        raise ConfigurationError(msg)
    return distance or from_method or "cosine"
