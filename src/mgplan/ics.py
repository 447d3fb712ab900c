"""Export a schedule to iCalendar (RFC 5545) for evening reminders.

Pure functions of the schedule: ``to_calendar`` builds an
``icalendar.Calendar``, ``to_ics`` its bytes, ``write_ics`` a file (atomically).

Calendars update cleanly when a plan is regenerated:

- each intake's UID comes from the plan id, the date and the slot, so the
  same intake keeps its UID;
- SEQUENCE counts how often an event's content changed as the plan's reports
  arrived, one after another, so calendar apps accept the newer version;
- intakes an earlier version of the plan had and this one has not (a pause, a
  plan that now ends sooner) are kept as ``STATUS:CANCELLED`` with their UID.

>>> import datetime as dt, mgplan
>>> from mgplan import ics
>>> product = mgplan.Product(name="Gly", form="glycinate", amount_per_unit=100)
>>> regimen = mgplan.Regimen(id="demo", product=product,
...                          start_date=dt.date(2026, 12, 1), tz="Europe/Berlin",
...                          end_date=dt.date(2026, 12, 31))
>>> calendar = ics.to_calendar(mgplan.plan(regimen))
>>> calendar.events[0]["SUMMARY"]
vText(b'Magnesium bisglycinate: 1 capsule (100 mg elemental)')
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import os
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypedDict, get_args

import icalendar

from ._atomic import write_atomic
from ._engine import plan_history
from ._errors import InvalidInputError, MgplanWarning
from ._model import control_characters
from ._outcomes import RATING_SCALES
from ._placement import local_time
from ._product import Product, format_mg
from ._regimen import DEFAULT_PLAN_ID
from ._schedule import (
    DISCLAIMER,
    RED_FLAGS_SHORT,
    Decision,
    Intake,
    Phase,
    Schedule,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "CANCELLED_SUMMARY",
    "DEFAULT_DURATION",
    "DEFAULT_REFILL_DAYS",
    "PRODID",
    "UID_DOMAIN",
    "CalendarOptions",
    "Items",
    "Title",
    "to_calendar",
    "to_ics",
    "uid_for",
    "write_ics",
]

PRODID = "-//mgplan//mgplan evening magnesium plan//EN"
UID_DOMAIN = "mgplan"
# A reminder, not an appointment: short enough not to crowd a calendar view.
DEFAULT_DURATION = dt.timedelta(minutes=15)
# Days before a container runs out that its refill reminder comes (a
# convention: time to buy or order the next one).
DEFAULT_REFILL_DAYS = 5
# An all-day refill reminder's alarm: 09:00 on its day.
_REFILL_ALARM = dt.timedelta(hours=9)
CANCELLED_SUMMARY = "Cancelled \u2014 no magnesium this evening"

Items = Literal["events", "tasks", "both"]
"""What ``to_calendar`` writes for the doses: events, tasks (VTODO), or both."""

Title = Literal["form", "product"]

# Our own properties, so a sync can tell mgplan's events from others'.
PLAN_PROPERTY = "X-MGPLAN-PLAN"
HASH_PROPERTY = "X-MGPLAN-HASH"


def uid_for(plan_id: str, date: dt.date, slot_index: int) -> str:
    """The stable UID of one intake.

    >>> uid_for("glycinate-demo", dt.date(2026, 12, 1), 0)
    'glycinate-demo-20261201-s0@mgplan'
    """
    return f"{plan_id}-{_basic(date)}-s{slot_index}@{UID_DOMAIN}"


def _basic(date: dt.date) -> str:
    """``20261201``, as ``%Y%m%d`` writes a plan's dates (four-digit years:
    regimens start from 1970 to 2199) in a quarter of strftime's time; a
    calendar's history makes thousands of UIDs."""
    return date.isoformat().replace("-", "")


def _step_uid(plan_id: str, start: dt.date, slot_index: int) -> str:
    return f"{plan_id}-step-{_basic(start)}-s{slot_index}@{UID_DOMAIN}"


def pause_task_uid(plan_id: str, first: dt.date) -> str:
    """The UID of the task of a pause that began on *first*.

    >>> pause_task_uid("glycinate-demo", dt.date(2027, 1, 14))
    'glycinate-demo-pause-20270114-task@mgplan'
    """
    return f"{plan_id}-pause-{_basic(first)}-task@{UID_DOMAIN}"


def _refill_uid(plan_id: str, container: int) -> str:
    return f"{plan_id}-refill-{container}@{UID_DOMAIN}"


# The kinds of items that are not doses (``_Event.kind``): the type makes a
# new kind one of these, so that its cancelled text is known as mgplan's own.
_OtherKind = Literal[
    "refill reminder",
    "review",
    "baseline evening",
    "trial block",
    "pause notice",
]
_OTHER_KINDS: tuple[_OtherKind, ...] = get_args(_OtherKind)


@dataclass(frozen=True, slots=True)
class _Event:
    """What an exported event says; equal events need no update."""

    uid: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    summary: str
    description: str
    until: dt.datetime | None = None
    todo: bool = False  # a VTODO (a dose task), not a VEVENT
    # What the item is when it is not a dose ("refill reminder", "review"):
    # once cancelled it says so, and not "no magnesium this evening", which
    # on a refill's day could be an evening with a dose.
    kind: _OtherKind | Literal[""] = ""

    def fingerprint(self, *extra: object) -> str:
        """A short hash of the content, plus *extra* (sequence, alarm, status)."""
        parts = (
            self.start,
            self.end,
            self.summary,
            self.description,
            self.until,
            # Only for tasks, so events keep the hashes they were synced with.
            *(("todo",) if self.todo else ()),
            *extra,
        )
        text = "\x1f".join(str(x) for x in parts)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def to_calendar(
    schedule: Schedule,
    *,
    alarm_before: dt.timedelta | None = dt.timedelta(0),
    duration: dt.timedelta = DEFAULT_DURATION,
    name: str | None = None,
    title: Title = "form",
    refill: bool = False,
    refill_days_ahead: int = DEFAULT_REFILL_DAYS,
    compact: bool = False,
    items: Items = "events",
    stamp: dt.datetime | None = None,
) -> icalendar.Calendar:
    """The schedule as a calendar: one event per intake, or per dose step.

    *alarm_before* is how long before each dose its display reminder fires
    (zero: at the dose; None: no reminder). *title* names the event after the
    salt (``"form"``: "Magnesium bisglycinate: ...") or the product
    (``"product"``). *compact* makes one recurring event per dose step and
    slot instead of one per intake. *refill* adds an all-day reminder, with
    an alarm, *refill_days_ahead* days before each container runs out.
    *stamp* is the DTSTAMP (default: midnight UTC of ``schedule.as_of``, or of
    the start date, so output is reproducible). *items* chooses events
    (``"events"``), one to-do per intake (``"tasks"``: VTODO, DUE at the dose
    time, never repeating, since clients complete repeating tasks
    differently), or ``"both"``.
    """
    contents = _contents(
        schedule,
        alarm_before=alarm_before,
        duration=duration,
        name=name,
        title=title,
        refill=refill,
        refill_days_ahead=refill_days_ahead,
        compact=compact,
        items=items,
        stamp=stamp,
    )
    return _calendar(contents)


@dataclass(frozen=True)
class _Contents:
    """What a calendar of a schedule holds, before it is written out."""

    schedule: Schedule
    name: str | None
    current: dict[str, _Event]
    sequences: dict[str, int]
    cancelled: list[_Event]
    lines: frozenset[str]
    stamp: dt.datetime
    alarm: dt.timedelta | None  # the TRIGGER: minus alarm_before

    def rendered(self) -> Iterator[tuple[_Event, int, dt.timedelta | None, bool]]:
        """Each item with its SEQUENCE, alarm and whether it is cancelled."""
        for event in self.current.values():
            yield event, self.sequences.get(event.uid, 0), self.alarm, False
        for event in self.cancelled:
            yield event, self.sequences[event.uid], None, True


def _to_calendar(
    schedule: Schedule, *, own_lines: bool = False, **options: Unpack[CalendarOptions]
) -> tuple[icalendar.Calendar, frozenset[str]]:
    """``to_calendar``'s calendar, and with *own_lines* every line of every
    description this plan's versions gave its items (what a sync knows as
    its own text; empty without)."""
    contents = _contents(schedule, own_lines=own_lines, **_with_defaults(options))
    return _calendar(contents), contents.lines


def _calendar(contents: _Contents) -> icalendar.Calendar:
    """*contents* as icalendar components (``_write`` writes the same bytes)."""
    schedule, stamp = contents.schedule, contents.stamp
    calendar = _shell(contents)
    for event, sequence, alarm, cancelled in contents.rendered():
        render = _vtodo if event.todo else _vevent
        calendar.add_component(
            render(event, schedule, sequence, stamp, alarm, cancelled=cancelled)
        )
    _add_timezone(calendar, schedule)
    return calendar


def _contents(
    schedule: Schedule,
    *,
    alarm_before: dt.timedelta | None,
    duration: dt.timedelta,
    name: str | None,
    title: Title,
    refill: bool,
    refill_days_ahead: int,
    compact: bool,
    items: Items,
    stamp: dt.datetime | None,
    own_lines: bool = False,
) -> _Contents:
    """What the calendar holds; every option given (``_with_defaults``)."""
    _check_options(
        items=items,
        alarm_before=alarm_before,
        duration=duration,
        name=name,
        title=title,
        refill=refill,
        refill_days_ahead=refill_days_ahead,
        compact=compact,
        stamp=stamp,
    )
    if not any(entry.intakes for entry in schedule.days):
        raise InvalidInputError(
            "schedule.days",
            "a schedule with at least one intake",
            "a schedule with no intake on any day (paused, stopped, or every "
            "intake left out)",
        )
    if stamp is None:
        day = schedule.as_of or schedule.start
        stamp = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    stamp = stamp.astimezone(dt.UTC)  # DTSTAMP is in UTC (RFC 5545 3.8.7.2)
    if not schedule.regimen.typed("id"):
        warnings.warn(
            MgplanWarning(
                f"Regimen.id is not set, so calendar UIDs use '{DEFAULT_PLAN_ID}': "
                "two plans without an id in one calendar overwrite each other's "
                "reminders. Set an id (mgplan init writes a unique one)."
            ),
            stacklevel=3,  # to_calendar's or to_ics's caller
        )

    def build(version: Schedule, since: dt.date | None = None) -> dict[str, _Event]:
        """The items of *version* of the plan (from *since* on, where given)."""
        events = _items(
            version, duration, since, compact=compact, title=title, items=items
        )
        events.update(_review_events(version))  # one event: built whole
        events.update(_trial_events(version))
        events.update(_baseline_events(version))
        events.update(_pause_events(version, items))
        if refill:
            # Refills depend on every day before them: always built whole.
            events.update(_refill_events(version, refill_days_ahead))
        return events

    current = build(schedule)
    sequences, cancelled, lines = _history(schedule, current, build, own_lines)
    if own_lines:
        lines.update(_cancelled_text("task").split("\n"))
        lines.update(_cancelled_text("reminder").split("\n"))
        for kind in _OTHER_KINDS:
            lines.update(_cancelled_other(kind)[1].split("\n"))
    return _Contents(
        schedule,
        name,
        current,
        sequences,
        cancelled,
        frozenset(lines),
        stamp,
        None if alarm_before is None else -alarm_before,
    )


def _shell(contents: _Contents) -> icalendar.Calendar:
    """The calendar's own properties, without its components."""
    schedule = contents.schedule
    product = schedule.regimen.product
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name=_safe(contents.name or f"Magnesium: {product.name}"),
        description=(
            f"Evening magnesium plan {schedule.plan_id} made with mgplan. " + DISCLAIMER
        ),
        calscale="GREGORIAN",
        uid=f"{schedule.plan_id}@{UID_DOMAIN}",
    )
    calendar.add("X-WR-TIMEZONE", schedule.regimen.tz)
    return calendar


def _add_timezone(calendar: icalendar.Calendar, schedule: Schedule) -> None:
    """Add the VTIMEZONE the events' TZID needs (RFC 5545 3.2.19).

    Only the plan's own zone is used, so there is no need to scan every event
    for zones; the VTIMEZONE covers the plan's whole years.
    """
    first = next(schedule.intakes()).at
    probe = icalendar.Event.new(start=first)
    tzid = probe["DTSTART"].params.get("TZID")
    if tzid is None:  # UTC: written with a "Z", no VTIMEZONE
        return
    timezone = icalendar.Timezone.from_tzid(
        tzid,
        first_date=dt.date(schedule.start.year, 1, 1),
        last_date=dt.date(schedule.end.year + 1, 1, 1),
    )
    calendar.subcomponents.insert(0, timezone)


class CalendarOptions(TypedDict, total=False):
    """The keyword arguments of ``to_calendar``, for the functions that pass
    them on (``to_ics``, ``write_ics``, ``caldav.sync``)."""

    alarm_before: dt.timedelta | None
    duration: dt.timedelta
    name: str | None
    title: Title
    refill: bool
    refill_days_ahead: int
    compact: bool
    items: Items
    stamp: dt.datetime | None


def _with_defaults(options: Mapping[str, Any]) -> dict[str, Any]:
    """*options* with ``to_calendar``'s defaults for the ones not given."""
    return {**_DEFAULTS, **options}


_DEFAULTS: dict[str, Any] = {
    name: parameter.default
    for name, parameter in inspect.signature(to_calendar).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
}


def to_ics(schedule: Schedule, **options: Unpack[CalendarOptions]) -> bytes:
    """The calendar as .ics bytes; the options are ``to_calendar``'s."""
    return _write(_contents(schedule, **_with_defaults(options)))


def _serialize(component: icalendar.Component) -> bytes:
    """*component* as icalendar's ``to_ical()`` writes it, byte for byte,
    folded by ``_fold`` instead of icalendar's character-by-character
    loop, which was most of a year's export time."""
    return b"".join(
        _fold(str(line)).encode("utf-8") + b"\r\n"
        for line in component.content_lines(sorted=True)
        if line
    )


_FOLD = 74  # octets of content a folded line holds (75 with the leading space)


def _fold(line: str) -> str:
    """Fold a content line as RFC 5545 3.1 and icalendar do: greedy chunks
    of at most 74 octets, never splitting a character, and never ending a
    chunk on a backslash or caret (an escape stays whole)."""
    if len(line) <= _FOLD and (line.isascii() or len(line.encode()) <= _FOLD):
        return line
    chunks: list[str] = []
    start, size = 0, len(line)
    while start < size:
        end = min(size, start + _FOLD)
        while len(line[start:end].encode()) > _FOLD:
            end -= 1
        if end < size and end - start > 1 and line[end - 1] in "\\^":
            end -= 1
        chunks.append(line[start:end])
        start = end
    return "\r\n ".join(chunks)


def write_ics(
    schedule: Schedule,
    path: str | os.PathLike[str],
    **options: Unpack[CalendarOptions],
) -> None:
    """Write the .ics file atomically: an existing file is replaced whole or kept.

    The options are ``to_calendar``'s. Raises ExportError when the file
    cannot be written.
    """
    write_atomic(path, to_ics(schedule, **options))


def _check_options(
    *,
    items: object = "events",
    alarm_before: object,
    duration: object,
    name: object,
    title: object,
    refill: object,
    refill_days_ahead: object,
    compact: object,
    stamp: object,
) -> None:
    """Each option's type and range, as InvalidInputError naming it."""
    if alarm_before is not None:
        if not isinstance(alarm_before, dt.timedelta):
            _bad("alarm_before", "a datetime.timedelta (or None)", alarm_before)
        if not dt.timedelta(0) <= alarm_before <= dt.timedelta(hours=12):
            _bad("alarm_before", "0 to 12 hours before the dose", alarm_before)
    if not isinstance(duration, dt.timedelta) or duration <= dt.timedelta(0):
        _bad("duration", "a positive datetime.timedelta", duration)
    if name is not None:
        if not isinstance(name, str):
            _bad("name", "a string (or None)", name)
        found = control_characters(name)
        if found:
            _bad(
                "name",
                "a calendar name without control characters "
                f"(found {', '.join(found)})",
                name,
            )
    if title not in ("form", "product"):
        _bad("title", "'form' or 'product'", title)
    if items not in ("events", "tasks", "both"):
        _bad("items", "'events', 'tasks' or 'both'", items)
    for field, value in (("refill", refill), ("compact", compact)):
        if not isinstance(value, bool):
            _bad(field, "True or False", value)
    if (
        not isinstance(refill_days_ahead, int)
        or isinstance(refill_days_ahead, bool)
        or not 0 <= refill_days_ahead <= 60
    ):
        _bad("refill_days_ahead", "a whole number of days, 0 to 60", refill_days_ahead)
    if stamp is not None and (
        not isinstance(stamp, dt.datetime) or stamp.tzinfo is None
    ):
        _bad("stamp", "an aware datetime.datetime", stamp)


def _bad(field: str, expected: str, received: object) -> NoReturn:
    shown = received if isinstance(received, str) else repr(received)
    raise InvalidInputError(field, expected, shown)


# -- building events ---------------------------------------------------------


def _intake_summary(schedule: Schedule, intake: Intake, title: Title) -> str:
    return _summary(schedule.regimen.product, intake.units, intake.elemental_mg, title)


@functools.lru_cache(maxsize=256)
def _summary(product: Product, units: float, mg: float, title: Title) -> str:
    """``Magnesium bisglycinate: 2 capsules (100 mg elemental)``."""
    name = product.name if title == "product" else product.magnesium_form.name
    head = name[:1].upper() + name[1:]
    return f"{head}: {product.describe_units(units)} ({format_mg(mg)} elemental)"


class _Describer:
    """Event descriptions for one schedule; days alike share one text."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.product = schedule.regimen.product
        self.form = self.product.magnesium_form.name
        self.rungs = len(schedule.ladder_mg)
        self.cache: dict[tuple[object, ...], str] = {}

    def __call__(
        self,
        date: dt.date,
        intakes: tuple[Intake, ...],
        phase: str,
        step: int,
        through: dt.date | None = None,
    ) -> str:
        decision = self.schedule.latest_decision(date)
        key = (
            id(decision),
            phase,
            step,
            through,
            tuple((i.at.time(), i.units) for i in intakes),
        )
        text = self.cache.get(key)
        if text is None:
            text = self._text(date, intakes, phase, step, through, decision)
            self.cache[key] = text
        return text

    def _text(
        self,
        date: dt.date,
        intakes: tuple[Intake, ...],
        phase: str,
        step: int,
        through: dt.date | None,
        decision: Decision | None,
    ) -> str:
        product, schedule = self.product, self.schedule
        total_units = sum(i.units for i in intakes)
        total_mg = sum(i.elemental_mg for i in intakes)
        total_compound = sum(i.compound_mg for i in intakes)
        lines = [
            f"Step {step} of {self.rungs}, {phase}.",
            f"Each evening: {product.describe_units(total_units)} = "
            f"{format_mg(total_mg)} elemental magnesium "
            f"({total_compound:.0f} mg {self.form}).",
        ]
        if len(intakes) > 1:
            parts = ", ".join(
                f"{i.at:%H:%M} {product.describe_units(i.units)}" for i in intakes
            )
            lines.append(f"Split: {parts}.")
        lines.extend(
            f"The {i.moved_from:%H:%M} dose is at {i.at:%H:%M} to keep its "
            "distance from another medicine."
            for i in intakes
            if i.moved_from is not None
        )
        if through is not None:
            lines.append(f"From {date.isoformat()} to {through.isoformat()}.")
        if decision is not None:
            lines.append(
                f"Latest change ({decision.date.isoformat()}): {decision.message}"
            )
            if decision.suggestion:
                lines.append(decision.suggestion)
        lines.append(f"Daily cap: {format_mg(schedule.daily_cap_mg)}.")
        lines.extend(_footer(schedule))
        return "\n".join(lines)


def _footer(schedule: Schedule) -> tuple[str, ...]:
    """What closes every dose-related description: the safety notes, the red
    flags and the disclaimer."""
    return (*schedule.safety_notes, RED_FLAGS_SHORT, DISCLAIMER)


def _intake_events(
    schedule: Schedule,
    duration: dt.timedelta,
    since: dt.date | None = None,
    *,
    title: Title = "form",
) -> dict[str, _Event]:
    events: dict[str, _Event] = {}
    first = 0 if since is None else max(0, (since - schedule.start).days)
    describe = _Describer(schedule)
    # A version in a calendar's history builds only the days it is asked for.
    for entry in schedule._days_from(first):
        if not entry.intakes:
            continue
        description = describe(entry.date, entry.intakes, entry.phase.value, entry.step)
        for intake in entry.intakes:
            uid = uid_for(schedule.plan_id, entry.date, intake.slot_index)
            events[uid] = _Event(
                uid=uid,
                start=intake.at,
                end=intake.at + duration,
                summary=_intake_summary(schedule, intake, title),
                description=description,
            )
    return events


def _items(
    schedule: Schedule,
    duration: dt.timedelta,
    since: dt.date | None = None,
    *,
    compact: bool,
    title: Title,
    items: Items,
) -> dict[str, _Event]:
    """The dose reminders: events (per intake or per step), tasks, or both."""
    out: dict[str, _Event] = {}
    if items != "tasks":
        events = _compact_events if compact else _intake_events
        out.update(events(schedule, duration, since, title=title))
    if items != "events":
        for event in _intake_events(schedule, duration, since, title=title).values():
            uid = event.uid.replace("@", "-task@", 1)
            out[uid] = replace(event, uid=uid, end=event.start, todo=True)
    return out


def _compact_events(
    schedule: Schedule,
    duration: dt.timedelta,
    since: dt.date | None = None,
    *,
    title: Title = "form",
) -> dict[str, _Event]:
    events: dict[str, _Event] = {}
    describe = _Describer(schedule)
    for step in schedule.steps():
        if since is not None and step.end < since:
            continue  # identical in the final plan
        description = describe(
            step.start,
            step.intakes,
            step.phase.value,
            schedule.day(step.start).step,
            through=step.end,
        )
        for intake in step.intakes:
            uid = _step_uid(schedule.plan_id, step.start, intake.slot_index)
            # UNTIL is in UTC when DTSTART has a TZID (RFC 5545 3.3.10).
            last = dt.datetime.combine(
                step.end, intake.at.time(), tzinfo=intake.at.tzinfo
            )
            events[uid] = _Event(
                uid=uid,
                start=intake.at,
                end=intake.at + duration,
                summary=_intake_summary(schedule, intake, title),
                description=description,
                until=last.astimezone(dt.UTC),
            )
    return events


def _refill_events(schedule: Schedule, days_ahead: int) -> dict[str, _Event]:
    product = schedule.regimen.product
    size = product.units_per_container
    if size is None:
        raise InvalidInputError(
            "schedule.regimen.product.units_per_container",
            "the number of units in a container, to place refill reminders",
            None,
        )
    events: dict[str, _Event] = {}
    used, container = 0.0, 1
    first = schedule.start
    for entry in schedule.days:
        if entry.missed:
            continue
        used += entry.units
        while used >= size * container - 1e-9:
            uid = _refill_uid(schedule.plan_id, container)
            day = max(first, entry.date - dt.timedelta(days_ahead))
            events[uid] = _Event(
                uid=uid,
                kind="refill reminder",
                start=day,
                end=day + dt.timedelta(1),
                summary=f"Refill {product.name}: container {container} runs out "
                f"on {entry.date.isoformat()}",
                description=(
                    f"Container {container} of {product.describe_units(size)} "
                    f"is used up with the dose of {entry.date.isoformat()}: get "
                    f"the next one. {DISCLAIMER}"
                ),
            )
            container += 1
    return events


def _review_events(schedule: Schedule) -> dict[str, _Event]:
    """An all-day event on the review date, when the plan has one."""
    day = schedule.review_date
    if day is None:
        return {}
    uid = f"{schedule.plan_id}-review@{UID_DOMAIN}"
    return {
        uid: _Event(
            uid=uid,
            kind="review",
            start=day,
            end=day + dt.timedelta(1),
            summary="Review: is magnesium helping?",
            description="\n".join(
                (
                    "The last evening at the maintenance dose. Run 'mgplan "
                    "review' to compare your ratings with the baseline, and go "
                    "over it with a clinician.",
                    *_footer(schedule),
                )
            ),
        )
    }


def _baseline_events(schedule: Schedule) -> dict[str, _Event]:
    """A reminder on each baseline evening, at the last slot's time: no
    magnesium, rate tonight."""
    r = schedule.regimen
    slot = max(r.slots, key=lambda s: s.time)
    questions = " ".join(f"{q}." for q, _ in RATING_SCALES.values())
    events: dict[str, _Event] = {}
    baseline = [
        first + dt.timedelta(offset)
        for first, count, phase in schedule._phase_runs()
        if phase is Phase.BASELINE
        for offset in range(count)
    ]
    for date in baseline:
        uid = f"{schedule.plan_id}-baseline-{_basic(date)}@{UID_DOMAIN}"
        start = local_time(date, slot.time, r.zone)
        events[uid] = _Event(
            uid=uid,
            kind="baseline evening",
            start=start,
            end=start + dt.timedelta(minutes=15),
            summary="Baseline: no magnesium, rate tonight",
            description="\n".join(
                (
                    f"Baseline evening, magnesium starts on {r.dose_start}. "
                    f"Rate each 0 to 10 (mgplan rls): {questions}",
                    *_footer(schedule),
                )
            ),
        )
    return events


def _pause_events(schedule: Schedule, items: Items = "events") -> dict[str, _Event]:
    """An all-day event over each run of paused or stopped days: the dose
    reminders stop there, and this says why and what ends it (the date
    magnesium restarts, or what the plan waits for). With tasks, a pause
    that waits for the symptoms to go (a severe one) also has a task, due
    the day the waiting begins: ticking it off records the resolution
    (``caldav.sync`` reads it back)."""
    runs = schedule._phase_runs()
    events: dict[str, _Event] = {}
    for index, (first, count, phase) in enumerate(runs):
        if phase is not Phase.PAUSED and phase is not Phase.STOPPED:
            continue
        stopped = phase is Phase.STOPPED
        after = runs[index + 1][0] if index + 1 < len(runs) else None
        end = first + dt.timedelta(count)
        # A pause a recorded resolution ends (a severe one): the first evening
        # it can restart (the engine's, while it waits; else from the
        # decisions, for a pause that is over).
        waits = after is None and schedule.waiting_for == "resolution"
        restart = (
            schedule.restart_from
            if waits
            else schedule._earliest_restart(first, end - dt.timedelta(1))
        )
        decision = schedule.latest_decision(first)
        # The decision that paused it (or stopped it), said first.
        why = [decision.message] if decision and decision.date == first else []
        lines = [*why]
        if after is not None:
            entry = schedule.day(after)
            lines.append(
                f"Magnesium restarts on {after.isoformat()}: "
                f"{schedule.describe_dose(entry)}."
                if entry.intakes
                # Stopped while paused, or a trial's off block: no dose yet.
                else f"From {after.isoformat()} the plan is {entry.phase.value}."
            )
        elif schedule.waiting_for == "clinician":
            # Until a clinician acknowledges it, however long the plan runs:
            # the stop's day, not a banner to the plan's end date.
            end = first + dt.timedelta(1)
            lines.append(
                "It resumes once the other medicines' times or the evening "
                "window change in the plan."
                if schedule._stopped_by_a_clash()
                else "Only a clinician's acknowledgement resumes the plan (mgplan "
                "clinician)."
            )
        elif schedule.waiting_for == "resolution":
            # The shortest pause, to the first evening it can restart (not a
            # banner to the plan's end date).
            earliest = restart or end - dt.timedelta(1)
            end = earliest + dt.timedelta(1)
            lines.append(
                "Once the symptoms have gone, record it (mgplan resolved, or a "
                "journal note 'symptoms gone' dated the first day without "
                "them): the plan restarts that evening, on "
                f"{earliest.isoformat()} at the earliest."
            )
        if items != "events" and restart is not None and not stopped:
            # Due when it can restart; the same task before and after the
            # resolution, so what the person ticked stays put.
            due = restart
            task = pause_task_uid(schedule.plan_id, first)
            events[task] = _Event(
                uid=task,
                kind="pause notice",
                start=due,
                end=due,
                todo=True,
                summary="Magnesium paused: tick this off when the symptoms have gone",
                description="\n".join(
                    (
                        *why,
                        "Tick this off on the first day without the symptoms: "
                        "the plan restarts that evening, or on "
                        f"{due.isoformat()} if that is later (the shortest "
                        "pause).",
                        *_footer(schedule),
                    )
                ),
            )
        uid = f"{schedule.plan_id}-pause-{_basic(first)}@{UID_DOMAIN}"
        events[uid] = _Event(
            uid=uid,
            kind="pause notice",
            start=first,
            end=end,
            summary=(
                "Magnesium stopped: talk to a clinician"
                if stopped
                else "Magnesium paused: none these evenings"
            ),
            description="\n".join((*lines, *_footer(schedule))),
        )
    return events


def _trial_events(schedule: Schedule) -> dict[str, _Event]:
    """One all-day event spanning each n-of-1 block, saying on or off."""
    trial = schedule.regimen.trial
    blocks = schedule.trial_blocks()
    if trial is None or not blocks:
        return {}
    events: dict[str, _Event] = {}
    for number, block in enumerate(blocks, start=1):
        uid = f"{schedule.plan_id}-trial-{number}@{UID_DOMAIN}"
        if block.arm == "on":
            what = "on: the magnesium dose each evening, as the reminders say"
        elif trial.control == "placebo":
            what = (
                "off: the placebo capsules at the usual times, as many as the "
                "dose, and no magnesium"
            )
        else:
            what = "off: no magnesium"
        events[uid] = _Event(
            uid=uid,
            kind="trial block",
            start=block.start,
            end=block.end + dt.timedelta(1),
            summary=f"Trial block {number} of {len(blocks)}: {block.arm}",
            description="\n".join(
                (
                    f"Block {number} of {len(blocks)} (pair {block.pair}), "
                    f"{block.start} to {block.end}: {what}. Rate your legs and "
                    f"sleep each night; from {block.counted_from} the ratings "
                    "count for the trial.",
                    *_footer(schedule),
                )
            ),
        )
    return events


def _history(
    schedule: Schedule,
    current: dict[str, _Event],
    build: Callable[[Schedule, dt.date | None], dict[str, _Event]],
    own_lines: bool = False,
) -> tuple[dict[str, int], list[_Event], set[str]]:
    """SEQUENCE per UID, the events earlier versions had but this one lacks,
    and (with *own_lines*) the lines of every description of every version.

    The versions are the plan as it stood before each report date (see
    ``plan_history``). Before its cut date a version *is* the final plan, so
    only events from the day before the cut on are built and compared; the
    day before is included because a compact step ending there may now run on.
    A version that shows what the one before it showed (its entry changed
    nothing in the plan: a dose taken, a rating, stools within the usual) has
    the same events, so it is not built again; and each version's events are
    let go once compared, so that a journal of years holds one in memory.
    """
    descriptions: set[str] = set()
    sequences: dict[str, int] = {}
    last_seen: dict[str, _Event] = {}
    # Each UID's event in the version looked at last, or None once cancelled.
    state: dict[str, _Event | None] = {}

    def becomes(uid: str, event: _Event | None) -> None:
        if uid in state and state[uid] != event:
            sequences[uid] = sequences.get(uid, 0) + 1
        state[uid] = event
        if event is not None:
            last_seen[uid] = event

    def compare(events: dict[str, _Event], boundary: dt.date | None) -> None:
        if own_lines:
            descriptions.update(e.description for e in events.values())
        for uid, event in events.items():
            becomes(uid, event)
        for uid in state.keys() | current.keys():
            if uid in events:
                continue
            final = current.get(uid)
            if (
                final is not None
                and boundary is not None
                and _last_day(final) < boundary
            ):
                # Not built for this version: there it is the final plan.
                becomes(uid, final)
            elif uid in state:
                becomes(uid, None)  # not in this version: cancelled

    def version(cut: dt.date, earlier: Schedule) -> None:
        since = cut - dt.timedelta(1)
        compare(build(earlier, since), since)

    # Each version is compared once the next one is known to differ from it;
    # the last is left out when it shows what the schedule itself does.
    pending: tuple[dt.date, Schedule] | None = None
    for cut, earlier in plan_history(schedule):
        if pending is not None:
            if _shows_the_same(pending[1], earlier):
                continue
            version(*pending)
        pending = (cut, earlier)
    if pending is not None and not _shows_the_same(pending[1], schedule):
        version(*pending)
    compare(current, None)
    lines = {line for text in descriptions for line in text.split("\n")}
    cancelled = [last_seen[uid] for uid in last_seen if uid not in current]
    cancelled.sort(key=lambda e: (_day(e), e.uid))
    return sequences, cancelled, lines


def _shows_the_same(a: Schedule, b: Schedule) -> bool:
    """Whether two versions of one plan give the same calendar: the same days
    (compared as the engine's records while they are not built) and the same
    decisions, ceiling and wait, which the events' words and the review event
    are made from. Their journals differ, and do not show."""
    if (
        a.decisions != b.decisions
        or a.ceiling_mg != b.ceiling_mg
        or a.waiting_for != b.waiting_for
        or a.restart_from != b.restart_from
        or a.suggestions != b.suggestions
    ):
        return False
    return a._same_days(b)


def _safe(text: str, keep: str = "") -> str:
    """*text* with control characters replaced (U+FFFD), except *keep*.

    The models refuse them at input; this guards what reaches a calendar from
    elsewhere (a schedule read from JSON), without relying on ``assert``.
    """
    if not control_characters(text.replace(keep, "") if keep else text):
        return text
    return "".join(
        c if c in keep or not control_characters(c) else "\ufffd" for c in text
    )


def _last_day(event: _Event) -> dt.date:
    """The last day an event covers: a compact step's last, else its own."""
    if event.until is not None and isinstance(event.start, dt.datetime):
        return event.until.astimezone(event.start.tzinfo).date()
    return _day(event)


def _day(event: _Event) -> dt.date:
    start = event.start
    return start.date() if isinstance(start, dt.datetime) else start


def _cancelled_text(what: str) -> str:
    return (
        f"This {what} was cancelled when the plan changed: take no magnesium "
        f"at this time. See the plan for tonight.\n{DISCLAIMER}"
    )


def _cancelled_other(kind: _OtherKind) -> tuple[str, str]:
    """The summary and description of a cancelled item that is not a dose:
    it names the item, and says nothing about taking magnesium that day."""
    return (
        f"Cancelled \u2014 {kind}",
        f"This {kind} was cancelled when the plan changed; it is no longer "
        f"needed. See the plan for tonight's dose.\n{DISCLAIMER}",
    )


def _alarm(
    summary: str, trigger: dt.timedelta, *, related_to_end: bool = False
) -> icalendar.Alarm:
    """A display reminder *trigger* from the start (or the end: a task's DUE),
    showing *summary* (made safe already)."""
    reminder = icalendar.Alarm()
    reminder.add("ACTION", "DISPLAY")
    reminder.add("DESCRIPTION", summary)
    params = {"RELATED": "END"} if related_to_end else {}
    reminder.add("TRIGGER", trigger, parameters=params)
    return reminder


@dataclass(frozen=True, slots=True)
class _Shown:
    """What an item says once cancelled or not, and its alarm and hash."""

    summary: str
    description: str
    alarm: dt.timedelta | None
    digest: str

    @classmethod
    def of(
        cls,
        event: _Event,
        sequence: int,
        alarm: dt.timedelta | None,
        cancelled: bool,
    ) -> _Shown:
        if not isinstance(event.start, dt.datetime):
            # All day (a task due on a date too): 09:00 that day.
            alarm = None if cancelled else _REFILL_ALARM
        # The hash covers all a sync compares, but not DTSTAMP (when, not what).
        # A cancelled item that is not a dose adds its kind: it said "no
        # magnesium this evening" before, and a sync puts it right.
        extra = (event.kind,) if cancelled and event.kind else ()
        digest = event.fingerprint(sequence, alarm, cancelled, *extra)
        summary, description = event.summary, event.description
        if cancelled and event.kind:
            summary, description = _cancelled_other(event.kind)
            alarm = None
        elif cancelled:
            # What a client that ignores STATUS shows must not say "take".
            summary = CANCELLED_SUMMARY
            description = _cancelled_text("task" if event.todo else "reminder")
            alarm = None
        return cls(_safe(summary), _safe(description, keep="\n"), alarm, digest)


def _vtodo(
    event: _Event,
    schedule: Schedule,
    sequence: int,
    stamp: dt.datetime,
    alarm: dt.timedelta | None,
    *,
    cancelled: bool = False,
) -> icalendar.Todo:
    """A dose task: DUE at the dose time, with an alarm before it."""
    shown = _Shown.of(event, sequence, alarm, cancelled)
    component = icalendar.Todo()
    component.add("UID", event.uid)
    component.add("DTSTAMP", stamp)
    component.add("SEQUENCE", sequence)
    component.add("SUMMARY", shown.summary)
    component.add("DESCRIPTION", shown.description)
    component.add("DUE", event.start)
    component.add("STATUS", "CANCELLED" if cancelled else "NEEDS-ACTION")
    component.add(PLAN_PROPERTY, schedule.plan_id)
    component.add(HASH_PROPERTY, shown.digest)
    if shown.alarm is not None:
        # Relative to DUE (RFC 5545 3.8.6.3): a VTODO has no DTSTART here.
        component.add_component(_alarm(shown.summary, shown.alarm, related_to_end=True))
    return component


def _vevent(
    event: _Event,
    schedule: Schedule,
    sequence: int,
    stamp: dt.datetime,
    alarm: dt.timedelta | None,
    *,
    cancelled: bool = False,
) -> icalendar.Event:
    shown = _Shown.of(event, sequence, alarm, cancelled)
    component = icalendar.Event.new(
        uid=event.uid,
        start=event.start,
        end=event.end,
        summary=shown.summary,
        description=shown.description,
        sequence=sequence,
        stamp=stamp,
        transparency=icalendar.TRANSP.TRANSPARENT,
    )
    if event.until is not None:
        component.add("RRULE", {"FREQ": "DAILY", "UNTIL": event.until})
    component.add(PLAN_PROPERTY, schedule.plan_id)
    component.add(HASH_PROPERTY, shown.digest)
    if cancelled:
        component.add("STATUS", "CANCELLED")
    if shown.alarm is not None:
        component.add_component(_alarm(shown.summary, shown.alarm))
    return component


# -- writing the calendar's bytes ---------------------------------------------


def _write(contents: _Contents) -> bytes:
    """The calendar as ``_serialize(_calendar(contents))`` writes it, byte for
    byte (a property test compares them), without building an icalendar
    component per item, which was most of a year's export time. The
    calendar's own properties and time zone still come from icalendar."""
    shell = _shell(contents)
    _add_timezone(shell, contents.schedule)
    head = _serialize(shell)
    end = b"END:VCALENDAR\r\n"
    if not head.endswith(end):  # pragma: no cover - icalendar writes it last
        raise RuntimeError("a calendar that does not end with END:VCALENDAR")
    plan = _escape(contents.schedule.plan_id)
    stamp = _when("DTSTAMP", contents.stamp)
    lines: list[str] = []
    for event, sequence, alarm, cancelled in contents.rendered():
        shown = _Shown.of(event, sequence, alarm, cancelled)
        summary = _escape(shown.summary)
        description = f"DESCRIPTION:{_escape(shown.description)}"
        uid = f"UID:{_escape(event.uid)}"
        own = (f"{HASH_PROPERTY}:{shown.digest}", f"{PLAN_PROPERTY}:{plan}")
        # Properties in icalendar's order: a VEVENT's canonical ones first,
        # then the rest (all of a VTODO's) by name.
        if event.todo:
            status = "CANCELLED" if cancelled else "NEEDS-ACTION"
            lines += (
                "BEGIN:VTODO",
                description,
                stamp,
                _when("DUE", event.start),
                f"SEQUENCE:{sequence}",
                f"STATUS:{status}",
                f"SUMMARY:{summary}",
                uid,
                *own,
            )
        else:
            lines += (
                "BEGIN:VEVENT",
                f"SUMMARY:{summary}",
                _when("DTSTART", event.start),
                _when("DTEND", event.end),
                stamp,
                uid,
                f"SEQUENCE:{sequence}",
            )
            if event.until is not None:
                lines.append(f"RRULE:{_daily_until(event.until)}")
            lines.append(description)
            if cancelled:
                lines.append("STATUS:CANCELLED")
            lines += ("TRANSP:TRANSPARENT", *own)
        if shown.alarm is not None:
            related = ";RELATED=END" if event.todo else ""
            lines += (
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{summary}",
                f"TRIGGER{related}:{_duration(shown.alarm)}",
                "END:VALARM",
            )
        lines.append("END:VTODO" if event.todo else "END:VEVENT")
    body = "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")
    return head[: -len(end)] + body + end


def _escape(text: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11) as icalendar escapes it, line
    endings made ``\\n``."""
    return (
        text.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _when(name: str, value: dt.datetime | dt.date) -> str:
    """A date or date-time property as icalendar writes it."""
    if not isinstance(value, dt.datetime):
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    params, utc = _zone(value.tzinfo)
    return (
        f"{name}{params}:{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}{'Z' if utc else ''}"
    )


@functools.lru_cache(maxsize=64)
def _zone(zone: dt.tzinfo | None) -> tuple[str, bool]:
    """The parameters icalendar gives a date-time in *zone* (its TZID), and
    whether it writes it as UTC (with a Z)."""
    probe = icalendar.vDDDTypes(dt.datetime(2000, 1, 1, tzinfo=zone))
    params = probe.params.to_ical(sorted=True).decode()
    return (f";{params}" if params else ""), probe.to_ical().endswith(b"Z")


@functools.lru_cache(maxsize=64)
def _duration(value: dt.timedelta) -> str:
    text: bytes = icalendar.vDuration(value).to_ical()  # type: ignore[no-untyped-call]
    return text.decode()


def _daily_until(until: dt.datetime) -> str:
    rule = icalendar.vRecur({"FREQ": "DAILY", "UNTIL": until})
    text: bytes = rule.to_ical()  # type: ignore[no-untyped-call]
    return text.decode()
