"""Which files ``dovetail ingest`` reads: known text types by default, ``--include``/``--exclude`` globs, links.

A folder holds more than text: images, archives, PostScript, generated ``.svg`` … Embedding those wastes the
model's time and fills answers with noise, so by default only files of known text types are read
(:data:`TEXT_TYPES`); ``--include`` replaces that list with the caller's globs and ``--exclude`` removes files
from either. Hidden files and folders are skipped. A symbolic link that resolves outside PATH is skipped (and
reported) unless ``--follow-symlinks`` is given. Globs match the path relative to PATH (``docs/*.md``,
``**/*.rst``); a glob without ``/`` also matches the bare file name (``*.md``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from fnmatch import fnmatchcase
from pathlib import Path

__all__ = ["TEXT_NAMES", "TEXT_TYPES", "Selection", "matches", "select_files"]

TEXT_TYPES = frozenset(
    [
        ".txt",
        ".text",
        ".md",
        ".markdown",
        ".mdx",
        ".rst",
        ".adoc",
        ".asciidoc",
        ".org",
        ".tex",
        ".rtf",
        ".textile",
        ".wiki",
        ".pod",
        ".man",
        ".html",
        ".htm",
        ".xhtml",
        ".xml",
        ".json",
        ".jsonl",
        ".csv",
        ".tsv",
        ".yaml",
        ".yml",
        ".toml",
        ".ini",
        ".cfg",
        ".conf",
        ".properties",
        ".env.example",
        ".py",
        ".pyi",
        ".ipynb",
        ".js",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".jsx",
        ".java",
        ".kt",
        ".scala",
        ".go",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".swift",
        ".m",
        ".rb",
        ".php",
        ".pl",
        ".lua",
        ".r",
        ".jl",
        ".sh",
        ".bash",
        ".zsh",
        ".fish",
        ".ps1",
        ".bat",
        ".sql",
        ".graphql",
        ".proto",
        ".css",
        ".scss",
        ".vue",
        ".svelte",
        ".el",
        ".clj",
        ".ex",
        ".exs",
        ".erl",
        ".hs",
        ".ml",
        ".dart",
        ".nim",
        ".zig",
        ".tf",
        ".gradle",
        ".cmake",
        ".mk",
        ".dockerfile",
        ".log",
    ]
)
"""File extensions read by default (lower case)."""

TEXT_NAMES = frozenset(
    [
        "README",
        "LICENSE",
        "LICENCE",
        "COPYING",
        "NOTICE",
        "AUTHORS",
        "CHANGELOG",
        "CHANGES",
        "HISTORY",
        "CONTRIBUTING",
        "INSTALL",
        "TODO",
        "Makefile",
        "Dockerfile",
        "Containerfile",
        "Procfile",
        "Gemfile",
        "Rakefile",
        "Vagrantfile",
        "Justfile",
    ]
)
"""File names without a known extension that are read by default."""


@dataclass
class Selection:
    """The files to read and what was left out, for the summary.

    Attributes:
        files: files to read, sorted.
        other_types: files skipped because their type is not a known text type (and no ``--include`` matched).
        excluded: files skipped by ``--exclude``.
        external_links: symbolic links skipped because they resolve outside PATH.
    """

    files: list[Path] = field(default_factory=list)
    other_types: list[Path] = field(default_factory=list)
    excluded: list[Path] = field(default_factory=list)
    external_links: list[Path] = field(default_factory=list)


def matches(relative: str, patterns: Sequence[str]) -> bool:
    """Whether the POSIX path ``relative`` matches one of the globs (see the module docstring)."""
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        bare = pattern.removeprefix("./")
        while bare.startswith("**/"):
            bare = bare[3:]
        if fnmatchcase(relative, pattern) or fnmatchcase(relative, bare):
            return True
        if "/" not in bare and fnmatchcase(name, bare):
            return True
        if relative.startswith(bare.rstrip("/") + "/"):  # a folder
            return True
    return False


def _known_text(path: Path) -> bool:
    suffix = path.suffix.lower()
    return suffix in TEXT_TYPES or (not suffix and path.name in TEXT_NAMES)


def _outside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return True
    return False


def select_files(
    root: Path, include: Sequence[str] = (), exclude: Sequence[str] = (), follow_symlinks: bool = False
) -> Selection:
    """The files under ``root`` (or ``root`` itself when it is a file) to ingest, and what was skipped."""
    selection = Selection()
    if root.is_file():
        selection.files.append(root)
        return selection
    real_root = root.resolve()
    for folder, dirs, names in os.walk(root, followlinks=follow_symlinks):
        base = Path(folder)
        kept = []
        for name in sorted(dirs):
            sub = base / name
            if name.startswith("."):
                continue
            if sub.is_symlink() and not follow_symlinks and _outside(sub, real_root):
                selection.external_links.append(sub)
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(names):
            path = base / name
            if name.startswith(".") or not path.is_file():
                continue
            relative = path.relative_to(root).as_posix()
            if exclude and matches(relative, exclude):
                selection.excluded.append(path)
            elif not (matches(relative, include) if include else _known_text(path)):
                selection.other_types.append(path)
            elif path.is_symlink() and not follow_symlinks and _outside(path, real_root):
                selection.external_links.append(path)
            else:
                selection.files.append(path)
    selection.files.sort()
    return selection
