"""The dates mgplan accepts, wherever they come from: a plan file, the journal,
a command-line argument or the environment.

The range is far beyond any real plan, and far enough from the calendar's
year 9999 that every date computed from one (a plan's days, the evening
before, a calendar's next year) exists. Nothing here needs the model layer,
so the command line checks its date arguments before it imports pydantic.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["DATETIME_RANGE", "DATE_RANGE", "EARLIEST", "LATEST", "within"]

EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2199, 12, 31)
DATE_RANGE = f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}"
"""What a date out of range is told it should be."""
DATETIME_RANGE = f"a date and time from {EARLIEST.isoformat()} to {LATEST.isoformat()}"
"""What a date-time out of range is told it should be."""


def within(day: dt.date) -> bool:
    """Whether *day* (or a date-time's date) is in mgplan's range."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return EARLIEST <= day <= LATEST
