"""Commands about the plan itself: init, show, tonight, chart."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tomllib
import zoneinfo
from pathlib import Path
from typing import TextIO

from mgplan._errors import InvalidInputError, PlanFileError
from mgplan._planfile import read_plan, starter_plan
from mgplan._schedule import Schedule
from mgplan._words import DISCLAIMER, RED_FLAGS_TEXT

from ._common import (
    _consult_reasons,
    _day_or_none,
    _header,
    _Loaded,
    _local_zone,
    _now,
    _rows,
    _table,
    _text_chart,
    _today,
    _tonight,
    _tonight_line,
    _waiting_text,
    _wrap,
)


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    path: Path = args.path
    if path.exists() and not args.force:
        raise PlanFileError(
            path,
            "file",
            "a path with no file yet (or --force to overwrite)",
            str(path),
        )
    tz = args.tz or _local_zone()
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            "--tz", "an IANA time zone name such as 'Europe/Berlin'", tz
        ) from None
    start = args.start or _today(tz)
    text = starter_plan(start=start, tz=tz)
    if path.suffix.lower() == ".json":
        # A JSON plan has no comments: the same settings, without the notes.
        data = tomllib.loads(text)
        text = json.dumps(data, indent=2, ensure_ascii=False, default=_iso) + "\n"
    # What init writes must load: checked before anything is written, so a
    # refused start date never replaces a plan (--force) with a broken one.
    read_plan(path, text)
    from mgplan._atomic import write_atomic

    write_atomic(path, text.encode())
    print(
        f"Wrote {path}: edit the product and the ladder, then run "
        f"'mgplan show {path}'.",
        file=out,
    )
    return 0


def _iso(value: object) -> str:
    """A TOML date or time in JSON: its ISO text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a date or a time")


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    schedule = loaded.schedule()
    if args.json:
        print(schedule.to_json(), file=out)
        return 0
    print(_header(schedule), file=out)
    print(file=out)
    print(_tonight_line(schedule, loaded.date, str(args.plan)), file=out)
    print(file=out)
    rows = _rows(schedule, daily=args.daily)
    if args.daily:  # one day a row: "from" and "to" are the same date
        rows = [
            ("date", *row[2:]) if i == 0 else (row[0], *row[2:])
            for i, row in enumerate(rows)
        ]
    print(_table(rows), file=out)
    if schedule.suggestions:
        print(file=out)
        for suggestion in schedule.suggestions:
            print(f"Suggestion: {suggestion}", file=out)
    if schedule.consult_clinician:
        print(file=out)
        print("Talk to a clinician:", file=out)
        for decision in _consult_reasons(schedule):
            print(_wrap(f"- {decision.date}  {decision.message}", "  "), file=out)
    # Past the last day, the line about tonight has said it already.
    if schedule.waiting_for is not None and loaded.date <= schedule.end:
        print(file=out)
        print(_wrap(_waiting_text(schedule, loaded.date, str(args.plan))), file=out)
    print(file=out)
    print(_wrap(RED_FLAGS_TEXT), file=out)
    if args.chart:
        print(file=out)
        print(_text_chart(schedule), file=out)
    print(file=out)
    return 0


def cmd_tonight(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    schedule = loaded.schedule()
    # In the morning, tonight's night is still to come: the two before it.
    morning = args.date is None and _now(loaded.file.regimen.tz).hour < 12
    missing = _ratings_missing(schedule, loaded.date, morning=morning)
    if args.json:
        entry = _day_or_none(schedule, loaded.date)
        decision = schedule.latest_decision(loaded.date)
        data = {
            "date": loaded.date.isoformat(),
            "day": None if entry is None else entry.model_dump(mode="json"),
            "dose": None if entry is None else schedule.describe_dose(entry),
            "latest_decision": None
            if decision is None
            else decision.model_dump(mode="json"),
            "ratings_missing": [d.isoformat() for d in missing],
            "disclaimer": DISCLAIMER,
        }
        print(json.dumps(data, indent=2, ensure_ascii=False), file=out)
        return 0
    print(_tonight(schedule, loaded.date, str(args.plan)), file=out)
    if missing:
        nights = " and ".join(str(d) for d in missing)
        plural = "s" if len(missing) > 1 else ""
        print(_wrap(f"No ratings yet for the night{plural} after {nights}:"), file=out)
        # The command unwrapped, to copy as it is.
        print(
            f"  mgplan rls {args.plan} --date DATE --falling-asleep N --night N "
            "--day-rest N --sleep N  (each 0 to 10)",
            file=out,
        )
    return 0


def _ratings_missing(
    schedule: Schedule, today: dt.date, *, morning: bool = False
) -> list[dt.date]:
    """The evenings of the last two nights that can be rated, within the
    plan, without ratings: last night's and tonight's (rated at bedtime, as
    'mgplan rls' dates a rating from noon on), or in the *morning* the two
    nights before (tonight's has not come)."""
    rated = {r.date for r in schedule.ratings}
    last = today - dt.timedelta(1) if morning else today
    days = (last - dt.timedelta(1), last)
    return [d for d in days if schedule.start <= d <= schedule.end and d not in rated]


def cmd_chart(args: argparse.Namespace, out: TextIO) -> int:
    from mgplan._chart import draw

    loaded = _Loaded(args.plan)
    draw(loaded.schedule(), args.output)
    print(f"Wrote {args.output}.", file=out)
    return 0
