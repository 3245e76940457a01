"""Synthetic vectors shaped like sentence embeddings, shared by dovetail's and the peers' bench scripts.

Real text embeddings are clustered and have a low intrinsic dimension; i.i.d. Gaussian vectors are the worst
case of every graph index and resemble no embedding model. Here each point is one of ``clusters`` random unit
centroids plus noise in a 16-dimensional subspace private to its cluster plus a little isotropic noise, then
normalised. At 384 dimensions and ~330 points per cluster a query's nearest neighbour has cosine ≈ 0.79, its
10th ≈ 0.66, and a random pair ≈ 0 — close to what MiniLM-class models give on a text corpus. Only numpy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["mixture"]

SUBSPACE = 16
LOCAL_SCALE = 0.35
ISOTROPIC_SCALE = 0.08


def mixture(n: int, dim: int, clusters: int, seed: int) -> np.ndarray:
    """``n`` × ``dim`` float32 unit vectors; the same ``clusters`` and ``seed`` give the same centroids."""
    rng = np.random.default_rng(seed)
    centroids = rng.standard_normal((clusters, dim)).astype(np.float32)
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    bases = rng.standard_normal((clusters, SUBSPACE, dim)).astype(np.float32) / np.sqrt(dim)
    labels = rng.integers(0, clusters, size=n)
    local = rng.standard_normal((n, SUBSPACE)).astype(np.float32) * LOCAL_SCALE
    out = centroids[labels] + np.einsum("nk,nkd->nd", local, bases[labels])
    out += rng.standard_normal((n, dim)).astype(np.float32) * (ISOTROPIC_SCALE / np.sqrt(dim))
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)
