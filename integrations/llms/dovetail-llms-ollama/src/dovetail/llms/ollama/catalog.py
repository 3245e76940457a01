"""The Ollama model catalog: ``models.json`` package data (validated by :mod:`dovetail.core.catalog`).

Tags resolve to their model's entry (``llama3.2:3b`` → ``llama3.2``), as do namespaced names (``library/qwen3``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dovetail.core.catalog import ModelCatalog
from dovetail.core.catalog import ModelInfo
from dovetail.core.catalog import load_catalog_file

__all__ = ["CATALOG_PATH", "find_model", "load_catalog"]

CATALOG_PATH = Path(__file__).with_name("models.json")


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> ModelCatalog:
    """The validated catalog at ``path`` (cached)."""
    return load_catalog_file(path)


def find_model(model: str, path: Path = CATALOG_PATH) -> ModelInfo | None:
    """The entry of ``model`` (exact, else without ``:tag`` and namespace); ``None`` when unknown."""
    catalog = load_catalog(path)
    base = model.split(":", 1)[0].rsplit("/", 1)[-1]
    return catalog.get(model) or catalog.get(base)
