"""Shared inputs and checks for the node parser tests."""

from __future__ import annotations

import ast
import random
import sysconfig
from pathlib import Path

import pytest


def _stdlib_docstrings(limit_chars: int) -> str:
    """Real prose+code text: docstrings of a few stdlib modules (deterministic), joined by blank lines."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    size = 0
    for name in ("argparse.py", "json/__init__.py", "textwrap.py", "pathlib.py", "subprocess.py", "typing.py"):
        path = root / name
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)):
                doc = ast.get_docstring(node)
                if doc:
                    parts.append(doc)
                    size += len(doc) + 2
                    if size >= limit_chars:
                        return "\n\n".join(parts)
    return "\n\n".join(parts)


@pytest.fixture(scope="session")
def docstring_text() -> str:
    return _stdlib_docstrings(120_000)


_WORDS = [
    "dovetail",
    "joint",
    "the",
    "a",
    "glue",
    "internationalization",
    "x",
    "Mr.",
    "e.g.",
    "3.14",
    "naïve",
    "Обработка",
    "自然语言",
    "__init__",
    "(see",
    "below)",
    "-->",
    "1234567",
]
_ENDS = [" ", " ", " ", ", ", ". ", "! ", "? ", "\n", "\n\n", "\n\n\n", "\n    ", "。", "; ", "  "]


def random_text(rng: random.Random, words: int) -> str:
    """Random text mixing words, sentence ends, paragraphs, indentation, CJK and very long words."""
    out: list[str] = []
    for _ in range(words):
        roll = rng.random()
        if roll < 0.01:
            out.append("".join(rng.choice("abcdefghij") for _ in range(rng.randint(50, 3000))))
        else:
            out.append(rng.choice(_WORDS))
        out.append(rng.choice(_ENDS) if rng.random() < 0.3 else " ")
    return "".join(out)


def assert_offsets_and_coverage(text: str, nodes: list) -> None:  # type: ignore[type-arg]
    """Each node's offsets index the source exactly; every non-space character is in some chunk."""
    covered = bytearray(len(text))
    for node in nodes:
        assert text[node.start_char_idx : node.end_char_idx] == node.text
        assert node.text == node.text.strip()
        assert node.text
        covered[node.start_char_idx : node.end_char_idx] = b"\x01" * (node.end_char_idx - node.start_char_idx)
    missing = [i for i, flag in enumerate(covered) if not flag and not text[i].isspace()]
    assert not missing, f"{len(missing)} characters lost, first at {missing[:5]}"
