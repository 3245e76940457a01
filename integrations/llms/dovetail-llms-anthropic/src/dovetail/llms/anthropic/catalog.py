"""The Anthropic model catalog: ``models.json`` package data (validated by :mod:`dovetail.core.catalog`).

Dated snapshots (``claude-sonnet-4-5-20250929``) and ``-latest`` aliases resolve to their family's entry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dovetail.core.catalog import ModelCatalog
from dovetail.core.catalog import ModelInfo
from dovetail.core.catalog import load_catalog_file

__all__ = ["CATALOG_PATH", "find_model", "load_catalog"]

CATALOG_PATH = Path(__file__).with_name("models.json")
_SNAPSHOT = re.compile(r"-(\d{8}|latest)$")


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> ModelCatalog:
    """The validated catalog at ``path`` (cached)."""
    return load_catalog_file(path)


def find_model(model: str) -> ModelInfo | None:
    """The entry of ``model``: exact id, else without its date/``-latest`` suffix (with ``-latest`` and ``-0``
    tried for families listed that way); ``None`` when unknown."""
    catalog = load_catalog()
    base = _SNAPSHOT.sub("", model)
    for candidate in (model, base, f"{base}-latest", f"{base}-0"):
        found = catalog.get(candidate)
        if found is not None:
            return found
    return None
