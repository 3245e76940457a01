"""The public API of dovetail.vector_stores.postgres is exactly __all__, and the package is a namespace leaf."""

from __future__ import annotations

from pathlib import Path

import dovetail.vector_stores.postgres as package
from dovetail.core.vector_stores import BasePydanticVectorStore


def test_all_is_exact() -> None:
    public = {name for name in vars(package) if not name.startswith("_")} - {"base", "annotations"}
    assert package.__all__ == ["PGVectorStore"]
    assert public == set(package.__all__)
    assert issubclass(package.PGVectorStore, BasePydanticVectorStore)


def test_namespace_layout() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "dovetail"
    assert not (src / "__init__.py").exists()
    assert not (src / "vector_stores" / "__init__.py").exists()
    assert not (src / "py.typed").exists()
    assert not (src / "vector_stores" / "py.typed").exists()
    assert (src / "vector_stores" / "postgres" / "py.typed").exists()


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    (ep,) = [ep for ep in entry_points(group="dovetail.vector_stores") if ep.name == "postgres"]
    assert ep.load() is package.PGVectorStore
