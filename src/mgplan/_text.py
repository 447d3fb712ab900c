"""Plain-text layout shared by the command line and the review's text."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["signed", "table", "wrap"]


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
    """*text* in lines of at most 88 characters, broken at spaces only: a
    path or a command in it stays whole (a long one runs past the width), so
    it can be copied."""
    return textwrap.fill(
        text,
        width=88,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def signed(value: float) -> str:
    """A change to one decimal with its sign; one that rounds to nothing is
    "+0.0", not "-0.0".

    >>> signed(-0.04), signed(1.25), signed(-2.0)
    ('+0.0', '+1.2', '-2.0')
    """
    return f"{round(value, 1) + 0.0:+.1f}"
