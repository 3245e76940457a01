"""similarity(), Pooling and mean_agg against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dovetail.core.embeddings import Pooling
from dovetail.core.embeddings import SimilarityMode
from dovetail.core.embeddings import mean_agg
from dovetail.core.embeddings import similarity
from dovetail.core.errors import InvalidInputError


@pytest.mark.parametrize(
    ("a", "b", "mode", "expected"),
    [
        ([1.0, 0.0], [0.0, 1.0], SimilarityMode.DEFAULT, 0.0),
        ([1.0, 1.0], [2.0, 2.0], SimilarityMode.DEFAULT, 1.0),
        ([1.0, 0.0], [-1.0, 0.0], SimilarityMode.DEFAULT, -1.0),
        ([3.0, 4.0], [0.0, 0.0], SimilarityMode.DEFAULT, 0.0),
        ([1.0, 2.0], [3.0, 4.0], SimilarityMode.DOT_PRODUCT, 11.0),
        ([0.0, 0.0], [3.0, 4.0], SimilarityMode.EUCLIDEAN, -5.0),
        ([1.0, 2.0], [1.0, 2.0], "euclidean", 0.0),
    ],
)
def test_similarity_modes(a: list[float], b: list[float], mode: SimilarityMode, expected: float) -> None:
    assert similarity(a, b, mode) == pytest.approx(expected)


def test_similarity_accepts_numpy_and_matches_numpy() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=32), rng.normal(size=32)
    expected = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    assert similarity(a, b) == pytest.approx(expected)  # type: ignore[arg-type]
    assert similarity(a.tolist(), b.tolist(), SimilarityMode.EUCLIDEAN) == pytest.approx(-float(np.linalg.norm(a - b)))


@pytest.mark.parametrize(
    ("a", "b", "mode"),
    [([1.0], [1.0, 2.0], SimilarityMode.DEFAULT), ("ab", "cd", SimilarityMode.DEFAULT), ([1.0], [1.0], "manhattan")],
)
def test_similarity_bad_input(a: object, b: object, mode: object) -> None:
    with pytest.raises(InvalidInputError):
        similarity(a, b, mode)  # type: ignore[arg-type]


def test_mean_agg() -> None:
    assert mean_agg([[1.0, 2.0], [3.0, 6.0]]) == [2.0, 4.0]
    with pytest.raises(InvalidInputError):
        mean_agg([])
    with pytest.raises(InvalidInputError):
        mean_agg([[1.0], [1.0, 2.0]])


def test_pooling_lists_and_numpy() -> None:
    tokens = [[1.0, 2.0], [3.0, 4.0], [5.0, 9.0]]
    assert Pooling.CLS(tokens) == [1.0, 2.0]
    assert Pooling.MEAN(tokens) == [3.0, 5.0]
    batch = np.array([tokens, tokens])
    assert Pooling.CLS(batch).tolist() == [[1.0, 2.0], [1.0, 2.0]]
    assert Pooling.MEAN(batch).tolist() == [[3.0, 5.0], [3.0, 5.0]]
    assert Pooling.MEAN([tokens]) == [[3.0, 5.0]]
    assert math.isclose(Pooling.MEAN(np.array(tokens))[1], 5.0)
    with pytest.raises(InvalidInputError):
        Pooling.MEAN([1.0, 2.0])
