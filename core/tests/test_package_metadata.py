"""``dovetail.core.__version__`` is the installed distribution's version, which is core/pyproject.toml's."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from dovetail.core.testing.package_contract import assert_imports_without

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_version_comes_from_the_distribution_metadata() -> None:
    import dovetail.core

    declared = re.search(r'(?m)^version = "([^"]+)"', PYPROJECT.read_text(encoding="utf-8"))
    assert declared is not None
    assert dovetail.core.__version__ == version("dovetail-core") == declared.group(1)


def test_import_does_not_read_metadata_until_asked() -> None:
    assert_imports_without("dovetail.core", ["importlib.metadata"])
