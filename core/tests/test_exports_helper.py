"""``public_names``: the list an exact-``__all__`` test compares against, and that it catches drift."""

from __future__ import annotations

from types import ModuleType

from dovetail.core.testing import public_names


def _package(source: str, name: str = "demo_pkg") -> ModuleType:
    module = ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def test_submodules_and_future_features_are_not_api() -> None:
    package = _package("from __future__ import annotations\nclass Store: ...\n__all__ = ['Store']\n")
    setattr(package, "base", ModuleType("demo_pkg.base"))  # what importing demo_pkg.base does to the package  # noqa: B010
    assert public_names(package) == ["Store"] == sorted(package.__all__)


def test_a_leaked_import_or_a_missing_export_is_caught() -> None:
    leaked = _package("import json\nclass Store: ...\n__all__ = ['Store']\n")
    assert public_names(leaked) == ["Store", "json"] != sorted(leaked.__all__)
    forgotten = _package("class Store: ...\nclass Helper: ...\n__all__ = ['Store']\n")
    assert public_names(forgotten) != sorted(forgotten.__all__)
