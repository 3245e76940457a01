"""The public API of dovetail.retrievers.bm25 is exactly __all__, the namespace is a leaf, the entry point loads."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import dovetail.retrievers.bm25 as package
from dovetail.core.registry import list_providers
from dovetail.core.retrievers import BaseRetriever


def test_all_is_exactly_the_public_names() -> None:
    public = sorted(name for name in vars(package) if not name.startswith("_") and name not in {"base"})
    assert sorted(package.__all__) == public
    assert issubclass(package.BM25Retriever, BaseRetriever)


def test_namespace_layout() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "dovetail"
    assert not (src / "__init__.py").exists()
    assert not (src / "retrievers" / "__init__.py").exists()
    assert not (src / "py.typed").exists()
    assert (src / "retrievers" / "bm25" / "py.typed").exists()


def test_entry_point_and_registry() -> None:
    (ep,) = [ep for ep in entry_points(group="dovetail.retrievers") if ep.name == "bm25"]
    assert ep.load() is package.BM25Retriever
    assert any(p.name == "bm25" and p.installed for p in list_providers("retrievers"))
