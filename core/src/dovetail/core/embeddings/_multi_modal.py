"""``MultiModalEmbedding``: a ``BaseEmbedding`` that also embeds images into the same space."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import partial
from typing import IO
from typing import Any

from dovetail.core._exceptions import InvalidInputError
from dovetail.core.callbacks import CBEventType
from dovetail.core.callbacks import EventPayload
from dovetail.core.concurrency import gather_bounded
from dovetail.core.concurrency import run_in_thread
from dovetail.core.embeddings._base import BaseEmbedding
from dovetail.core.embeddings._base import Embedding
from dovetail.core.embeddings._checks import check_vector
from dovetail.core.embeddings._checks import check_vectors

__all__ = ["ImageType", "MultiModalEmbedding"]

ImageType = str | os.PathLike[str] | IO[bytes]
"""A path to an image file, or an open binary file object."""


def _check_image(image: Any) -> ImageType:
    if isinstance(image, (str, os.PathLike)) or hasattr(image, "read"):
        return image  # type: ignore[no-any-return]
    msg = f"an image must be a file path or a binary file object, got {type(image).__name__}"
    raise InvalidInputError(msg)


class MultiModalEmbedding(BaseEmbedding):
    """An embedding model for text and images.

    Subclasses implement ``_get_image_embedding`` (and the text methods of :class:`BaseEmbedding`); they may
    override ``_get_image_embeddings`` and the async twins.

    Example:
        ```python
        class MyClip(MultiModalEmbedding):
            def _get_image_embedding(self, img_file_path):
                return clip.encode_image(img_file_path)
            ...

        MyClip().get_image_embedding("cat.png")
        ```
    """

    def _get_image_embedding(self, img_file_path: ImageType) -> Embedding:
        """Embed one image. Subclasses must implement this."""
        msg = f"{type(self).__name__} must implement _get_image_embedding"
        raise NotImplementedError(msg)

    def _get_image_embeddings(self, img_file_paths: list[ImageType]) -> list[Embedding]:
        """Embed several images; override with one provider call when possible."""
        return [self._get_image_embedding(path) for path in img_file_paths]

    async def _aget_image_embedding(self, img_file_path: ImageType) -> Embedding:
        """Async image embedding; the default runs the sync one in a worker thread."""
        return await run_in_thread(self._get_image_embedding, img_file_path)

    async def _aget_image_embeddings(self, img_file_paths: list[ImageType]) -> list[Embedding]:
        """Async batch of images; the default runs the sync batch in a worker thread."""
        return await run_in_thread(self._get_image_embeddings, img_file_paths)

    def get_image_embedding(self, img_file_path: ImageType) -> Embedding:
        """Embed one image."""
        image = _check_image(img_file_path)
        with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
            vector = check_vector(self._get_image_embedding(image), self._provider)
            ev.on_end(payload={EventPayload.CHUNKS: [str(image)], EventPayload.EMBEDDINGS: [vector]})
        return vector

    async def aget_image_embedding(self, img_file_path: ImageType) -> Embedding:
        """Async :meth:`get_image_embedding`."""
        image = _check_image(img_file_path)
        with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
            vector = check_vector(await self._aget_image_embedding(image), self._provider)
            ev.on_end(payload={EventPayload.CHUNKS: [str(image)], EventPayload.EMBEDDINGS: [vector]})
        return vector

    def get_image_embedding_batch(
        self, img_file_paths: Sequence[ImageType], show_progress: bool = False
    ) -> list[Embedding]:
        """Embed many images, ``embed_batch_size`` per provider call, in input order."""
        images = [_check_image(image) for image in img_file_paths]
        result: list[Embedding] = []
        size = self.embed_batch_size
        for start in range(0, len(images), size):
            batch = images[start : start + size]
            with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
                vectors = check_vectors(self._get_image_embeddings(batch), len(batch), self._provider)
                ev.on_end(payload={EventPayload.CHUNKS: [str(i) for i in batch], EventPayload.EMBEDDINGS: vectors})
            result.extend(vectors)
        return result

    async def aget_image_embedding_batch(
        self, img_file_paths: Sequence[ImageType], show_progress: bool = False
    ) -> list[Embedding]:
        """Async :meth:`get_image_embedding_batch`, at most ``num_workers`` batches in flight."""
        images = [_check_image(image) for image in img_file_paths]
        size = self.embed_batch_size

        async def run(batch: list[ImageType]) -> list[Embedding]:
            with self.callback_manager.event(CBEventType.EMBEDDING, {EventPayload.MODEL_NAME: self.model_name}) as ev:
                vectors = check_vectors(await self._aget_image_embeddings(batch), len(batch), self._provider)
                ev.on_end(payload={EventPayload.CHUNKS: [str(i) for i in batch], EventPayload.EMBEDDINGS: vectors})
            return vectors

        batches = [images[start : start + size] for start in range(0, len(images), size)]
        results = await gather_bounded([partial(run, batch) for batch in batches], self._concurrency)
        return [vector for vectors in results for vector in vectors]
