"""Plain-text layout shared by the command line and the review's text."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["table", "wrap"]


def table(rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    """Columns aligned; the last column is left to run on."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if header and index == 0:
            lines.append("  ".join("-" * w for w in [*widths, len(row[-1])]))
    return "\n".join(lines)


def wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(
        text, width=88, initial_indent=indent, subsequent_indent=indent + "  "
    )
