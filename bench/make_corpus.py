"""Build the splitter/ingestion benchmark corpus: bench/.cache/corpus.txt, exactly 5,000,000 bytes of UTF-8.

The text is every docstring (module, class, function) of the running interpreter's standard library, in sorted
file order, joined by blank lines, repeated until long enough and cut at 5,000,000 bytes. When the cut lands
inside a multi-byte character, the partial character is replaced by spaces so the file stays valid UTF-8 and
exactly 5,000,000 bytes long. The stdlib differs between Python versions, so the corpus does too: the script
prints the interpreter version and the sha256 of the file it wrote.

Usage: ``python bench/make_corpus.py [--force]``
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import sys
import sysconfig
import warnings
from pathlib import Path

SIZE = 5_000_000
CORPUS = Path(__file__).resolve().parent / ".cache" / "corpus.txt"

_SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__"}


def _docstrings(path: Path) -> list[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=True)
            if doc and doc.strip():
                found.append(doc.strip())
    return found


def stdlib_docstrings() -> list[str]:
    """Every docstring of the stdlib's .py files (tests and site-packages excluded), in sorted file order."""
    root = Path(sysconfig.get_paths()["stdlib"])
    docs: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if _SKIP_DIRS & set(path.relative_to(root).parts[:-1]):
            continue
        docs.extend(_docstrings(path))
    return docs


def build_corpus(size: int = SIZE) -> bytes:
    """The corpus bytes: stdlib docstrings joined by blank lines, repeated and cut at ``size`` bytes."""
    unit = "\n\n".join(stdlib_docstrings()).encode("utf-8")
    if not unit:
        raise SystemExit("no docstrings found in the standard library")
    repeats = size // (len(unit) + 2) + 1
    blob = b"\n\n".join([unit] * repeats)[:size]
    text = blob.decode("utf-8", errors="ignore")  # drops a character cut in half at the end
    data = text.encode("utf-8")
    return data + b" " * (size - len(data))


def ensure_corpus(force: bool = False) -> Path:
    """Write the corpus unless it already exists with the right size; return its path."""
    if force or not CORPUS.exists() or CORPUS.stat().st_size != SIZE:
        CORPUS.parent.mkdir(parents=True, exist_ok=True)
        data = build_corpus()
        tmp = CORPUS.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(CORPUS)
    return CORPUS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if the corpus exists")
    args = parser.parse_args()
    path = ensure_corpus(force=args.force)
    data = path.read_bytes()
    print(
        f"{path} {len(data):,} bytes sha256={hashlib.sha256(data).hexdigest()[:16]} (Python {sys.version.split()[0]})"
    )


if __name__ == "__main__":
    main()
