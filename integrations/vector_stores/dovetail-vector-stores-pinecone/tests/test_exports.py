"""The public API of dovetail.vector_stores.pinecone is exactly __all__, and the package is a namespace leaf."""

from __future__ import annotations

from pathlib import Path

import dovetail.vector_stores.pinecone as package
from dovetail.core.testing import public_names
from dovetail.core.vector_stores import BasePydanticVectorStore


def test_all_is_exact() -> None:
    assert sorted(package.__all__) == public_names(package)
    assert len(set(package.__all__)) == len(package.__all__)
    assert issubclass(package.PineconeVectorStore, BasePydanticVectorStore)


def test_namespace_layout() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "dovetail"
    assert not (src / "__init__.py").exists()
    assert not (src / "vector_stores" / "__init__.py").exists()
    assert not (src / "py.typed").exists()
    assert not (src / "vector_stores" / "py.typed").exists()
    assert (src / "vector_stores" / "pinecone" / "py.typed").exists()


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    (ep,) = [ep for ep in entry_points(group="dovetail.vector_stores") if ep.name == "pinecone"]
    assert ep.load() is package.PineconeVectorStore
