"""What the commands share: the clock and environment, the loaded plan, and
the text formatting of schedules."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import zoneinfo
from pathlib import Path
from typing import TextIO

from mgplan._dates import DATE_RANGE, DATETIME_RANGE, within
from mgplan._errors import InvalidInputError, PlanFileError
from mgplan._journal import Journal, JournalEntries
from mgplan._planfile import PlanFile, journal_for, load_plan, placed
from mgplan._product import format_mg
from mgplan._schedule import Action, DayEntry, Decision, Phase, Schedule
from mgplan._text import table, wrap


def _today(tz: str) -> dt.date:
    """Today in the plan's zone, or $MGPLAN_TODAY (reproducible output,
    tests), else the date of $MGPLAN_NOW when that is set."""
    fixed = os.environ.get("MGPLAN_TODAY")
    if not fixed and os.environ.get("MGPLAN_NOW"):
        return _now(tz).date()
    if fixed:
        try:
            value = dt.date.fromisoformat(fixed)
        except ValueError:
            raise InvalidInputError(
                "MGPLAN_TODAY", "a date such as 2026-12-01", fixed
            ) from None
        if not within(value):
            raise InvalidInputError("MGPLAN_TODAY", DATE_RANGE, fixed)
        return value
    return dt.datetime.now(zoneinfo.ZoneInfo(tz)).date()


def _now(tz: str) -> dt.datetime:
    """Now in the plan's zone. $MGPLAN_NOW (an ISO date-time) fixes it; with
    only $MGPLAN_TODAY set it is noon of that day (tests, reproducible runs)."""
    zone = zoneinfo.ZoneInfo(tz)
    fixed = os.environ.get("MGPLAN_NOW")
    if fixed:
        try:
            value = dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise InvalidInputError(
                "MGPLAN_NOW", "a date-time such as 2026-12-01T22:30", fixed
            ) from None
        if not within(value):
            raise InvalidInputError("MGPLAN_NOW", DATETIME_RANGE, fixed)
        # An offset given is honoured, and the time read in the plan's zone.
        return (
            value.replace(tzinfo=zone)
            if value.tzinfo is None
            else value.astimezone(zone)
        )
    if os.environ.get("MGPLAN_TODAY"):
        return dt.datetime.combine(_today(tz), dt.time(12, 0), tzinfo=zone)
    return dt.datetime.now(zone)


def _local_zone() -> str:
    """This computer's IANA zone, or UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:  # pragma: no cover
        return "UTC"
    marker = "zoneinfo/"
    if marker in target:
        candidate = target.split(marker, 1)[1]
        try:
            zoneinfo.ZoneInfo(candidate)
            return candidate
        except (
            zoneinfo.ZoneInfoNotFoundError,
            ValueError,
            OSError,
        ):  # pragma: no cover
            pass
    return "UTC"


def _stamp() -> dt.datetime:
    """DTSTAMP: now, or $SOURCE_DATE_EPOCH for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidInputError(
                "SOURCE_DATE_EPOCH",
                "seconds since 1970 for a date before the year 10000",
                epoch,
            ) from None
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _Loaded:
    """A plan file with its journal; *date* is the evening asked about.

    Reports are checked against the real today (never *date*), so a report
    from the future is refused however the command is asked.
    """

    def __init__(self, path: Path, date: dt.date | None = None) -> None:
        self.path = path
        self.file: PlanFile = load_plan(path)
        self.journal: Journal = journal_for(path, self.file)
        self.entries: JournalEntries = self.journal.read()
        self.today = _today(self.file.regimen.tz)
        self.date = date or self.today

    def schedule(self, entries: JournalEntries | None = None) -> Schedule:
        entries = entries or self.entries
        try:
            return self.file.plan(entries, as_of=self.today)
        except PlanFileError:
            raise
        except InvalidInputError as exc:
            raise self.located(exc, entries) from None

    def located(self, exc: InvalidInputError, entries: JournalEntries) -> PlanFileError:
        """A planning error as the file's: an entry's by its journal line
        (undo takes it back), a setting's by its key in the plan file."""
        match = re.match(r"journal\[(\d+)\]\.?", exc.field)
        if match is None:
            return placed(self.path, exc)
        index = int(match.group(1))
        line = entries.lines[index] if index < len(entries.lines) else None
        field = exc.field[match.end() :] or "entry"
        expected = f"{exc.expected}; 'mgplan undo' takes an entry back"
        error = InvalidInputError(field, expected, exc.received)
        return PlanFileError.wrap(self.journal.path, error, line=line)


def _header(schedule: Schedule) -> str:
    r = schedule.regimen
    product, form = r.product, r.product.magnesium_form
    slots = ", ".join(
        f"{s.time:%H:%M}" + (f" {s.label}" if s.label else "") for s in r.slots
    )
    lines = [
        f"Plan {schedule.plan_id}: {product.name} ({form.name}, "
        f"{product.describe_units(1)} = {format_mg(product.elemental_per_unit)} "
        "elemental)",
        f"Evenings: {slots} ({r.tz})",
        f"Daily cap: {schedule.cap_reason}",
    ]
    if schedule.ceiling_mg is not None:
        lines.append(
            f"Ceiling: {format_mg(schedule.ceiling_mg)} a day "
            "(the most it schedules after side effects; a clinician may lift it)"
        )
    return "\n".join(lines)


def _consult_reasons(schedule: Schedule) -> list[Decision]:
    """The decisions that ask for a clinician since the last acknowledgement."""
    reasons: list[Decision] = []
    for decision in schedule.decisions:
        if decision.action is Action.CLINICIAN:
            reasons.clear()
        elif decision.consult_clinician:
            reasons.append(decision)
    return reasons


def _waiting_text(schedule: Schedule, today: dt.date, plan: str = "PLAN") -> str:
    """What a plan that waits past its last day waits for, and since when:
    the first day of its last run of paused (or stopped) days, not the
    last day planned."""
    since = schedule._waiting_since() or schedule.end
    if schedule._stopped_by_a_clash():
        return (
            f"The plan has been stopped since {since}: no evening keeps magnesium "
            "clear of the other medicines. Ask a pharmacist or clinician how to "
            f"space them, then change their times or the evening window in {plan}."
        )
    if schedule.waiting_for == "clinician":
        return (
            f"The plan has been stopped since {since}: no magnesium until a "
            f"clinician agrees ('mgplan clinician {plan} --name NAME --allows "
            "end-stop')."
        )
    restart = schedule.restart_from
    earliest = (
        f"; it restarts on {restart} at the earliest"
        if restart is not None and restart > today
        else ""
    )
    return (
        f"The plan has been paused since {since}: no magnesium until you record "
        f"that the symptoms have gone ('mgplan resolved {plan}'){earliest}."
    )


def _day_or_none(schedule: Schedule, date: dt.date) -> DayEntry | None:
    if schedule.start <= date <= schedule.end:
        return schedule.day(date)
    return None


def _tonight_line(schedule: Schedule, date: dt.date, plan: str = "PLAN") -> str:
    if date < schedule.start:
        return (
            f"On {date} the plan has not started: it starts on {schedule.start} "
            f"with {schedule.describe_dose(schedule.days[0])}."
        )
    if date > schedule.end:
        if schedule.waiting_for is not None:
            return f"No magnesium tonight ({date}).\n" + _wrap(
                _waiting_text(schedule, date, plan)
            )
        return f"On {date} the plan has ended: its last day was {schedule.end}."
    return f"Tonight ({date}): {schedule.describe_dose(schedule.day(date))}."


def _tonight(schedule: Schedule, today: dt.date, plan: str = "PLAN") -> str:
    entry = _day_or_none(schedule, today)
    if entry is None:
        return _tonight_line(schedule, today, plan)
    product = schedule.regimen.product
    form = product.magnesium_form.name
    if entry.phase is Phase.BASELINE:
        first = schedule.regimen.dose_start
        lines = [
            f"Baseline evening, {today:%A} {today}: no magnesium (it starts on "
            f"{first}). Rate your legs and sleep tonight: the review compares "
            "the weeks on magnesium with these nights."
        ]
    elif not entry.intakes:
        resume = next(
            (e.date for e in schedule.days if e.date > today and e.intakes), None
        )
        if entry.step:  # a dose tonight, but a clash leaves every intake out
            lines = [
                f"No magnesium tonight ({today}): no evening time keeps it clear "
                "of the other medicines, so every intake is left out"
                + (f"; the next evening with magnesium is {resume}." if resume else ".")
            ]
        else:
            lines = [
                f"No magnesium tonight ({today}): the plan is {entry.phase.value}"
                + (f" until {resume - dt.timedelta(1)}." if resume else ".")
            ]
        if resume is None and schedule.waiting_for is not None:
            lines.append(_wrap(_waiting_text(schedule, today, plan)))
    else:
        lines = [
            f"Tonight, {today:%A} {today} (step {entry.step} of "
            f"{len(schedule.ladder_mg)}, {entry.phase.value}): "
            f"{product.describe_units(entry.units)} = "
            f"{format_mg(entry.elemental_mg)} elemental magnesium"
        ]
        rows = [
            (
                f"  {i.at:%H:%M}",
                i.slot if i.slot != f"{i.at:%H:%M}" else "",
                product.describe_units(i.units),
                f"{format_mg(i.elemental_mg)} elemental",
                f"({i.compound_mg:.0f} mg {form})",
            )
            for i in entry.intakes
        ]
        lines.append(_table(rows, header=False))
        for i in entry.intakes:
            if i.moved_from is not None:
                lines.append(
                    f"  ({i.at:%H:%M} instead of {i.moved_from:%H:%M}, to "
                    "keep the distance from another medicine)"
                )
    review_day = schedule.review_date
    if review_day is not None and today >= review_day:
        lines.append(
            _wrap(
                f"Review day ({review_day}): is it helping? Run 'mgplan review' "
                "and go over it with a clinician."
            )
        )
    iron = [d for d in schedule.decisions if d.rule == "iron" and d.date <= today]
    if iron and iron[-1].suggestion:  # iron first: said until a result is good
        lines.append(_wrap(f"Iron: {iron[-1].message}"))
    decision = schedule.latest_decision(today)
    if decision is not None:
        lines.append(_wrap(f"Latest change ({decision.date}): {decision.message}"))
        if decision.suggestion:
            lines.append(_wrap(f"Suggestion: {decision.suggestion}"))
    return "\n".join(lines)


def _rows(schedule: Schedule, *, daily: bool) -> list[tuple[str, ...]]:
    """Table rows: a row per run of days alike (or per day), with its decision."""
    product = schedule.regimen.product
    decided: dict[dt.date, list[Decision]] = {}
    for decision in schedule.decisions:
        decided.setdefault(decision.date, []).append(decision)
    runs: list[list[DayEntry]] = []
    for entry in schedule.days:
        if (
            runs
            and not daily
            and entry.date not in decided
            and runs[-1][-1].phase == entry.phase
            and runs[-1][-1].units == entry.units
            and runs[-1][-1].missed == entry.missed
        ):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    rows: list[tuple[str, ...]] = [
        ("from", "to", "phase", "dose", "units", "compound", "decision")
    ]
    for run in runs:
        first, last = run[0], run[-1]
        note = " ".join(d.message for d in decided.get(first.date, ()))
        if first.missed:
            note = ("(missed) " + note).strip()
        rows.append(
            (
                str(first.date),
                str(last.date),
                first.phase.value,
                format_mg(first.elemental_mg) if first.intakes else "-",
                product.describe_units(first.units) if first.intakes else "-",
                f"{first.compound_mg:.0f} mg" if first.intakes else "-",
                note,
            )
        )
    return rows


def _text_chart(schedule: Schedule, width: int = 40) -> str:
    """A bar per run of days: the dose over time, with reports marked."""
    top = max(max(schedule.ladder_mg), 1.0)
    reported = {r.date for r in schedule.reports}
    lines = [
        f"Dose over time (full bar = {format_mg(top)}; ! = side effect "
        "reported, x = paused):"
    ]
    for row in _rows(schedule, daily=False)[1:]:
        start, end = dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])
        mg = schedule.day(start).elemental_mg
        bar = "█" * round(width * mg / top) if mg else "x"
        marks = "!" if any(start <= d <= end for d in reported) else " "
        lines.append(f"{start} {marks} {bar:<{width}} {format_mg(mg) if mg else ''}")
    return "\n".join(line.rstrip() for line in lines)


def _write_output(target: Path, data: bytes, summary: str, out: TextIO) -> int:
    """*data* to the file *target* (atomically), or to stdout for "-": then
    only the data goes to stdout, and the summary to stderr."""
    if str(target) == "-":
        out.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        print(f"Wrote {summary} to standard output.", file=sys.stderr)
        return 0
    from mgplan._atomic import write_atomic

    write_atomic(target, data)
    print(f"Wrote {target}: {summary}.", file=out)
    return 0


# The commands' names for the shared layout helpers.
_table = table
_wrap = wrap
