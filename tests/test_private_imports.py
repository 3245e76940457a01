"""Integrations build on dovetail-core's public modules only.

A published integration that imports a private core module (``dovetail.core._kwargs``,
``dovetail.core.vector_stores._types``) breaks when core reorganises its internals, even in a patch release.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _private_core_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.append(node.module)
        elif isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
    return [
        module
        for module in modules
        if module.startswith("dovetail.core.") and any(part.startswith("_") for part in module.split(".")[2:])
    ]


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from dovetail.core.storage._io import recover\nimport dovetail.core.keywords\n", "utf-8")
    assert _private_core_imports(sample) == ["dovetail.core.storage._io"]


def test_no_integration_imports_a_private_core_module() -> None:
    found = {
        str(path.relative_to(REPO)): private
        for path in sorted(REPO.glob("integrations/*/*/*/**/*.py"))
        if ".venv" not in path.parts and (private := _private_core_imports(path))
    }
    assert found == {}, f"import these from dovetail-core's public modules instead: {found}"
