"""The Gemini model catalog: ``models.json`` package data (validated by :mod:`dovetail.core.catalog`).

``models/``-prefixed names and dated or numbered versions (``gemini-2.0-flash-001``) resolve to their family.
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
_VERSION = re.compile(r"-(\d{3}|latest|preview-\d{2}-\d{2}|\d{2}-\d{4})$")


@lru_cache(maxsize=4)
def load_catalog(path: Path = CATALOG_PATH) -> ModelCatalog:
    """The validated catalog at ``path`` (cached)."""
    return load_catalog_file(path)


def find_model(model: str, path: Path = CATALOG_PATH) -> ModelInfo | None:
    """The entry of ``model`` (exact, else without ``models/`` and a version suffix); ``None`` when unknown."""
    catalog = load_catalog(path)
    name = model.removeprefix("models/")
    return catalog.get(name) or catalog.get(_VERSION.sub("", name))
