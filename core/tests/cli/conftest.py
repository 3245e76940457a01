"""A clean ``Settings`` for every CLI test and a small corpus folder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from dovetail.core.settings import Settings


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The in-process CLI configures the ``dovetail`` logger (a handler on the captured stderr, no propagation);
    later tests must get it back as it was, or their ``caplog`` sees nothing and the handler writes to a closed
    stream."""
    logger = logging.getLogger("dovetail")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "sub").mkdir(parents=True)
    (root / "dovetail.md").write_text("# Dovetail\n\nA dovetail joint has pins and tails. It resists pulling apart.\n")
    (root / "sub" / "tenon.txt").write_text("A tenon fits into a mortise. Glue and a drawbore pin hold it.\n")
    (root / ".hidden.md").write_text("should never be indexed")
    return root
