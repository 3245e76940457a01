"""MultiModalEmbedding: image embeddings through the public API, batching, async and bad input."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from dovetail.core.embeddings import MultiModalEmbedding
from dovetail.core.errors import InvalidInputError
from dovetail.core.errors import ProviderError


class ByteSumImageEmbedding(MultiModalEmbedding):
    """Tutorial-style multi-modal model: an image vector is (size, byte sum) of the file."""

    def model_post_init(self, __context: object) -> None:
        self._calls: list[int] = []
        self._threads: list[int] = []

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(len(query)), 0.0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(len(text)), 0.0]

    def _read(self, image: object) -> bytes:
        if hasattr(image, "read"):
            return image.read()  # type: ignore[no-any-return]
        return Path(image).read_bytes()  # type: ignore[arg-type]

    def _get_image_embedding(self, img_file_path: object) -> list[float]:
        self._threads.append(threading.get_ident())
        data = self._read(img_file_path)
        return [float(len(data)), float(sum(data))]

    def _get_image_embeddings(self, img_file_paths: Sequence[object]) -> list[list[float]]:
        self._calls.append(len(img_file_paths))
        return [self._get_image_embedding(p) for p in img_file_paths]


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    paths = []
    for i in range(5):
        path = tmp_path / f"img{i}.png"
        path.write_bytes(bytes([i + 1] * (i + 1)))
        paths.append(path)
    return paths


def test_image_embedding_from_path_and_file_object(images: list[Path]) -> None:
    model = ByteSumImageEmbedding()
    assert model.get_image_embedding(images[2]) == [3.0, 9.0]
    assert model.get_image_embedding(str(images[1])) == [2.0, 4.0]
    assert model.get_image_embedding(io.BytesIO(b"\x05\x05")) == [2.0, 10.0]


def test_image_batch_respects_batch_size_and_order(images: list[Path]) -> None:
    model = ByteSumImageEmbedding(embed_batch_size=2)
    vectors = model.get_image_embedding_batch(images)
    assert vectors == [[float(i + 1), float((i + 1) ** 2)] for i in range(5)]
    assert model._calls == [2, 2, 1]


async def test_async_image_paths_run_off_the_loop(images: list[Path]) -> None:
    model = ByteSumImageEmbedding(embed_batch_size=2)
    assert await model.aget_image_embedding(images[0]) == [1.0, 1.0]
    assert await model.aget_image_embedding_batch(images) == model.get_image_embedding_batch(images)
    assert threading.get_ident() not in model._threads[:6]


def test_bad_image_input_and_output(images: list[Path]) -> None:
    with pytest.raises(InvalidInputError):
        ByteSumImageEmbedding().get_image_embedding(123)  # type: ignore[arg-type]

    class Broken(ByteSumImageEmbedding):
        def _get_image_embedding(self, img_file_path: object) -> list[float]:
            return [float("nan")]

    with pytest.raises(ProviderError, match="NaN"):
        Broken().get_image_embedding(images[0])
