"""LlamaIndex's own ``indices/query/test_embedding_utils.py``, written again against dovetail's import path.

``get_top_k_embeddings_learner`` (scikit-learn's SVM) is not offered, so its test has no counterpart.
"""

from __future__ import annotations

import math

import pytest
from dovetail.core.errors import InvalidInputError
from dovetail.core.indices.query.embedding_utils import get_top_k_embeddings
from dovetail.core.indices.query.embedding_utils import get_top_k_mmr_embeddings


def test_get_top_k_mmr_embeddings() -> None:
    query_embedding = [5.0, 0.0, 0.0]
    embeddings = [[4.0, 3.0, 0.0], [3.0, 4.0, 0.0], [-4.0, 3.0, 0.0]]
    scores, ids = get_top_k_mmr_embeddings(query_embedding, embeddings, mmr_threshold=0.8)
    assert math.isclose(0.8 * 4 / 5, scores[0], abs_tol=1e-5)
    assert math.isclose(0.8 * 3 / 5 - (1 - 0.8) * (3 * 4 / 25 + 3 * 4 / 25), scores[1], abs_tol=1e-5)
    assert math.isclose(0.8 * -4 / 5 - (1 - 0.8) * (3 * -4 / 25 + 4 * 3 / 25), scores[2], abs_tol=1e-5)
    assert ids == [0, 1, 2]

    # the second-closest vector nearly repeats the first, so the third comes before it
    query_embedding = [1.0, 0.0, 1.0]
    embeddings = [[1.0, 0.0, 0.9], [1.0, 0.0, 0.8], [0.7, 0.0, 1.0]]
    assert get_top_k_mmr_embeddings(query_embedding, embeddings, mmr_threshold=0.5)[1] == [0, 2, 1]
    named = get_top_k_mmr_embeddings(query_embedding, embeddings, embedding_ids=["A", "B", "C"], mmr_threshold=0.5)
    assert named[1] == ["A", "C", "B"]
    assert get_top_k_mmr_embeddings(query_embedding, embeddings, mmr_threshold=1)[1] == [0, 1, 2]
    assert get_top_k_mmr_embeddings(query_embedding, embeddings, mmr_threshold=1, similarity_top_k=2)[1] == [0, 1]

    # with threshold 1 the scores are the plain top-k similarities
    query_embedding = [10, 23, 90, 78]
    embeddings = [[1, 23, 89, 68], [1, 74, 144, 23], [0.23, 0.0, 1.0, 9]]
    plain, _ = get_top_k_embeddings(query_embedding, embeddings)
    with_mmr, _ = get_top_k_mmr_embeddings(query_embedding, embeddings, mmr_threshold=1)
    assert len(plain) == len(with_mmr) == 3
    for no_mmr, mmr in zip(plain, with_mmr, strict=True):
        assert math.isclose(no_mmr, mmr, abs_tol=1e-5)


def test_get_top_k_mmr_embeddings_threshold_zero() -> None:
    query_embedding = [1.0, 0.0]
    embeddings = [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    _, diverse = get_top_k_mmr_embeddings(query_embedding, embeddings, similarity_top_k=2, mmr_threshold=0.0)
    assert diverse == [0, 2]
    _, default_ids = get_top_k_mmr_embeddings(query_embedding, embeddings, similarity_top_k=2, mmr_threshold=0.5)
    assert default_ids == [0, 1]
    assert get_top_k_mmr_embeddings(query_embedding, embeddings, similarity_top_k=2)[1] == [0, 1]


def test_get_top_k_embeddings_top_k_zero() -> None:
    assert get_top_k_embeddings([1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], similarity_top_k=0) == ([], [])


def test_get_top_k_mmr_embeddings_top_k_zero() -> None:
    assert get_top_k_mmr_embeddings([1.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], similarity_top_k=0) == ([], [])


def test_top_k_order_cutoff_and_bad_arguments() -> None:
    embeddings = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    scores, ids = get_top_k_embeddings([1.0, 0.0], embeddings, similarity_top_k=2, embedding_ids=["a", "b", "c"])
    assert ids == ["b", "c"]
    assert math.isclose(scores[1], 1 / math.sqrt(2))
    assert get_top_k_embeddings([1.0, 0.0], embeddings, similarity_cutoff=0.5)[1] == [1, 2]
    with pytest.raises(InvalidInputError, match="one id per embedding"):
        get_top_k_embeddings([1.0, 0.0], embeddings, embedding_ids=["a"])
    with pytest.raises(InvalidInputError, match="mmr_threshold"):
        get_top_k_mmr_embeddings([1.0, 0.0], embeddings, mmr_threshold=2)
