"""Commands that export the calendar: ics and sync. They import icalendar
(and the CalDAV client) only when run."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from mgplan._errors import InvalidInputError
from mgplan._planfile import PlanFile

from ._common import _Loaded, _stamp, _wrap, _write_output

if TYPE_CHECKING:  # ics imports icalendar: never at start-up
    from mgplan.ics import CalendarOptions


def cmd_ics(args: argparse.Namespace, out: TextIO) -> int:
    from mgplan import ics

    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    options = _export_options(args, loaded.file)
    contents = ics._contents(schedule, **ics._with_defaults(options))
    data = ics._write(contents)
    # (is a task, is cancelled) -> how many
    counts = Counter((item.todo, gone) for item, _, _, gone in contents.rendered())
    parts = []
    for todo, word in ((False, "events"), (True, "tasks")):
        gone = counts[todo, True]
        found = counts[todo, False] + gone
        if found or not todo:
            parts.append(f"{found} {word}" + (f" ({gone} cancelled)" if gone else ""))
    summary = ", ".join(parts)
    return _write_output(args.output, data, summary, out)


def cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from mgplan import caldav

    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    url = args.url or os.environ.get(caldav.ENV_URL) or loaded.file.calendar.caldav_url
    if not url:
        raise InvalidInputError(
            "--url",
            f"the calendar's URL: --url, ${caldav.ENV_URL} or calendar.caldav_url "
            "in the plan file",
        )
    password = os.environ.get(caldav.ENV_PASSWORD)
    username = args.username or os.environ.get(caldav.ENV_USERNAME)
    if password is None and username and sys.stdin.isatty():
        password = getpass.getpass(f"CalDAV password for {username}: ")
    options = _export_options(args, loaded.file)
    if args.push_only:
        result = caldav.sync(
            schedule, url, username=username, password=password, **options
        )
        print(f"Synced to {result.url}: {result}.", file=out)
        return 0
    result = caldav.sync(
        schedule,
        url,
        journal=loaded.journal,
        replan=loaded.schedule,
        today=loaded.today,
        username=username,
        password=password,
        **options,
    )
    for line in result.lines():
        print(_wrap(line[2:], "  ") if line.startswith("  ") else line, file=out)
    return 0


def _export_options(args: argparse.Namespace, file: PlanFile) -> CalendarOptions:
    settings = file.calendar
    minutes = args.alarm if args.alarm is not None else settings.alarm_minutes_before
    if not 0 <= minutes <= 720:
        raise InvalidInputError("--alarm", "0 to 720 minutes before the dose", minutes)
    return {
        "alarm_before": dt.timedelta(minutes=minutes),
        "compact": settings.compact if args.compact is None else args.compact,
        "refill": settings.refill if args.refill is None else args.refill,
        "refill_days_ahead": settings.refill_days_ahead
        if args.refill_days is None
        else args.refill_days,
        "title": settings.title if args.title is None else args.title,
        "items": settings.items if args.items is None else args.items,
        "name": args.name or settings.name,
        "stamp": _stamp(),
    }
