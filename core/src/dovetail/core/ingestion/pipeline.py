"""LlamaIndex's ``llama_index.core.ingestion.pipeline`` import path.

Re-exports ``IngestionPipeline`` lazily, so a LlamaIndex import changes only its package prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dovetail.core._lazy import lazy_exports

if TYPE_CHECKING:
    from dovetail.core.ingestion import IngestionPipeline

_LAZY: dict[str, str] = {
    "IngestionPipeline": "dovetail.core.ingestion",
}

__all__ = [
    "IngestionPipeline",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
