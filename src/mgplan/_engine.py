"""The titration engine: (regimen, profile, reports) -> Schedule.

Pure and deterministic: no clock, no files, no network. Doses are counted in
*quanta* (whole units, or half units for splittable products) so that rounding
never drifts and a dose is always a whole or permitted half unit.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._errors import DoseAboveCapError, InvalidInputError
from ._forms import lower_gi_alternatives
from ._product import EPSILON, format_mg
from ._profile import SafetyProfile
from ._regimen import Regimen
from ._schedule import Action, DayEntry, Decision, Intake, Phase, Schedule
from ._tolerance import (
    MissedDose,
    Severity,
    SideEffectReport,
    TolerancePolicy,
)

__all__ = ["MAX_PLAN_DAYS", "plan", "plan_history"]

# A safety net against a plan that never ends, far beyond any real regimen.
MAX_PLAN_DAYS = 366 * 30

_UTC = dt.UTC


def plan(
    regimen: Regimen,
    profile: SafetyProfile | None = None,
    reports: Iterable[SideEffectReport] = (),
    missed: Iterable[MissedDose] = (),
    *,
    policy: TolerancePolicy | None = None,
    as_of: dt.date | None = None,
) -> Schedule:
    """Plan *regimen* for *profile*, adapting to side-effect and missed-dose reports.

    *as_of* is "today" for validation: reports dated after it are refused.
    Nothing here reads the clock; pass it in.

    Raises ``ContraindicationError`` for a condition no clinician override
    allows and ``InvalidInputError`` (or a subclass) for bad input.
    """
    profile = profile if profile is not None else SafetyProfile()
    policy = policy if policy is not None else TolerancePolicy()
    reports = tuple(reports)
    missed = tuple(missed)
    profile.check()
    _check_reports(regimen, reports, missed, as_of)
    return _Planner(regimen, profile, policy, reports, missed, as_of).run()


def plan_history(schedule: Schedule) -> list[tuple[dt.date, Schedule]]:
    """The versions *schedule* went through as its reports arrived, oldest first.

    Each comes with its cut date: the version has the reports (and missed
    doses) dated before it. The first has none; the schedule itself is not
    included.
    """
    planner = _Planner(
        schedule.regimen,
        schedule.profile,
        schedule.policy,
        schedule.reports,
        schedule.missed,
        schedule.as_of,
    )
    return planner.history()


def _check_reports(
    regimen: Regimen,
    reports: tuple[SideEffectReport, ...],
    missed: tuple[MissedDose, ...],
    as_of: dt.date | None,
) -> None:
    items: list[tuple[str, dt.date]] = [
        *((f"reports[{i}].date", r.date) for i, r in enumerate(reports)),
        *((f"missed[{i}].date", m.date) for i, m in enumerate(missed)),
    ]
    for name, date in items:
        if date < regimen.start_date:
            raise InvalidInputError(
                name,
                f"a date on or after the plan's start "
                f"({regimen.start_date.isoformat()})",
                date.isoformat(),
            )
        if as_of is not None and date > as_of:
            raise InvalidInputError(
                name,
                f"a date on or before today ({as_of.isoformat()}); reports "
                "cannot come from the future",
                date.isoformat(),
            )


@dataclass
class _State:
    rung: int
    top: int
    mode: Phase
    next_increase: dt.date | None
    pause_until: dt.date | None = None
    mild_in_step: int = 0
    retried: set[int] = field(default_factory=set)
    ceiling_rung: int | None = None
    maintenance_since: dt.date | None = None


@dataclass(frozen=True)
class _Snapshot:
    """The simulation at the start of a day, before that day's reports."""

    state: _State
    days: int
    decisions: int
    suggestions: tuple[str, ...]


class _Planner:
    def __init__(
        self,
        regimen: Regimen,
        profile: SafetyProfile,
        policy: TolerancePolicy,
        reports: tuple[SideEffectReport, ...],
        missed: tuple[MissedDose, ...],
        as_of: dt.date | None,
    ) -> None:
        self.regimen = regimen
        self.profile = profile
        self.policy = policy
        self.reports = reports
        self.missed = missed
        self.as_of = as_of
        self.product = regimen.product
        self.interval = regimen.step_interval_days
        self.cap = profile.daily_cap_mg
        self.unit_mg = self.product.elemental_per_unit
        self.unit_compound_mg = self.product.compound_per_unit
        self.quantum_mg: float = (
            self.product.elemental_per_unit * self.product.unit_step
        )
        self.decisions: list[Decision] = []
        self.suggestions: list[str] = []
        self.days: list[DayEntry] = []
        self._split_cache: dict[int, list[tuple[int, int]]] = {}
        self._day_intakes: dict[tuple[dt.date, int], tuple[Intake, ...]] = {}
        self._build_ladder()
        self.placements = self._place_slots()

    # -- set-up -------------------------------------------------------------

    def _build_ladder(self) -> None:
        r, q_mg, start = self.regimen, self.quantum_mg, self.regimen.start_date
        if r.target_mg > self.cap + EPSILON:
            raise DoseAboveCapError(
                "Regimen.target_dose", r.target_mg, self.cap, self.profile.cap_reason
            )
        if q_mg > self.cap + EPSILON:
            raise DoseAboveCapError(
                "Regimen.product.amount_per_unit",
                q_mg,
                self.cap,
                "the smallest amount of this product that can be taken",
            )
        start_q = max(1, math.floor(r.start_mg / q_mg + EPSILON))
        target_q = max(start_q, math.floor(r.target_mg / q_mg + EPSILON))
        while target_q * q_mg > self.cap + EPSILON:
            target_q -= 1
        step_q = max(1, round(r.step_mg / q_mg))
        self.ladder: list[int] = [*range(start_q, target_q, step_q), target_q]

        per_intake = math.floor(r.max_single_mg / q_mg + EPSILON)
        if per_intake < 1:
            raise InvalidInputError(
                "Regimen.max_single_dose",
                f"at least the smallest amount of the product "
                f"({self._units(1)}, {format_mg(q_mg)})",
                str(r.max_single_dose),
            )
        self.per_intake_q = per_intake
        needed = math.ceil(target_q / per_intake)
        if needed > len(r.slots):
            raise InvalidInputError(
                "Regimen.slots",
                f"{needed} evening slots: {self._mg(target_q)} a day in intakes of "
                f"at most {format_mg(r.max_single_mg)} takes {needed} intakes "
                "(add slots, or raise max_single_dose)",
                f"{len(r.slots)} slot{'s' if len(r.slots) != 1 else ''}",
            )

        def adjusted(what: str, asked: float, got_q: int, why: str) -> None:
            if abs(asked - got_q * q_mg) > 0.05:
                self._decide(
                    start,
                    Action.ADJUST,
                    f"The {what} of {format_mg(asked)} is {why}: the plan uses "
                    f"{self._units(got_q)} ({self._mg(got_q)}).",
                )

        unit = f"{self._units(1)} ({self._mg(1)})"
        adjusted(
            "start dose",
            r.start_mg,
            start_q,
            f"not a whole number of {self.product.unit_plural}"
            if r.start_mg >= q_mg
            else f"less than {unit}",
        )
        adjusted(
            "step",
            r.step_mg,
            step_q,
            f"smaller than {unit}"
            if r.step_mg < q_mg
            else f"not a whole number of {self.product.unit_plural}",
        )
        if r.target_mg - target_q * q_mg > 0.05:
            why = (
                f"above what whole {self.product.unit_plural} give under the cap"
                if (target_q + 1) * q_mg > self.cap + EPSILON
                else f"not a whole number of {self.product.unit_plural}"
            )
            adjusted("target dose", r.target_mg, target_q, why)

    def _place_slots(self) -> list[tuple[dt.time, tuple[str, ...]]]:
        """Each slot's time after spacing from other medicines, and any clash.

        A slot too close to a medicine moves to the nearest time in the
        evening window (5-minute steps) that clashes with none and keeps the
        slots in order; if there is none, it stays and the clash is kept.
        """
        r = self.regimen
        medicines = [m for m in self.profile.medicines if not m.rule.flag_only]

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

    def _spacing_decisions(self, start: dt.date) -> None:
        r = self.regimen
        for slot, (at, found) in zip(r.slots, self.placements, strict=True):
            name = f"{slot.time:%H:%M}" + (f" ({slot.label})" if slot.label else "")
            if at != slot.time:
                why = "; ".join(
                    m.rule.describe()
                    for m in self.profile.medicines
                    if m.clashes(slot.time)
                )
                self._decide(
                    start,
                    Action.SPACING,
                    f"The {name} intake moves to {at:%H:%M}: {why}.",
                )
            elif found:
                self._decide(
                    start,
                    Action.SPACING,
                    f"The {name} intake is too close to another medicine and no "
                    f"time from {r.window_start:%H:%M} to {r.window_end:%H:%M} "
                    f"avoids it: {'; '.join(found)}. Ask a pharmacist or "
                    "clinician how to space them.",
                    consult=True,
                )
        for medicine in self.profile.medicines:
            if medicine.rule.flag_only:
                self._decide(
                    start,
                    Action.NOTE,
                    medicine.rule.note,
                    suggestion=medicine.rule.note,
                )

    # -- helpers ------------------------------------------------------------

    def _units(self, quanta: int) -> str:
        return self.product.describe_units(quanta * self.product.unit_step)

    def _mg(self, quanta: int) -> str:
        return format_mg(quanta * self.quantum_mg)

    def _dose(self, quanta: int) -> str:
        return f"{self._mg(quanta)} ({self._units(quanta)})"

    def _rung_mg(self, rung: int) -> float:
        return _round_mg(self.ladder[rung] * self.product.unit_step * self.unit_mg)

    def _decide(
        self,
        date: dt.date,
        action: Action,
        message: str,
        *,
        before: float | None = None,
        after: float | None = None,
        cause: SideEffectReport | MissedDose | None = None,
        consult: bool = False,
        suggestion: str = "",
    ) -> None:
        self.decisions.append(
            Decision(
                date=date,
                action=action,
                message=message,
                dose_before_mg=before,
                dose_after_mg=after,
                cause=cause,
                consult_clinician=consult,
                suggestion=suggestion,
            )
        )
        if suggestion and suggestion not in self.suggestions:
            self.suggestions.append(suggestion)

    def _switch_suggestion(self) -> str:
        form = self.product.magnesium_form
        gentler = lower_gi_alternatives(form)
        if not gentler:
            return (
                f"Side effects at the lowest dose of {form.name}, which already "
                "has the lowest GI tendency catalogued: talk to a clinician "
                "before going on."
            )
        names = ", ".join(g.name for g in gentler[:3])
        return (
            f"Side effects at the lowest dose: {form.name} has a "
            f"{form.gi_tendency.value} GI tendency. A form with a lower one "
            f"(such as {names}) may suit better; ask a pharmacist or clinician."
        )

    # -- the simulation -----------------------------------------------------

    def run(self) -> Schedule:
        """The schedule with every report applied."""
        state = self._begin()
        self._simulate(state, self.regimen.start_date, self.reports, self.missed)
        self._check_late_reports()
        return self._finish(state, self.reports, self.missed)

    def history(self) -> list[tuple[dt.date, Schedule]]:
        """The plan as it stood before each report date, oldest first.

        Version *i* has the reports dated before the *i*-th report date. Up to
        that date it is the final plan, so each version resumes from a snapshot
        of the final run's state instead of planning again from the start.
        """
        dates = sorted({r.date for r in self.reports} | {m.date for m in self.missed})
        snapshots: dict[dt.date, _Snapshot] = {}
        state = self._begin()
        self._simulate(
            state,
            self.regimen.start_date,
            self.reports,
            self.missed,
            snapshots=snapshots,
            at=set(dates),
        )
        versions = []
        for cut in dates:
            snap = snapshots[cut]
            reports = tuple(x for x in self.reports if x.date < cut)
            missed = tuple(x for x in self.missed if x.date < cut)
            branch = copy.copy(self)
            branch.days = self.days[: snap.days]
            branch.decisions = self.decisions[: snap.decisions]
            branch.suggestions = list(snap.suggestions)
            resumed = copy.deepcopy(snap.state)
            branch._simulate(resumed, cut, (), missed)
            versions.append((cut, branch._finish(resumed, reports, missed)))
        return versions

    def _begin(self) -> _State:
        r = self.regimen
        start = r.start_date
        last = len(self.ladder) - 1
        state = _State(
            rung=0,
            top=last,
            mode=Phase.MAINTAINING if last == 0 else Phase.TITRATING,
            next_increase=None if last == 0 else start + dt.timedelta(self.interval),
            maintenance_since=start if last == 0 else None,
        )
        top_text = self._dose(self.ladder[-1])
        slot = r.slots[r.single_slot]
        ladder_text = (
            f"; +{self._mg(self.ladder[1] - self.ladder[0])} every "
            f"{self.interval} days up to {top_text}"
            if last
            else ", which is the target"
        )
        self._decide(
            start,
            Action.START,
            f"Starting on {start.isoformat()} at {self._dose(self.ladder[0])}, "
            f"{slot.label or slot.time.strftime('%H:%M')}{ladder_text}.",
            after=self._rung_mg(0),
        )
        self._spacing_decisions(start)
        return state

    def _simulate(
        self,
        state: _State,
        day: dt.date,
        reports: tuple[SideEffectReport, ...],
        missed: tuple[MissedDose, ...],
        *,
        snapshots: dict[dt.date, _Snapshot] | None = None,
        at: set[dt.date] | frozenset[dt.date] = frozenset(),
    ) -> None:
        start = self.regimen.start_date
        reports_by_day: dict[dt.date, list[SideEffectReport]] = defaultdict(list)
        for report in reports:
            reports_by_day[report.date].append(report)
        missed_by_day = {m.date: m for m in missed}
        while True:
            end = self._plan_end(state)
            if end is not None and day > end:
                break
            if (day - start).days >= MAX_PLAN_DAYS:
                raise InvalidInputError(
                    "Regimen",
                    f"a plan that ends within {MAX_PLAN_DAYS} days",
                    f"a plan still running on {day.isoformat()}",
                )
            if snapshots is not None and day in at:
                snapshots[day] = _Snapshot(
                    copy.deepcopy(state),
                    len(self.days),
                    len(self.decisions),
                    tuple(self.suggestions),
                )
            if (
                state.mode is Phase.PAUSED
                and state.pause_until is not None
                and day > state.pause_until
            ):
                self._restart_after_pause(day, state)
            self._missed_restart(day, state, missed_by_day)
            if day in reports_by_day:
                self._apply_reports(day, state, reports_by_day[day])
            if state.next_increase == day and state.mode is not Phase.PAUSED:
                self._increase(day, state)
            self._emit(day, state, day in missed_by_day)
            day += dt.timedelta(1)

    def _check_late_reports(self) -> None:
        last_day = self.days[-1].date
        late = [
            (f"reports[{i}].date", x.date)
            for i, x in enumerate(self.reports)
            if x.date > last_day
        ] + [
            (f"missed[{i}].date", x.date)
            for i, x in enumerate(self.missed)
            if x.date > last_day
        ]
        if late:
            name, date = late[0]
            raise InvalidInputError(
                name,
                f"a date within the plan (it ends on {last_day.isoformat()})",
                date.isoformat(),
            )

    def _finish(
        self,
        state: _State,
        reports: tuple[SideEffectReport, ...],
        missed: tuple[MissedDose, ...],
    ) -> Schedule:
        r = self.regimen
        ceiling = (
            None if state.ceiling_rung is None else self._rung_mg(state.ceiling_rung)
        )
        return Schedule(
            plan_id=r.id,
            regimen=r,
            profile=self.profile,
            policy=self.policy,
            reports=tuple(sorted(reports, key=lambda x: x.date)),
            missed=tuple(sorted(missed, key=lambda x: x.date)),
            as_of=self.as_of,
            daily_cap_mg=self.cap,
            cap_reason=self.profile.cap_reason,
            ladder_mg=tuple(self._rung_mg(i) for i in range(len(self.ladder))),
            ceiling_mg=ceiling,
            days=tuple(self.days),
            decisions=tuple(self.decisions),
            consult_clinician=any(d.consult_clinician for d in self.decisions),
            suggestions=tuple(self.suggestions),
        )

    def _plan_end(self, state: _State) -> dt.date | None:
        if self.regimen.end_date is not None:
            return self.regimen.end_date
        if state.maintenance_since is None:
            return None
        days = max(1, self.regimen.maintenance_days)
        return state.maintenance_since + dt.timedelta(days - 1)

    def _set_rung(self, state: _State, rung: int, day: dt.date) -> None:
        state.rung = rung
        state.mild_in_step = 0
        if rung >= state.top:
            state.mode = Phase.MAINTAINING
            state.next_increase = None
            if state.maintenance_since is None:
                state.maintenance_since = day
        else:
            state.maintenance_since = None

    def _restart_after_pause(self, day: dt.date, state: _State) -> None:
        state.mode = Phase.TITRATING
        state.pause_until = None
        state.next_increase = day + dt.timedelta(self.interval)
        self._set_rung(state, 0, day)
        self._decide(
            day,
            Action.RESTART,
            f"The pause is over: restarting at the start dose, "
            f"{self._dose(self.ladder[0])}. Talk to a clinician before going on.",
            before=0.0,
            after=self._rung_mg(0),
            consult=True,
        )

    def _missed_restart(
        self, day: dt.date, state: _State, missed: dict[dt.date, MissedDose]
    ) -> None:
        n = self.policy.missed_days_restart
        if state.mode is Phase.PAUSED or not missed:
            return
        run = [day - dt.timedelta(k) for k in range(1, n + 2)]
        # Fire once, on the day after the n-th evening in a row was missed.
        if not all(d in missed for d in run[:n]) or run[n] in missed:
            return
        if any(self._day_paused(d) for d in run[:n]):
            return
        before = self._rung_mg(state.rung)
        rung = max(0, state.rung - 1)
        where = "one step lower" if rung < state.rung else "at the start dose"
        state.mode = Phase.TITRATING
        state.next_increase = day + dt.timedelta(self.interval)
        self._set_rung(state, rung, day)
        self._decide(
            day,
            Action.MISSED_RESTART,
            f"{n} evenings in a row missed ({run[n - 1].isoformat()} to "
            f"{run[0].isoformat()}): restarting {where} at "
            f"{self._dose(self.ladder[rung])}.",
            before=before,
            after=self._rung_mg(rung),
            cause=missed[run[0]],
        )

    def _day_paused(self, date: dt.date) -> bool:
        index = (date - self.regimen.start_date).days
        return 0 <= index < len(self.days) and not self.days[index].intakes

    def _apply_reports(
        self, day: dt.date, state: _State, reports: list[SideEffectReport]
    ) -> None:
        report = max(reports, key=lambda x: x.severity.rank)
        also = [x.describe() for x in reports if x is not report]
        extra = f" (also reported: {'; '.join(also)})" if also else ""
        what = report.describe() + extra
        policy, interval = self.policy, self.interval

        if state.mode is Phase.PAUSED:
            assert state.pause_until is not None
            if report.severity is Severity.SEVERE:
                state.pause_until = day + dt.timedelta(policy.pause_for(interval) - 1)
                self._decide(
                    day,
                    Action.PAUSE,
                    f"{what} during the pause: extending it to "
                    f"{state.pause_until.isoformat()}. Talk to a clinician.",
                    before=0.0,
                    after=0.0,
                    cause=report,
                    consult=True,
                )
            else:
                self._decide(
                    day,
                    Action.NOTE,
                    f"{what} during the pause: no change; the pause ends on "
                    f"{state.pause_until.isoformat()}.",
                    before=0.0,
                    after=0.0,
                    cause=report,
                )
            return

        rung = state.rung
        current = self._rung_mg(rung)
        at = f"{what} at {self._mg(self.ladder[rung])}"
        lowest = rung == 0
        suggestion = self._switch_suggestion() if lowest else ""

        if report.severity is Severity.SEVERE:
            days = policy.pause_for(interval)
            state.mode = Phase.PAUSED
            state.pause_until = day + dt.timedelta(days - 1)
            state.next_increase = None
            state.maintenance_since = None
            state.mild_in_step = 0
            if rung > 0:
                state.retried.add(rung)
            self._decide(
                day,
                Action.PAUSE,
                f"{at}: no magnesium for {days} days, then restarting at "
                f"{self._mg(self.ladder[0])} on "
                f"{(state.pause_until + dt.timedelta(1)).isoformat()}. "
                "Talk to a clinician.",
                before=current,
                after=0.0,
                cause=report,
                consult=True,
                suggestion=suggestion,
            )
            return

        repeated_mild = (
            report.severity is Severity.MILD
            and state.mild_in_step + 1 >= policy.mild_reports_to_step_back
        )
        if report.severity is Severity.MODERATE or repeated_mild:
            if repeated_mild:
                at = (
                    f"{at}, the {_ordinal(state.mild_in_step + 1)} mild report "
                    "at this dose"
                )
            if rung in state.retried:
                lower = rung - 1
                state.ceiling_rung = lower
                state.top = min(state.top, lower)
                self._set_rung(state, lower, day)
                self._decide(
                    day,
                    Action.CEILING,
                    f"{at}, again: {self._dose(self.ladder[lower])} becomes the "
                    f"ceiling for the rest of the plan; {self._mg(self.ladder[rung])} "
                    "will not be scheduled again.",
                    before=current,
                    after=self._rung_mg(lower),
                    cause=report,
                )
            elif lowest:
                hold = policy.hold_for(interval)
                state.mild_in_step = 0
                if state.next_increase is not None:
                    state.next_increase = day + dt.timedelta(hold)
                    state.mode = Phase.HOLDING
                    then = f"the next increase moves to {state.next_increase}"
                else:
                    then = "no increase is due"
                self._decide(
                    day,
                    Action.HOLD,
                    f"{at}, the lowest dose: holding it; {then}.",
                    before=current,
                    after=current,
                    cause=report,
                    suggestion=suggestion,
                )
            else:
                lower = rung - 1
                days = policy.step_back_for(interval)
                state.retried.add(rung)
                self._set_rung(state, lower, day)
                state.mode = Phase.STEPPED_BACK
                state.next_increase = day + dt.timedelta(days)
                self._decide(
                    day,
                    Action.STEP_BACK,
                    f"{at}: stepping back to {self._mg(self.ladder[lower])} for "
                    f"{days} days, then retrying {self._mg(self.ladder[rung])} once.",
                    before=current,
                    after=self._rung_mg(lower),
                    cause=report,
                )
            return

        # A first mild report in this step: hold the dose.
        state.mild_in_step += 1
        if state.next_increase is not None:
            state.next_increase += dt.timedelta(policy.hold_for(interval))
            if state.mode is not Phase.STEPPED_BACK:
                state.mode = Phase.HOLDING
            then = f"the next increase moves to {state.next_increase.isoformat()}"
        else:
            then = "no increase is due"
        self._decide(
            day,
            Action.HOLD,
            f"{at}: holding {self._mg(self.ladder[rung])}; {then}.",
            before=current,
            after=current,
            cause=report,
        )

    def _increase(self, day: dt.date, state: _State) -> None:
        if state.rung >= state.top:
            state.next_increase = None
            state.mode = Phase.MAINTAINING
            return
        before = self._rung_mg(state.rung)
        rung = state.rung + 1
        retry = rung in state.retried
        state.mode = Phase.TITRATING
        state.next_increase = day + dt.timedelta(self.interval)
        self._set_rung(state, rung, day)
        dose = self._dose(self.ladder[rung])
        if rung == state.top:
            reached = "the ceiling" if state.ceiling_rung == rung else "the target"
            if retry:
                message = f"Retrying {dose} once; it is {reached}."
            else:
                message = f"Increasing to {dose}: {reached} is reached."
            action = Action.REACH_TARGET
        else:
            message = f"Retrying {dose} once." if retry else f"Increasing to {dose}."
            action = Action.INCREASE
        self._decide(day, action, message, before=before, after=self._rung_mg(rung))

    # -- output -------------------------------------------------------------

    def _emit(self, day: dt.date, state: _State, missed: bool) -> None:
        # The engine's own output is valid by construction: model_construct
        # skips re-validating thousands of values (a year plans in ~ms).
        if state.mode is Phase.PAUSED:
            self.days.append(
                DayEntry.model_construct(
                    date=day,
                    phase=Phase.PAUSED,
                    step=0,
                    units=0.0,
                    elemental_mg=0.0,
                    compound_mg=0.0,
                    intakes=(),
                    missed=False,
                )
            )
            return
        quanta = self.ladder[state.rung]
        units = quanta * self.product.unit_step
        self.days.append(
            DayEntry.model_construct(
                date=day,
                phase=state.mode,
                step=state.rung + 1,
                units=units,
                elemental_mg=_round_mg(units * self.unit_mg),
                compound_mg=_round_mg(units * self.unit_compound_mg),
                intakes=self._intakes(day, quanta),
                missed=missed,
            )
        )

    def _intakes(self, day: dt.date, quanta: int) -> tuple[Intake, ...]:
        # Shared by the history's branches, which repeat the same days.
        key = (day, quanta)
        cached = self._day_intakes.get(key)
        if cached is not None:
            return cached
        step = self.product.unit_step
        zone = self.regimen.zone
        intakes = []
        for slot_index, portion in self._split(quanta):
            slot = self.regimen.slots[slot_index]
            at, conflicts = self.placements[slot_index]
            units = portion * step
            intakes.append(
                Intake.model_construct(
                    at=_local(day, at, zone),
                    slot=slot.name,
                    slot_index=slot_index,
                    moved_from=None if at == slot.time else slot.time,
                    conflicts=conflicts,
                    units=units,
                    elemental_mg=_round_mg(units * self.unit_mg),
                    compound_mg=_round_mg(units * self.unit_compound_mg),
                )
            )
        result = self._day_intakes[key] = tuple(intakes)
        return result

    def _split(self, quanta: int) -> list[tuple[int, int]]:
        """(slot index, quanta) per intake: as even as possible, larger first."""
        cached = self._split_cache.get(quanta)
        if cached is not None:
            return cached
        slots = len(self.regimen.slots)
        k = math.ceil(quanta / self.per_intake_q)
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


def _local(day: dt.date, time: dt.time, zone: dt.tzinfo) -> dt.datetime:
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


def _round_mg(mg: float) -> float:
    """Every mg figure in a schedule is rounded the same way, so they compare."""
    return round(mg, 6)


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third"}.get(n, f"{n}th")
