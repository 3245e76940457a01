"""Plain-text tables for the CLI's listings."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["write_table"]


def write_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Write ``header`` and ``rows`` to stdout as left-aligned columns separated by two spaces."""
    table = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[col]) for row in table) for col in range(len(header))]
    for row in table:
        sys.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() + "\n")
