"""Placement: which evening slots a day's dose goes into, and at what time.

A dose that fits in one intake is taken at ``Regimen.single_slot``; a larger
one is split as evenly as possible over the slots, larger portions first.

Other medicines: all of an evening's intakes are placed together, in one
search over the evening window (5-minute steps plus the slots' own times), so
a clash-free arrangement is found whenever one exists; the one chosen leaves
out the fewest intakes, then moves them the least. An intake no time can
keep away from a medicine is left out that evening, never scheduled at a
time known to clash. Which medicines count depends on the day (courses,
weekdays), and so may the arrangement.

Intakes of one evening keep their order and never share an instant: two
intakes stay at least ``MIN_GAP`` apart (or as far apart as their slots are,
if that is less), also across a DST gap. ``MIN_GAP`` is mgplan's convention;
no source gives one. A day that does not exist in the zone (Pacific/Apia
skipped 2011-12-30) has no intakes.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ._model import trusted_copy
from ._profile import SafetyProfile
from ._regimen import Regimen
from ._schedule import Intake
from ._spacing import Medicine

__all__ = ["MIN_GAP", "Layout", "Placement", "local_time"]

_UTC = dt.UTC
_STEP_MINUTES = 5

MIN_GAP = dt.timedelta(minutes=30)
"""The least time between two intakes of one evening (mgplan's convention)."""


def _round_mg(mg: float) -> float:
    """Every mg figure in a schedule is rounded the same way, so they compare."""
    return round(mg, 6)


@dataclass(frozen=True)
class Layout:
    """Where one evening's intakes go: a time each, or None if left out.

    ``reasons`` has, per intake, why it moved or was left out (empty: at its
    slot's own time).
    """

    times: tuple[dt.time | None, ...]
    reasons: tuple[tuple[str, ...], ...]


class Placement:
    """The intakes of a day's dose, built once per (day, dose) and shared."""

    def __init__(
        self, regimen: Regimen, profile: SafetyProfile, per_intake: int
    ) -> None:
        self.regimen = regimen
        self.per_intake = per_intake
        product = regimen.product
        self.unit_step = product.unit_step
        self.unit_mg = product.elemental_per_unit
        self.unit_compound_mg = product.compound_per_unit
        self.zone = regimen.zone
        self.medicines: tuple[Medicine, ...] = tuple(
            m for m in profile.medicines if not (m.rule.flag_only or m.rule.avoid)
        )
        self._split_cache: dict[int, list[tuple[int, int]]] = {}
        self._layouts: dict[tuple[object, ...], Layout] = {}
        self._day_layouts: dict[tuple[dt.date, int], Layout] = {}
        self._cache: dict[tuple[dt.date, int], tuple[Intake, ...]] = {}
        # A usual evening's intakes by dose: (wall time, intake) to copy.
        self._usual: dict[int, list[tuple[dt.time, Intake]]] = {}
        self._missing_days: set[dt.date] = set()

    @functools.cached_property
    def slot_names(self) -> tuple[str, ...]:
        """The slots' names, worded when the first day is read."""
        return tuple(slot.name for slot in self.regimen.slots)

    # -- what the engine asks -------------------------------------------------

    def intakes(self, day: dt.date, quanta: int) -> tuple[Intake, ...]:
        """The intakes of *day* for a daily dose of *quanta*."""
        key = (day, quanta)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        # The usual evening: without other medicines and with no clock change,
        # a dose's intakes are the same every day but for their instants.
        usual = not self.medicines and not self._changes_clock(day)
        if usual:
            found = self._usual.get(quanta)
            if found is not None:
                zone = self.zone
                return tuple(
                    trusted_copy(intake, at=dt.datetime.combine(day, at, tzinfo=zone))
                    for at, intake in found
                )
        split = self.split(quanta)
        layout = self.layout(day, quanta)
        kept = [
            (slot_index, portion, at)
            for (slot_index, portion), at in zip(split, layout.times, strict=True)
            if at is not None
        ]
        instants = self._instants(day, [at for _, _, at in kept])
        intakes = []
        if instants is None:
            self._missing_days.add(day)
        else:
            step = self.unit_step
            for (slot_index, portion, at), instant in zip(kept, instants, strict=True):
                slot = self.regimen.slots[slot_index]
                units = portion * step
                # The engine's own output is valid by construction:
                # Model.trusted skips re-validating thousands of values.
                intakes.append(
                    Intake.trusted(
                        at=instant,
                        slot=self.slot_names[slot_index],
                        slot_index=slot_index,
                        moved_from=None if at == slot.time else slot.time,
                        units=units,
                        elemental_mg=_round_mg(units * self.unit_mg),
                        compound_mg=_round_mg(units * self.unit_compound_mg),
                    )
                )
        result = tuple(intakes)
        if usual:
            self._usual[quanta] = [
                (at, intake) for (_, _, at), intake in zip(kept, result, strict=True)
            ]
        else:
            self._cache[key] = result
        return result

    def describe(self, day: dt.date, quanta: int) -> tuple[tuple[str, bool], ...]:
        """Sentences about *day*'s intakes that moved or were left out.

        Each comes with whether it asks for a clinician or pharmacist. Empty
        when every intake is at its slot's own time.
        """
        if self.missing(day, quanta):
            return (
                (
                    f"{day.isoformat()} does not exist in {self.regimen.tz} (the "
                    "clocks skip it): no intake that day.",
                    False,
                ),
            )
        r = self.regimen
        layout = self.layout(day, quanta)
        out: list[tuple[str, bool]] = []
        for (slot_index, _), at, reasons in zip(
            self.split(quanta), layout.times, layout.reasons, strict=True
        ):
            slot = r.slots[slot_index]
            if at == slot.time:
                continue  # where it belongs: nothing to say
            name = f"{slot.time:%H:%M}" + (f" ({slot.label})" if slot.label else "")
            why = "; ".join(reasons)
            if at is None:
                out.append(
                    (
                        f"The {name} intake is left out: no time from "
                        f"{r.window_start:%H:%M} to {r.window_end:%H:%M} keeps it "
                        f"clear of the other medicines ({why}). Ask a pharmacist "
                        "or clinician how to space them.",
                        True,
                    )
                )
            else:
                out.append((f"The {name} intake moves to {at:%H:%M}: {why}.", False))
        return tuple(out)

    def scheduled_mg(self, day: dt.date, quanta: int) -> float:
        """The elemental mg of *day*'s intakes for a daily dose of *quanta*:
        less than the dose when an intake is left out (a clash no time
        avoids) or the day does not exist in the zone."""
        if not self.medicines and not self._changes_clock(day):
            return _round_mg(quanta * self.unit_step * self.unit_mg)  # all placed
        return _round_mg(sum(i.elemental_mg for i in self.intakes(day, quanta)))

    def missing(self, day: dt.date, quanta: int) -> bool:
        """Whether *day* does not exist in the zone, so that its intakes
        cannot be placed (only a day whose clock changes can be missing)."""
        if not self._changes_clock(day):
            return False
        if day in self._missing_days:
            return True
        if (day, quanta) in self._cache:
            return False
        times = [at for at in self.layout(day, quanta).times if at is not None]
        if self._instants(day, times) is None:
            self._missing_days.add(day)
            return True
        return False

    def unplaced(self, day: dt.date, quanta: int) -> bool:
        """Whether a clash leaves out every intake of *day*'s dose of
        *quanta*: each clashes with another medicine at every time of the
        window. Such an evening has no magnesium. (A day the zone skips is
        no evening at all: the evenings either side are a day apart.)"""
        return bool(self.medicines) and all(
            at is None for at in self.layout(day, quanta).times
        )

    def first_unplaced(
        self, first: dt.date, stop: dt.date, quanta: int
    ) -> dt.date | None:
        """The first day from *first* to before *stop* that is ``unplaced``."""
        if not self.medicines:
            return None
        days = (first + dt.timedelta(i) for i in range((stop - first).days))
        return next((day for day in days if self.unplaced(day, quanta)), None)

    def unplaced_through(self, day: dt.date, quanta: int, days: int) -> bool:
        """Whether each of the *days* evenings from *day* is ``unplaced``."""
        return all(
            self.unplaced(day + dt.timedelta(offset), quanta) for offset in range(days)
        )

    def short(self, day: dt.date, quanta: int) -> bool:
        """Whether a clash leaves out at least one intake of *day*'s dose."""
        return bool(self.medicines) and any(
            at is None for at in self.layout(day, quanta).times
        )

    def unplaced_for_good(self, day: dt.date, quanta: int) -> bool:
        """Whether no evening from *day* on can hold an intake of this dose
        (each is ``unplaced``)."""
        return self._for_good(day, quanta, self.unplaced)

    def short_for_good(self, day: dt.date, quanta: int) -> bool:
        """Whether every evening from *day* on leaves an intake of this dose
        out (each is ``short``)."""
        return self._for_good(day, quanta, self.short)

    def _for_good(
        self, day: dt.date, quanta: int, test: Callable[[dt.date, int], bool]
    ) -> bool:
        """Whether *test* holds on every evening from *day* on: the other
        medicines neither start nor end from the evening before on (so each
        week is like the last) and it holds on each evening of the week from
        *day*."""
        if not self.medicines:
            return False
        before = day - dt.timedelta(1)
        for medicine in self.medicines:
            if medicine.start is not None and medicine.start > before:
                return False
            if medicine.end is not None and medicine.end >= before:
                return False
        return all(test(day + dt.timedelta(offset), quanta) for offset in range(7))

    def clock_changes(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The days from *first* to *last* on which the zone's clock changes."""
        return _clock_changes_between(self.zone, first, last)

    def descriptions(
        self, first: dt.date, days: int, quanta: int
    ) -> Iterator[tuple[dt.date, tuple[tuple[str, bool], ...]]]:
        """``describe`` for the *days* from *first* on, all at the same dose,
        given on every day it may differ from the day before (and on
        *first*): without other medicines the layout is the same each
        evening, and only a day whose clock changes can lack its intakes."""
        if self.medicines:
            for offset in range(days):
                day = first + dt.timedelta(offset)
                yield day, self.describe(day, quanta)
            return
        last = first + dt.timedelta(days - 1)
        yield first, self._describe_alone(first, quanta)
        for change in self.clock_changes(first, last):
            for day in (change, change + dt.timedelta(1)):
                if first < day <= last:
                    yield day, self._describe_alone(day, quanta)

    def _describe_alone(
        self, day: dt.date, quanta: int
    ) -> tuple[tuple[str, bool], ...]:
        """``describe`` without other medicines: nothing moves, so there is
        nothing to say but on a day the zone skips (its clock changes)."""
        if self.missing(day, quanta):
            return self.describe(day, quanta)
        return ()

    def split(self, quanta: int) -> list[tuple[int, int]]:
        """(slot index, quanta) per intake: as even as possible, larger first."""
        cached = self._split_cache.get(quanta)
        if cached is not None:
            return cached
        slots = len(self.regimen.slots)
        k = math.ceil(quanta / self.per_intake)
        if k == 1:
            result = [(self.regimen.single_slot, quanta)]
        else:
            indices = [round(i * (slots - 1) / (k - 1)) for i in range(k)]
            base, extra = divmod(quanta, k)
            result = [
                (index, base + (1 if i < extra else 0))
                for i, index in enumerate(indices)
            ]
        self._split_cache[quanta] = result
        return result

    # -- the search ------------------------------------------------------------

    def layout(self, day: dt.date, quanta: int) -> Layout:
        """Where *day*'s intakes go, given the medicines taken around it."""
        known = self._day_layouts.get((day, quanta))
        if known is not None:  # the engine asks, then building the day does
            return known
        slots = tuple(index for index, _ in self.split(quanta))
        active: tuple[tuple[int, bool, bool, bool], ...] = ()
        if self.medicines:
            each = (
                (
                    i,
                    m.taken_on(day - dt.timedelta(1)),
                    m.taken_on(day),
                    m.taken_on(day + dt.timedelta(1)),
                )
                for i, m in enumerate(self.medicines)
            )
            active = tuple(a for a in each if any(a[1:]))
        key = (slots, active)
        found = self._layouts.get(key)
        if found is None:
            found = self._layouts[key] = self._search(day, slots, bool(active))
        self._day_layouts[day, quanta] = found
        return found

    def _clashes(self, day: dt.date, minute: int) -> tuple[str, ...]:
        at = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
        return tuple(c for m in self.medicines for c in m.clashes_at(at))

    def _search(self, day: dt.date, slots: tuple[int, ...], any_active: bool) -> Layout:
        r = self.regimen
        desired = [_minutes(r.slots[i].time) for i in slots]
        if not any_active or not any(self._clashes(day, m) for m in desired):
            return Layout(
                tuple(r.slots[i].time for i in slots), tuple(() for _ in slots)
            )
        gap = MIN_GAP.total_seconds() // 60
        grid = range(
            _minutes(r.window_start), _minutes(r.window_end) + 1, _STEP_MINUTES
        )
        candidates = sorted(set(grid) | set(desired))
        free = [c for c in candidates if not self._clashes(day, c)]
        # Dynamic programming over the intakes in order: a state is the last
        # intake placed (its minute and index; None: none yet), its value the
        # (intakes left out, minutes moved) so far and the minutes chosen.
        Key = tuple[int, int] | None
        Value = tuple[int, int, tuple[int | None, ...]]
        states: dict[Key, Value] = {None: (0, 0, ())}
        for i, want in enumerate(desired):
            nxt: dict[Key, Value] = {}
            for last, (dropped, moved, times) in states.items():
                options: list[tuple[Key, Value]] = [
                    (last, (dropped + 1, moved, (*times, None)))
                ]
                for c in free:
                    if last is not None:
                        last_minute, index = last
                        need = max(1, min(gap, want - desired[index]))
                        if c < last_minute + need:
                            continue
                    options.append(
                        ((c, i), (dropped, moved + abs(c - want), (*times, c)))
                    )
                for key, value in options:
                    old = nxt.get(key)
                    if old is None or value[:2] < old[:2]:
                        nxt[key] = value
            states = nxt
        _, _, times = min(states.values(), key=lambda v: v[:2])
        chosen: list[dt.time | None] = []
        reasons: list[tuple[str, ...]] = []
        for want, minute in zip(desired, times, strict=True):
            if minute is None:
                why = self._clashes(day, want) or tuple(
                    m.rule.describe() for m in self.medicines
                )
                chosen.append(None)
                reasons.append(why)
            else:
                chosen.append(dt.time(minute // 60, minute % 60))
                reasons.append(self._clashes(day, want) if minute != want else ())
        return Layout(tuple(chosen), tuple(reasons))

    # -- wall clock to instants ------------------------------------------------

    def _changes_clock(self, day: dt.date) -> bool:
        """Whether the zone's UTC offset changes from 00:00 on *day* to 00:00
        the day after (mgplan's dose times all fall within the day)."""
        return day in _clock_changes(self.zone, day.year)

    def _instants(
        self, day: dt.date, times: list[dt.time]
    ) -> tuple[dt.datetime, ...] | None:
        """The instants of *times* on *day*, in order and apart; None: no such day."""
        zone = self.zone
        if not self._changes_clock(day):  # the usual evening: wall time is it
            return tuple(dt.datetime.combine(day, t, tzinfo=zone) for t in times)
        return _instants_on_change(zone, day, tuple(times))


@functools.lru_cache(maxsize=64)
def _clock_changes(zone: dt.tzinfo, year: int) -> frozenset[dt.date]:
    """The days of *year* on which *zone*'s UTC offset at 00:00 differs from
    the next day's. Zones do not change within a process, and a plan asks
    about the same few years again and again (the history of a year's plan
    asks about every day of it once per version)."""
    found = set()
    day = dt.date(year, 1, 1)
    one = dt.timedelta(1)
    midnight = dt.time()
    offset = dt.datetime.combine(day, midnight, tzinfo=zone).utcoffset()
    while day.year == year and day < dt.date.max:
        after = dt.datetime.combine(day + one, midnight, tzinfo=zone).utcoffset()
        if after != offset:
            found.add(day)
        day += one
        offset = after
    return frozenset(found)


@functools.lru_cache(maxsize=256)
def _instants_on_change(
    zone: dt.tzinfo, day: dt.date, times: tuple[dt.time, ...]
) -> tuple[dt.datetime, ...] | None:
    """``Placement._instants`` on a day whose clock changes. A pure function
    of its arguments, and the same few days come back in every plan of a
    year (and every version of its history): computed once each."""
    instants = [local_time(day, t, zone) for t in times]
    if any(i.date() != day for i in instants):
        return None
    gaps = [
        min(MIN_GAP, _wall(day, b) - _wall(day, a))
        for a, b in itertools.pairwise(times)
    ]
    # In UTC: aware datetimes sharing a tzinfo subtract as wall clocks.
    utc = [i.astimezone(_UTC) for i in instants]
    forward = list(utc)
    for i, gap in enumerate(gaps, start=1):
        forward[i] = max(forward[i], forward[i - 1] + gap)
    result = tuple(i.astimezone(zone) for i in forward)
    if not result or result[-1].date() == day:
        return result
    backward = list(utc)
    for i in range(len(gaps) - 1, -1, -1):
        backward[i] = min(backward[i], backward[i + 1] - gaps[i])
    return tuple(i.astimezone(zone) for i in backward)


def _clock_changes_between(
    zone: dt.tzinfo, first: dt.date, last: dt.date
) -> list[dt.date]:
    """The days from *first* to *last* on which the clock changes, in order."""
    return sorted(
        day
        for year in range(first.year, last.year + 1)
        for day in _clock_changes(zone, year)
        if first <= day <= last
    )


def local_time(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
    """The wall-clock time on *day* in *zone*.

    A time that does not exist (a DST gap) moves forward by the gap, unless
    that would cross midnight (America/Nuuk springs forward at 23:00): then it
    moves back before the gap, so the dose stays on its own evening.
    """
    aware = dt.datetime.combine(day, time, tzinfo=zone)
    forward = aware.astimezone(_UTC).astimezone(zone)
    if forward.replace(tzinfo=None) == aware.replace(tzinfo=None):
        return aware
    if forward.date() == day:
        return forward
    return aware.replace(fold=1).astimezone(_UTC).astimezone(zone)


def _wall(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time)


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute
