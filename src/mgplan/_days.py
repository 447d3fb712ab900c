"""A plan's days as the engine records them (``Day``: a phase, a rung of the
ladder, missed or not; one shared record per kind of day), and the days a
schedule builds from those records when first asked for (``Days``)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ._model import trusted_copy
from ._placement import Placement
from ._schedule import DayEntry, DoseStep, Intake, Phase, dose_step, step_key

ONE_DAY = dt.timedelta(1)


@dataclass(frozen=True, slots=True)
class Day:
    """One emitted day, before it becomes a ``DayEntry``. Immutable: a run of
    like days shares one."""

    phase: Phase
    rung: int  # -1: no dose
    missed: bool


@functools.lru_cache(maxsize=4096)
def day_record(phase: Phase, rung: int, missed: bool) -> Day:
    """The one record of a kind of day, shared by every plan (MAX_RUNGS
    bounds the kinds)."""
    return Day(phase, rung, missed)


BASELINE_DAY = day_record(Phase.BASELINE, -1, False)
TRIAL_OFF_DAY = day_record(Phase.TRIAL_OFF, -1, False)


def like_runs(
    start: dt.date, days: Iterable[Day]
) -> Iterator[tuple[dt.date, int, Day]]:
    """(first date, number of days, record) for each run of like days."""
    first = start
    # groupby compares neighbours in C, and like days share one record
    # (_Planner._emit), which is equal to itself without a call.
    for record, run in itertools.groupby(days):
        count = len(list(run))
        yield first, count, record
        first += dt.timedelta(count)


@dataclass(frozen=True, slots=True)
class Days:
    """A schedule's days, built from the engine's records when first asked
    for (``Schedule.planned``); and what can be told from the records
    without building them all: the phases, one day, the dose steps, the days
    from a date on (``Schedule`` asks for these while its days are not
    built: a calendar's history asks them of every version)."""

    start: dt.date
    records: tuple[Day, ...]
    placement: Placement
    quanta: tuple[int, ...]

    def __call__(self) -> tuple[DayEntry, ...]:
        return self.entries(0)

    def __len__(self) -> int:
        return len(self.records)

    def same_days(self, other: object) -> bool | None:
        """Whether *other* builds the same days, told from the records when
        both come from one planner (the versions of a plan's history; records
        of like days are shared, so comparing them is mostly comparing
        identities); None when it cannot be told so."""
        if (
            not isinstance(other, Days)
            or self.placement is not other.placement
            or self.quanta != other.quanta
        ):
            return None
        return self.start == other.start and self.records == other.records

    def phase_runs(self) -> list[tuple[dt.date, int, Phase]]:
        """(first date, number of days, phase) of each run of consecutive
        days in one phase, as ``Schedule._phase_runs`` tells them from built
        days (runs of like days at other doses of one phase run together)."""
        runs: list[tuple[dt.date, int, Phase]] = []
        for first, count, record in like_runs(self.start, self.records):
            if runs and runs[-1][2] is record.phase:
                runs[-1] = (runs[-1][0], runs[-1][1] + count, record.phase)
            else:
                runs.append((first, count, record.phase))
        return runs

    def entries(self, first: int) -> tuple[DayEntry, ...]:
        """The days from index *first* on."""
        day = self.start + dt.timedelta(first)
        one = ONE_DAY
        placed = self._placed
        # One entry per kind of day (and units scheduled), copied for each
        # date: a year has a handful of kinds and 365 days.
        kinds: dict[tuple[int, float], DayEntry] = {}  # by id(): records live on
        entries = []
        for record in self.records[first:]:
            intakes, units = placed(day, record)
            kind = kinds.get((id(record), units))
            if kind is None:
                kind = kinds[id(record), units] = self._entry(
                    day, record, intakes, units
                )
                entries.append(kind)
            else:
                entries.append(trusted_copy(kind, date=day, intakes=intakes))
            day += one
        return tuple(entries)

    def entry(self, index: int) -> DayEntry:
        """The day at *index*, built alone."""
        day = self.start + dt.timedelta(index)
        record = self.records[index]
        return self._entry(day, record, *self._placed(day, record))

    def _placed(self, day: dt.date, record: Day) -> tuple[tuple[Intake, ...], float]:
        """*day*'s intakes and the units they schedule: an intake left out (a
        clash no time avoids, a day the zone skips) is not counted."""
        if record.rung < 0:
            return (), 0.0
        intakes = self.placement.intakes(day, self.quanta[record.rung])
        return intakes, sum((i.units for i in intakes), 0.0)

    def _entry(
        self, day: dt.date, record: Day, intakes: tuple[Intake, ...], units: float
    ) -> DayEntry:
        dosed = record.rung >= 0
        return DayEntry.trusted(
            date=day,
            phase=record.phase,
            # Rungs count from 1, the smallest amount below the start dose
            # included when there is one: the numbering never depends on
            # what comes later.
            step=record.rung + 1 if dosed else 0,
            units=units,
            elemental_mg=round(units * self.placement.unit_mg, 6) if dosed else 0.0,
            compound_mg=round(units * self.placement.unit_compound_mg, 6)
            if dosed
            else 0.0,
            intakes=intakes,
            missed=record.missed,
        )

    def steps(self) -> tuple[DoseStep, ...]:
        """``Schedule.steps`` from the records: within a run of like days the
        intakes change only where they may (a day whose clock changes, or
        any day with other medicines), so only those days are placed."""
        steps: list[DoseStep] = []
        placement = self.placement
        # The open step: its first day and its intakes' key; and its end.
        open_: tuple[dt.date, tuple[Any, ...]] | None = None
        end = self.start

        def close() -> None:
            nonlocal open_
            if open_ is not None:
                first = self.entry((open_[0] - self.start).days)
                steps.append(dose_step(len(steps) + 1, first, end))
                open_ = None

        for first, count, record in like_runs(self.start, self.records):
            if record.rung < 0:
                close()
                continue
            quanta = self.quanta[record.rung]
            for day, days in self._alike(first, count):
                intakes = placement.intakes(day, quanta)
                if not intakes:
                    close()
                    continue
                key = step_key(intakes)
                if open_ is not None and open_[1] != key:
                    close()
                if open_ is None:
                    open_ = (day, key)
                end = day + dt.timedelta(days - 1)
        close()
        return tuple(steps)

    def _alike(self, first: dt.date, count: int) -> Iterator[tuple[dt.date, int]]:
        """(first day, number of days) of the spans of a run of like days
        whose intakes are the same each day: without other medicines, the
        days between those whose clock changes; with them, each day."""
        placement = self.placement
        if placement.medicines:
            for offset in range(count):
                yield first + dt.timedelta(offset), 1
            return
        last = first + dt.timedelta(count - 1)
        day = first
        for change in placement.clock_changes(first, last):
            if change > day:
                yield day, (change - day).days
            yield change, 1
            day = change + ONE_DAY
        if day <= last:
            yield day, (last - day).days + 1
