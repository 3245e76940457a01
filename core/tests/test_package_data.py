"""``package_dirs`` finds an installed package's folders without importing it, and ``()`` for anything else."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import dovetail.core
import pytest
from dovetail.core.package_data import package_dirs


@pytest.fixture
def on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``tmp_path`` at the front of ``sys.path``; packages made there are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_regular_package_has_its_one_folder() -> None:
    assert package_dirs("dovetail.core") == (Path(dovetail.core.__file__).parent,)


def test_the_package_is_not_imported(on_path: Path) -> None:
    package = on_path / "dt_data_only"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('imported')\n")
    (package / "data.json").write_text("{}")
    assert package_dirs("dt_data_only") == (package,)
    assert "dt_data_only" not in sys.modules


def test_a_namespace_package_has_a_folder_per_place_in_path_order(on_path: Path) -> None:
    first, second = on_path / "a", on_path / "b"
    for root in (first, second):
        (root / "dt_spread").mkdir(parents=True)
    sys.path[:0] = [str(first), str(second)]
    try:
        assert package_dirs("dt_spread") == (first / "dt_spread", second / "dt_spread")
    finally:
        sys.path.remove(str(first))
        sys.path.remove(str(second))


@pytest.mark.parametrize(
    "name",
    [
        "dt_not_installed_anywhere",  # not installed
        "dt_not_installed_anywhere.sub",  # its parent is not installed
        "json.decoder",  # a plain module, not a package
        "",  # not an import name
        ".relative",  # relative names have no anchor here
    ],
)
def test_anything_else_has_no_folder(name: str) -> None:
    assert package_dirs(name) == ()
