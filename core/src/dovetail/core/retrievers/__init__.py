"""Retrievers: the ``BaseRetriever`` contract; ``VectorIndexRetriever`` is loaded on first use.

Example:
    ```python
    from dovetail.core.retrievers import BaseRetriever, VectorIndexRetriever
    ```
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from dovetail.core.retrievers._base import BaseRetriever, QueryType

if TYPE_CHECKING:
    from dovetail.core.retrievers._vector import VectorIndexRetriever  # type: ignore[import-not-found,unused-ignore]

_LAZY: dict[str, str] = {"VectorIndexRetriever": "dovetail.core.retrievers._vector"}

__all__ = ["BaseRetriever", "QueryType", "VectorIndexRetriever"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'dovetail.core.retrievers' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
