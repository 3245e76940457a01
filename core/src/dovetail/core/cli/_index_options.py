"""The ``--index`` and ``--top-k`` options of the commands that read an index (``query``, ``eval``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from dovetail.core.cli._errors import CLIError
from dovetail.core.cli._ingest import DEFAULT_INDEX_DIR

__all__ = ["add_index_options", "existing_index_dir"]


def add_index_options(parser: argparse.ArgumentParser, top_k_help: str) -> None:
    """Add ``--index DIR`` (default ``DEFAULT_INDEX_DIR``) and ``--top-k N`` (default 3)."""
    parser.add_argument(
        "--index", default=DEFAULT_INDEX_DIR, metavar="DIR", help=f"index directory ({DEFAULT_INDEX_DIR})"
    )
    parser.add_argument("--top-k", type=int, default=3, metavar="N", help=top_k_help)


def existing_index_dir(args: argparse.Namespace) -> Path:
    """``--index`` as a path, once ``--top-k`` is valid and the directory exists.

    Raises:
        CLIError: ``--top-k`` below 1, or no directory at ``--index`` (with the command that builds one).
    """
    if args.top_k < 1:
        msg = "--top-k must be at least 1"
        raise CLIError(msg)
    index_dir = Path(args.index)
    if not index_dir.is_dir():
        msg = f"no index at {index_dir}; build one first with: dovetail ingest PATH --index {index_dir}"
        raise CLIError(msg)
    return index_dir
