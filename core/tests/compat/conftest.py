"""A clean ``Settings`` for every index test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dovetail.core.settings import Settings


@pytest.fixture(autouse=True)
def clean_settings() -> Iterator[None]:
    Settings.reset()
    yield
    Settings.reset()
