"""Placement: which evening slots a day's dose goes into, and at what time.

A dose that fits in one intake is taken at ``Regimen.single_slot``; a larger
one is split as evenly as possible over the slots, larger portions first.
A slot too close to another medicine moves inside the evening window.
"""

from __future__ import annotations

import datetime as dt
import math

from ._profile import SafetyProfile
from ._regimen import Regimen
from ._schedule import Intake

__all__ = ["Placement", "local_time"]

_UTC = dt.UTC


def _round_mg(mg: float) -> float:
    """Every mg figure in a schedule is rounded the same way, so they compare."""
    return round(mg, 6)


class Placement:
    """The intakes of a day's dose, built once per (day, dose) and shared."""

    def __init__(
        self, regimen: Regimen, profile: SafetyProfile, per_intake: int
    ) -> None:
        self.regimen = regimen
        self.profile = profile
        self.per_intake = per_intake
        product = regimen.product
        self.unit_step = product.unit_step
        self.unit_mg = product.elemental_per_unit
        self.unit_compound_mg = product.compound_per_unit
        self.zone = regimen.zone
        self.slots = place_slots(regimen, profile)
        self._split_cache: dict[int, list[tuple[int, int]]] = {}
        self._cache: dict[tuple[dt.date, int], tuple[Intake, ...]] = {}

    def intakes(self, day: dt.date, quanta: int) -> tuple[Intake, ...]:
        """The intakes of *day* for a daily dose of *quanta*."""
        key = (day, quanta)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        step = self.unit_step
        intakes = []
        for slot_index, portion in self.split(quanta):
            slot = self.regimen.slots[slot_index]
            at, conflicts = self.slots[slot_index]
            units = portion * step
            # The engine's own output is valid by construction: model_construct
            # skips re-validating thousands of values (a year plans in ~ms).
            intakes.append(
                Intake.model_construct(
                    at=local_time(day, at, self.zone),
                    slot=slot.name,
                    slot_index=slot_index,
                    moved_from=None if at == slot.time else slot.time,
                    conflicts=conflicts,
                    units=units,
                    elemental_mg=_round_mg(units * self.unit_mg),
                    compound_mg=_round_mg(units * self.unit_compound_mg),
                )
            )
        result = self._cache[key] = tuple(intakes)
        return result

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


def place_slots(
    regimen: Regimen, profile: SafetyProfile
) -> list[tuple[dt.time, tuple[str, ...]]]:
    """Each slot's time after spacing from other medicines, and any clash.

    A slot too close to a medicine moves to the nearest time in the evening
    window (5-minute steps) that clashes with none and keeps the slots in
    order; if there is none, it stays and the clash is kept.
    """
    r = regimen
    medicines = [m for m in profile.medicines if not m.rule.flag_only]

    def clashes(at: dt.time) -> tuple[str, ...]:
        return tuple(c for m in medicines for c in m.clashes(at))

    placed: list[tuple[dt.time, tuple[str, ...]]] = []
    for i, slot in enumerate(r.slots):
        found = clashes(slot.time)
        if not found:
            placed.append((slot.time, ()))
            continue
        low = _minutes(placed[-1][0]) if placed else -1
        high = _minutes(r.slots[i + 1].time) if i + 1 < len(r.slots) else 24 * 60
        own = _minutes(slot.time)
        candidates = [
            m
            for m in range(_minutes(r.window_start), _minutes(r.window_end) + 1, 5)
            if low < m < high
        ]
        candidates.sort(key=lambda m: (abs(m - own), m))
        for minute in candidates:
            at = dt.time(minute // 60, minute % 60)
            if not clashes(at):
                placed.append((at, ()))
                break
        else:
            placed.append((slot.time, found))
    return placed


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


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute
