"""Shared helpers for ingestion tests: a counting embedding model and a clean ``Settings``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.settings import Settings


class CountingEmbedding(MockEmbedding):
    """MockEmbedding that counts embedded texts and the peak number of concurrent provider calls."""

    delay: float = 0.0

    def model_post_init(self, context: object) -> None:
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_stats", {"texts": 0, "calls": 0, "active": 0, "peak": 0})

    @property
    def stats(self) -> dict[str, int]:
        return self._stats  # type: ignore[attr-defined,no-any-return]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with self._lock:  # type: ignore[attr-defined]
            self.stats["texts"] += len(texts)
            self.stats["calls"] += 1
            self.stats["active"] += 1
            self.stats["peak"] = max(self.stats["peak"], self.stats["active"])
        try:
            if self.delay:
                time.sleep(self.delay)
            return super()._get_text_embeddings(texts)
        finally:
            with self._lock:  # type: ignore[attr-defined]
                self.stats["active"] -= 1


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()
