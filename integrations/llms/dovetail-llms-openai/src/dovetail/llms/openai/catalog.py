"""Model catalog lookups: ``models.json`` package data (validated by :mod:`dovetail.core.catalog`).

Dated snapshots (``gpt-4o-2024-08-06``) and fine-tuned ids (``ft:gpt-4o-mini:org::abc``) resolve to their base
model's entry. Shared with ``dovetail-embeddings-openai``, which ships its own ``models.json``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dovetail.core.catalog import ModelCatalog
from dovetail.core.catalog import ModelInfo
from dovetail.core.catalog import load_catalog_file

__all__ = ["CATALOG_PATH", "base_model_id", "find_model", "load_catalog"]

CATALOG_PATH = Path(__file__).with_name("models.json")
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


@lru_cache(maxsize=8)
def load_catalog(path: Path = CATALOG_PATH) -> ModelCatalog:
    """The validated catalog at ``path`` (cached)."""
    return load_catalog_file(path)


def base_model_id(model: str) -> str:
    """``model`` without a fine-tune prefix or a snapshot date suffix."""
    if model.startswith("ft:"):
        model = model[3:].split(":", 1)[0]
    return _SNAPSHOT.sub("", model)


def find_model(model: str, path: Path = CATALOG_PATH) -> ModelInfo | None:
    """Catalog entry of ``model`` (exact id first, then its base model); ``None`` when unknown."""
    catalog = load_catalog(path)
    return catalog.get(model) or catalog.get(base_model_id(model))
