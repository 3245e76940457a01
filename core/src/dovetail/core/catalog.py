"""Model catalogs: each integration ships its models as ``models.json`` package data, validated here.

The file sits next to the provider's ``__init__.py`` (``dovetail/llms/openai/models.json``) and is found without
importing the integration::

    {"provider": "openai", "models": [{"id": "gpt-4o-mini", "display_name": "GPT-4o mini",
      "modes": ["chat"], "context_window": 128000, "max_output_tokens": 16384,
      "supports_vision": true, "supports_tools": true, "supports_structured_output": true}]}

Example:
    ```python
    from dovetail.core.catalog import get_model_info, list_models

    info = get_model_info("openai", "gpt-4o-mini")
    print(info.context_window if info else "unknown model")
    ```
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from dovetail.core._exceptions import ConfigurationError
from dovetail.core.package_data import package_dirs
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import model_validator

__all__ = ["CATALOG_FILE", "ModelCatalog", "ModelInfo", "get_model_info", "list_models", "load_catalog_file"]

logger = logging.getLogger(__name__)

CATALOG_FILE = "models.json"

Mode = Literal["chat", "completion", "embedding"]


class ModelInfo(BaseModel):
    """What dovetail knows about one model of one provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    display_name: str = ""
    modes: tuple[Mode, ...] = Field(min_length=1)
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    embedding_dimensions: int | None = Field(default=None, gt=0)
    supports_vision: bool = False
    supports_tools: bool = False
    supports_structured_output: bool = False
    supports_thinking: bool = False
    deprecation_date: dt.date | None = None

    @model_validator(mode="after")
    def _embedding_models_have_dimensions(self) -> ModelInfo:
        if "embedding" in self.modes and self.embedding_dimensions is None:
            msg = f"embedding model {self.id!r} needs embedding_dimensions"
            raise ValueError(msg)
        return self

    @property
    def is_chat_model(self) -> bool:
        """Whether the model is served through a chat API."""
        return "chat" in self.modes

    @property
    def is_deprecated(self) -> bool:
        """Whether the deprecation date has passed."""
        return self.deprecation_date is not None and self.deprecation_date <= dt.date.today()


class ModelCatalog(BaseModel):
    """The ``models.json`` of one provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str = Field(min_length=1)
    models: tuple[ModelInfo, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> ModelCatalog:
        ids = [model.id for model in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            msg = f"duplicate model ids in catalog of {self.provider!r}: {duplicates}"
            raise ValueError(msg)
        return self

    def get(self, model_id: str) -> ModelInfo | None:
        """The model with this id, or ``None``."""
        return next((model for model in self.models if model.id == model_id), None)


def load_catalog_file(path: Path) -> ModelCatalog:
    """Read and validate one ``models.json``.

    Raises:
        ConfigurationError: the file is not valid JSON or does not match the schema; the message names the file.
    """
    try:
        return ModelCatalog.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as exc:
        msg = f"invalid model catalog {path}: {exc}"
        raise ConfigurationError(msg) from exc


def _catalog_path(module_name: str) -> Path | None:
    candidates = (folder / CATALOG_FILE for folder in package_dirs(module_name))
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def _catalog_file_of(target: str | None) -> Path | None:
    """The ``models.json`` beside the module of an entry point's ``module:Class`` target."""
    return _catalog_path(target.partition(":")[0]) if target else None


@lru_cache(maxsize=64)
def _load_cached(path: Path) -> ModelCatalog:
    return load_catalog_file(path)


def _catalog_for(domain: str, provider: str) -> ModelCatalog | None:
    from dovetail.core.registry import list_providers

    for info in list_providers(domain):
        if info.name == provider and info.installed:
            path = _catalog_file_of(info.target)
            return _load_cached(path) if path else None
    return None


def list_models(provider: str | None = None, domain: str | None = None) -> list[tuple[str, ModelInfo]]:
    """``(provider, model)`` pairs from the catalogs of installed providers, sorted by provider and id."""
    from dovetail.core.registry import list_providers

    pairs: list[tuple[str, ModelInfo]] = []
    seen: set[tuple[str, str]] = set()
    seen_files: set[Path] = set()
    for info in list_providers(domain):
        if not info.installed or (provider is not None and info.name != provider):
            continue
        path = _catalog_file_of(info.target)
        if path is None or path in seen_files:  # e.g. openai_like shares the openai module's catalog
            continue
        seen_files.add(path)
        for model in _load_cached(path).models:
            if (info.name, model.id) not in seen:
                seen.add((info.name, model.id))
                pairs.append((info.name, model))
    return sorted(pairs, key=lambda pair: (pair[0], pair[1].id))


def get_model_info(provider: str, model_id: str, domain: str = "llms") -> ModelInfo | None:
    """Catalog entry of ``model_id`` for an installed ``provider``; ``None`` when unknown."""
    catalog = _catalog_for(domain, provider)
    return catalog.get(model_id) if catalog else None
