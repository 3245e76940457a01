"""Every integration package is a typed leaf of the ``dovetail`` namespace (see ``assert_namespace_leaf``).

One test over all of them, found on disk, so a new package is checked without writing a test for it.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from dovetail.core.testing.package_contract import assert_namespace_leaf

REPO = Path(__file__).resolve().parents[1]
LEAVES = sorted(
    ".".join(init.parent.relative_to(init.parents[3]).parts)
    for init in REPO.glob("integrations/*/*/src/dovetail/*/*/__init__.py")
)


def test_every_integration_package_is_found() -> None:
    assert "dovetail.vector_stores.postgres" in LEAVES
    assert len(LEAVES) >= 14


@pytest.mark.parametrize("module", LEAVES)
def test_the_package_is_a_namespace_leaf(module: str) -> None:
    assert_namespace_leaf(importlib.import_module(module))
