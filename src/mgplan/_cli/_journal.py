"""Commands about the journal: report, skipped (missed), taken, rls, stools,
ferritin, resolved, clinician and undo append one entry each, checked against
the journal under the journal's lock; journal lists the entries."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Callable
from typing import TextIO, TypeVar

from mgplan._dates import EARLIEST
from mgplan._errors import InvalidInputError, PlanFileError
from mgplan._journal import AnyEntry, JournalEntries
from mgplan._outcomes import Ferritin, RlsRating, Stools, Taken
from mgplan._schedule import Phase, Schedule
from mgplan._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    SideEffectReport,
    live_positions,
)

from . import EXIT_USAGE
from ._common import _day_or_none, _Loaded, _now, _wrap

_E = TypeVar("_E")


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    if args.severity is None and args.stools is None and args.bristol is None:
        raise InvalidInputError(
            "--severity",
            "a severity (mild, moderate, severe), or --stools and/or --bristol "
            "to grade it",
            None,
        )
    evening, why = args.evening, "as given"
    if evening is None:
        if args.date is not None:
            evening, why = args.date - dt.timedelta(1), "the evening before --date"
        else:
            evening = _latest_evening(loaded)
            why = "the latest evening whose first intake time has passed"
    entry = _entry(
        SideEffectReport,
        date=loaded.date,
        dose_date=evening,
        symptom=args.symptom,
        severity=args.severity,
        stools_above_baseline=args.stools,
        bristol=args.bristol,
        note=args.note,
    )
    print(f"About the evening of {evening.isoformat()} ({why}).", file=out)
    return _log(loaded, entry, entry.describe(), out)


def _entry(make: Callable[..., _E], *args: object, **fields: object) -> _E:
    """An entry from the command's values; a field's error named by its option."""
    try:
        return make(*args, **fields)
    except InvalidInputError as exc:
        raise _as_option(exc) from None


def _as_option(exc: InvalidInputError) -> InvalidInputError:
    """A report's field error, named by the option that set it."""
    options = {
        "bristol": "--bristol",
        "stools_above_baseline": "--stools",
        "dose_date": "--evening",
        "severity": "--severity",
        "note": "--note",
        "units": "--units",
        "falling_asleep": "--falling-asleep",
        "night": "--night",
        "day_rest": "--day-rest",
        "sleep_satisfaction": "--sleep",
        "irls_total": "--irls",
        "count": "--count",
        "ng_ml": "--ng-ml",
        "tsat_percent": "--tsat",
        "date": "--date",
    }
    name = exc.field.rsplit(".", 1)[-1]
    return InvalidInputError(options.get(name, exc.field), exc.expected, exc.received)


def _latest_evening(loaded: _Loaded) -> dt.date:
    """The latest evening whose first intake time has passed, as of now."""
    now = _now(loaded.file.regimen.tz)
    today = now.date()
    schedule = loaded.schedule()
    entry = _day_or_none(schedule, today)
    if entry is not None and entry.intakes:
        first = entry.intakes[0].at.time()
    else:
        first = min(slot.time for slot in loaded.file.regimen.slots)
    return today if now.time() >= first else today - dt.timedelta(1)


def cmd_missed(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = MissedDose(date=loaded.date, note=args.note)
    return _log(loaded, entry, entry.describe(), out)


def cmd_resolved(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = Resolved(date=loaded.date, note=args.note)
    return _log(loaded, entry, entry.describe(), out)


def cmd_clinician(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    try:
        entry = ClinicianAck(
            date=loaded.date, clinician=args.name, allows=args.allows, note=args.note
        )
    except InvalidInputError as exc:
        raise InvalidInputError("--name", exc.expected, exc.received) from None
    return _log(loaded, entry, entry.describe(), out)


def cmd_undo(args: argparse.Namespace, out: TextIO) -> int:
    # Never plans before appending: undo must work on a journal the plan
    # refuses (a hand-edited line, an older version's entry).
    loaded = _Loaded(args.plan)
    log = loaded.entries.log
    live = live_positions(log)
    if not live:  # whether or not --entry names one
        raise InvalidInputError(
            "journal", "an entry to take back", "no entry that counts"
        )
    if args.entry is None:
        index = max(live)
    else:
        index = args.entry - 1
        if index not in live:
            raise InvalidInputError(
                "--entry",
                f"the position of an entry that counts (1 to {len(log)}, not a "
                "retraction or an entry already taken back)",
                args.entry,
            )
    target = log[index]
    entry = Retracted(date=loaded.today, entry=index + 1, note=args.note)
    loaded.journal.append(entry, check=lambda joined: live_positions(joined.log))
    line = loaded.entries.lines[index] if index < len(loaded.entries.lines) else None
    where = f" (line {line})" if line is not None else ""
    print(
        f"Took back entry {index + 1}{where}: {target.describe()}.",
        file=out,
    )
    try:
        after = _Loaded(args.plan).schedule()
    except PlanFileError as exc:
        print(f"The journal still has a problem: {exc}", file=out)
        return EXIT_USAGE
    tonight = _day_or_none(after, loaded.today)
    if tonight is not None:
        print(f"Tonight: {after.describe_dose(tonight)}.", file=out)
    return 0


def _log(loaded: _Loaded, entry: AnyEntry, what: str, out: TextIO) -> int:
    start = loaded.file.regimen.start_date
    since = f"the plan's start ({start})"
    if isinstance(entry, Ferritin):  # a test from before the plan is why it starts
        start = EARLIEST
        since = start.isoformat()
    if not start <= entry.date <= loaded.today:
        raise InvalidInputError(
            "--date",
            f"a date from {since} to today ({loaded.today})",
            entry.date.isoformat(),
        )
    before = loaded.schedule()
    # Plan with the entry, under the journal's lock, against what the journal
    # holds then: an entry the plan refuses is never logged, even if another
    # command appended in the meantime.
    plans: list[Schedule] = []

    def check(entries: JournalEntries) -> None:
        try:
            plans.append(loaded.file.plan(entries, as_of=loaded.today))
        except PlanFileError:
            raise
        except InvalidInputError as exc:
            # The entry being logged is the journal's last: named by the
            # option that set it, with no word of 'undo' (it is not logged).
            new = f"journal[{len(entries.log) - 1}]"
            if exc.field.startswith(f"{new}."):
                raise _as_option(exc) from None
            raise loaded.located(exc, entries) from None  # the journal's own

    loaded.journal.append(entry, check=check)
    after = plans[-1]
    print(f"Logged in {loaded.journal.path}: {what}.", file=out)
    known = set(before.decisions)
    new = [d for d in after.decisions if d not in known]
    if new:
        print("What changed:", file=out)
        for decision in new:
            print(_wrap(f"{decision.date}  {decision.message}", "  "), file=out)
            if decision.suggestion:
                print(_wrap(f"Suggestion: {decision.suggestion}", "  "), file=out)
    else:
        print("The plan does not change.", file=out)
    old_day, new_day = _day_or_none(before, entry.date), _day_or_none(after, entry.date)
    if new_day is not None:
        was = ""
        if old_day is not None and old_day.elemental_mg != new_day.elemental_mg:
            was = f", was {before.describe_dose(old_day)}"
        print(f"On {entry.date}: {after.describe_dose(new_day)}{was}.", file=out)
        if isinstance(entry, Taken | MissedDose) and not new_day.intakes:
            print(_wrap(_no_dose_that_evening(entry, new_day.phase)), file=out)
    return 0


def _no_dose_that_evening(entry: Taken | MissedDose, phase: Phase) -> str:
    """A dose taken (or skipped) on an evening the plan has none: logged as
    said, with what it means."""
    if isinstance(entry, MissedDose):
        return f"The plan has no dose that evening ({phase.value}): nothing to skip."
    if phase in (Phase.PAUSED, Phase.STOPPED):
        return (
            f"The plan has no magnesium that evening ({phase.value}): it is not "
            "counted as a dose. If you took some during the pause, tell your "
            "clinician."
        )
    return (  # a trial's off block (the baseline refuses a dose taken)
        f"The plan has no magnesium that evening ({phase.value}): it is not "
        "counted as a dose, and magnesium then blurs the trial's comparison."
    )


def cmd_taken(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    tz = loaded.file.regimen.tz
    if args.date is not None:
        entry = _entry(Taken, date=args.date, units=args.units, note=args.note)
    else:
        at = args.at if args.at is not None else _now(tz)
        boundary = loaded.file.regimen.day_boundary
        entry = _entry(
            Taken.at_time, at, tz, boundary=boundary, units=args.units, note=args.note
        )
    return _log(loaded, entry, entry.describe(), out)


def cmd_rls(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    date = args.date
    if date is None:  # a morning rating is about last night
        now = _now(loaded.file.regimen.tz)
        date = now.date() - dt.timedelta(1) if now.hour < 12 else now.date()
    entry = _entry(
        RlsRating,
        date=date,
        falling_asleep=args.falling_asleep,
        night=args.night,
        day_rest=args.day_rest,
        sleep_satisfaction=args.sleep,
        irls_total=args.irls,
        note=args.note,
    )
    return _log(loaded, entry, entry.describe(), out)


def cmd_stools(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = _entry(
        Stools, date=loaded.date, count=args.count, bristol=args.bristol, note=args.note
    )
    return _log(loaded, entry, entry.describe(), out)


def cmd_ferritin(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = _entry(
        Ferritin,
        date=loaded.date,
        ng_ml=args.ng_ml,
        tsat_percent=args.tsat,
        note=args.note,
    )
    return _log(loaded, entry, entry.describe(), out)


def cmd_journal(args: argparse.Namespace, out: TextIO) -> int:
    # Lists without planning: it must work on a journal the plan refuses.
    loaded = _Loaded(args.plan)
    log, lines = loaded.entries.log, loaded.entries.lines
    live = live_positions(log)
    taken_back = {
        e.entry - 1: i + 1 for i, e in enumerate(log) if isinstance(e, Retracted)
    }
    if args.json:
        rows = [
            {
                "position": i + 1,
                "line": lines[i] if i < len(lines) else None,
                "counts": i in live,
                "taken_back_by": taken_back.get(i),
                "entry": json.loads(entry.model_dump_json()),
            }
            for i, entry in enumerate(log)
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
        return 0
    if not log:
        print(f"The journal {loaded.journal.path} is empty.", file=out)
        return 0
    width = max(len(entry.kind) for entry in log)  # "side-effect" and all
    for i, entry in enumerate(log):
        text = f"{entry.date}  {entry.kind:<{width}}  {entry.describe()}"
        if getattr(entry, "source", ()):
            text += " [from the calendar]"  # read back by mgplan sync
        if i in taken_back:
            # Struck through (U+0336), and said in words for screen readers.
            text = "".join(c + "\u0336" for c in text) + (
                f"  [taken back by entry {taken_back[i]}]"
            )
        print(f"{i + 1:>4}  {text}", file=out)  # one line each, for grep
    return 0
