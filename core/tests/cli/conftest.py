"""A small corpus folder for the CLI tests (``core/tests/conftest.py`` resets ``Settings`` around each test; the
repository ``conftest.py`` restores the ``dovetail`` logger the in-process CLI configures)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "dovetail.md").write_text("# Dovetail\n\nA dovetail joint has pins and tails. It resists pulling apart.\n")
    (root / "sub" / "tenon.txt").write_text("A tenon fits into a mortise. Glue and a drawbore pin hold it.\n")
    (root / ".hidden.md").write_text("should never be indexed")
    return root
