"""Shared helpers for ingestion tests: a counting embedding model and a clean ``Settings``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from dovetail.core.embeddings import MockEmbedding
from dovetail.core.settings import Settings


class CountingEmbedding(MockEmbedding):
    """MockEmbedding that counts embedded texts, records each call's batch size and the peak number of
    concurrent provider calls, and (with ``fail_on_call``) raises on that call (1-based)."""

    delay: float = 0.0
    delay_per_text: float = 0.0
    fail_on_call: int = 0

    def model_post_init(self, context: object) -> None:
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_stats", {"texts": 0, "calls": 0, "active": 0, "peak": 0})
        object.__setattr__(self, "_sizes", [])

    @property
    def stats(self) -> dict[str, int]:
        return self._stats  # type: ignore[attr-defined,no-any-return]

    @property
    def sizes(self) -> list[int]:
        """Texts per provider call, in call order."""
        return self._sizes  # type: ignore[attr-defined,no-any-return]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with self._lock:  # type: ignore[attr-defined]
            self.stats["texts"] += len(texts)
            self.stats["calls"] += 1
            self.sizes.append(len(texts))
            if self.stats["calls"] == self.fail_on_call:
                raise RuntimeError("embedding service unavailable")
            self.stats["active"] += 1
            self.stats["peak"] = max(self.stats["peak"], self.stats["active"])
        try:
            if self.delay or self.delay_per_text:
                time.sleep(self.delay + self.delay_per_text * len(texts))
            return super()._get_text_embeddings(texts)
        finally:
            with self._lock:  # type: ignore[attr-defined]
                self.stats["active"] -= 1


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()
