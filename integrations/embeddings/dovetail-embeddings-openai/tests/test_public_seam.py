"""The package builds on ``dovetail-llms-openai`` through its public API only: no private module, name or member."""

from __future__ import annotations

import ast
from pathlib import Path

from dovetail.llms.openai.transport import OpenAIClientModel

SOURCE = Path(__file__).resolve().parents[1] / "src" / "dovetail" / "embeddings" / "openai"


def _trees() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(SOURCE.glob("*.py"))}


def test_only_public_modules_and_names_of_the_llm_package_are_imported() -> None:
    found = []
    for name, tree in _trees().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dovetail.llms.openai"):
                module = node.module or ""
                private = [part for part in module.split(".") if part.startswith("_")]
                private += [alias.name for alias in node.names if alias.name.startswith("_")]
                found += [f"{name}: from {module} import {part}" for part in private]
    assert found == []


def test_no_private_member_of_the_shared_client_model_is_used() -> None:
    inherited = {
        name
        for name in [*vars(OpenAIClientModel), *OpenAIClientModel.__private_attributes__]
        if name.startswith("_") and not name.startswith("__")
    }
    assert "_clients" in inherited  # the check below looks for something real
    used = sorted(
        f"{name}:{node.lineno} self.{node.attr}"
        for name, tree in _trees().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and node.attr in inherited
    )
    assert used == [], "use the public seam (open_clients, clients) of dovetail.llms.openai.transport"
