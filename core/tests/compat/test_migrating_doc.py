"""``docs/MIGRATING.md`` stays true: every ``python`` block in it runs, and the module paths it lists import."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[3] / "docs" / "MIGRATING.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_document_has_examples() -> None:
    assert len(_blocks()) >= 2


@pytest.mark.parametrize("number", range(len(_blocks())))
def test_example_runs(number: int) -> None:
    code = _blocks()[number]
    exec(compile(code, f"{DOC.name}[block {number}]", "exec"), {"__name__": f"migrating_{number}"})


def _listed(pattern: str, after: str, until: str) -> list[str]:
    """The ``pattern`` matches in the text between ``after`` and the next ``until`` in the document."""
    section = DOC.read_text(encoding="utf-8").split(after, 1)[1].split(until, 1)[0]
    return re.findall(pattern, section)


def test_listed_module_paths_import() -> None:
    paths = _listed(r"`([a-z_.]+)`", "The module paths users", "\n\n")
    assert len(paths) > 20
    for path in paths:
        importlib.import_module(f"dovetail.core.{path}")


def test_listed_top_level_names_exist() -> None:
    import dovetail.core

    names = _listed(r"`([A-Za-z_]+)`", "exported lazily from `dovetail.core`", "The module paths")
    assert len(names) > 10
    for name in names:
        assert name in dovetail.core.__all__, name
