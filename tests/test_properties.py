"""Invariants of the engine, for any regimen and any sequence of reports."""

import datetime as dt
import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import Action, Phase

from .strategies import regimens, resolutions, scenarios
from .test_fast_forward import Case, cases

Scenario = tuple[mgplan.Regimen, list[mgplan.SideEffectReport], list[mgplan.MissedDose]]

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _plan(scenario: Scenario) -> mgplan.Schedule:
    regimen, reports, missed = scenario
    return mgplan.plan(regimen, reports=reports, missed=missed)


_CEILING_RULES = {
    "moderate-retried",
    "moderate-lowest-again",
    "severe-pause",
    "severe-stop",
}


@PROPERTY
@given(scenarios())
def test_never_above_cap_or_ceiling(scenario: Scenario) -> None:
    """No day goes above the cap, and none after the last ceiling was set
    goes above the final ceiling (no clinician lifted it here)."""
    s = _plan(scenario)
    for entry in s.days:
        total = sum(i.elemental_mg for i in entry.intakes)
        assert abs(total - entry.elemental_mg) < 1e-6
        assert entry.elemental_mg <= s.daily_cap_mg + 1e-9
    set_on = [d.date for d in s.decisions if d.rule in _CEILING_RULES]
    if set_on:
        assert s.ceiling_mg is not None
        for entry in s.days:
            if entry.date > max(set_on):
                assert entry.elemental_mg <= s.ceiling_mg + 1e-9


@PROPERTY
@given(scenarios())
def test_no_increase_during_a_hold(scenario: Scenario) -> None:
    """A day that is holding or stepped back never has more than the day
    before, unless it resumes after a pause."""
    s = _plan(scenario)
    for before, entry in zip(s.days, s.days[1:], strict=False):
        if entry.phase not in (Phase.HOLDING, Phase.STEPPED_BACK):
            continue
        if before.phase is not Phase.PAUSED:
            assert entry.elemental_mg <= before.elemental_mg + 1e-9


@PROPERTY
@given(scenarios())
def test_step_back_always_lowers(scenario: Scenario) -> None:
    """Every step back and ceiling lowers the dose, and the day shows it."""
    s = _plan(scenario)
    last_on: dict[dt.date, mgplan.Decision] = {}
    for decision in s.decisions:
        if decision.cause is not None and decision.dose_after_mg is not None:
            last_on[decision.date] = decision
    for decision in s.decisions:
        if last_on.get(decision.date) is not decision:
            continue  # replaced by a worse report in the same episode that day
        if decision.action is Action.STEP_BACK or (
            decision.action is Action.CEILING
            and decision.dose_before_mg != decision.dose_after_mg
        ):
            assert decision.dose_before_mg is not None
            assert decision.dose_after_mg is not None
            assert decision.dose_after_mg < decision.dose_before_mg
            assert (
                abs(s.day(decision.date).elemental_mg - decision.dose_after_mg) < 1e-6
            )


@PROPERTY
@given(scenarios())
def test_units_whole_or_permitted_halves(scenario: Scenario) -> None:
    """Every intake is whole units, or halves for a splittable product."""
    s = _plan(scenario)
    step = s.regimen.product.unit_step
    for intake in s.intakes():
        assert intake.units > 0
        assert abs(intake.units / step - round(intake.units / step)) < 1e-9
        assert intake.elemental_mg <= s.regimen.max_single_mg + 1e-6


# Found by the test below: 23:00 does not exist that evening, and 22:30
# moves with it, although it exists.
NUUK_SPRING_FORWARD = (
    mgplan.Regimen(
        product=mgplan.Product(name="P", form="aspartate", amount_per_unit=25),
        start_date=dt.date(2025, 3, 28),
        tz="America/Nuuk",
        start_dose="50 mg",
        target_dose="50 mg",
        max_single_dose="25 mg",
        slots=["22:30", "23:00"],
        window_start="16:00",
        window_end="23:59",
        end_date=dt.date(2025, 3, 30),
    ),
    [],
    [],
)


@PROPERTY
@example(scenario=NUUK_SPRING_FORWARD)
@given(scenarios())
def test_intakes_in_evening_slots_local_time(scenario: Scenario) -> None:
    """Each intake is on its day, at one of the slots, in the regimen's zone."""
    s = _plan(scenario)
    zone = s.regimen.zone
    by_name = {slot.name: slot.time for slot in s.regimen.slots}
    for entry in s.days:
        for intake in entry.intakes:
            local = intake.at.astimezone(zone)
            assert entry.date == local.date()
            assert str(intake.at.tzinfo) == s.regimen.tz
            # Off its slot's wall time only on a day the clock changes (in
            # the gap, or pushed by a neighbour in it, to keep the two in
            # order and apart: America/Nuuk springs forward at 23:00, and
            # 22:30 and 23:00 become 21:30 and 22:00), by at most an hour,
            # and never onto another date (checked above).
            wall = dt.datetime.combine(entry.date, by_name[intake.slot])
            if local.replace(tzinfo=None) != wall:
                midnight = dt.datetime.combine(entry.date, dt.time(), tzinfo=zone)
                after = midnight + dt.timedelta(days=1)
                assert midnight.utcoffset() != after.utcoffset()
                assert abs(local.replace(tzinfo=None) - wall) <= dt.timedelta(hours=1)


@PROPERTY
@given(scenarios())
def test_deterministic_and_json_round_trip(scenario: Scenario) -> None:
    """The same input plans the same schedule, and JSON brings it back whole."""
    s = _plan(scenario)
    assert s == _plan(scenario)
    assert s == mgplan.Schedule.from_json(s.to_json())


@PROPERTY
@given(scenarios())
def test_one_entry_per_day(scenario: Scenario) -> None:
    """Days are consecutive with no gaps, from the start to the end date."""
    s = _plan(scenario)
    dates = [e.date for e in s.days]
    assert s.regimen.start_date == dates[0]
    assert s.regimen.end_date == dates[-1]
    assert all((b - a).days == 1 for a, b in itertools.pairwise(dates))


def _dose_on(s: mgplan.Schedule, date: dt.date) -> float:
    if not s.start <= date <= s.end:
        return 0.0
    return s.day(date).elemental_mg


@PROPERTY
@given(scenarios(), st.data())
def test_severe_dose_never_again(scenario: Scenario, data: st.DataObject) -> None:
    """After a severe episode at dose D no later day is at or above D (no
    clinician acknowledgement here), whatever resolutions are recorded."""
    regimen, reports, missed = scenario
    resolved = data.draw(resolutions(regimen.start_date, 60))
    s = mgplan.plan(regimen, reports=reports, missed=missed, resolved=resolved)
    for decision in s.decisions:
        if decision.action not in (Action.PAUSE, Action.STOP):
            continue
        if decision.rule not in ("severe-pause", "severe-stop"):
            continue
        cause = decision.cause
        assert isinstance(cause, mgplan.SideEffectReport)
        barred = _dose_on(s, cause.dose_date)
        if decision.action is Action.PAUSE and decision.dose_before_mg == 0:
            continue  # learnt while paused: the bar is checked by the ceiling
        for entry in s.days:
            if entry.date >= decision.date:
                assert entry.elemental_mg < barred - 1e-9 or not entry.intakes


@PROPERTY
@given(scenarios())
def test_no_increase_within_an_interval_of_an_episode(scenario: Scenario) -> None:
    """For one step interval after a report that acted on a dosed plan, no
    day has more than the dose taken the evening before the report acted."""
    s = _plan(scenario)
    interval = dt.timedelta(s.regimen.step_interval_days)
    for decision in s.decisions:
        cause = decision.cause
        if not isinstance(cause, mgplan.SideEffectReport):
            continue
        if decision.rule in ("dose-evening", "grading", "waiting"):
            continue
        before = decision.date - dt.timedelta(1)
        if before < s.start or not s.day(before).intakes:
            continue
        in_force = s.day(before).elemental_mg
        for entry in s.days:
            if decision.date <= entry.date < decision.date + interval:
                assert entry.elemental_mg <= in_force + 1e-9


@PROPERTY
@given(regimens(), st.integers(0, 60), st.sampled_from([0, 1, 1, 2]))
def test_worse_report_never_a_larger_dose(
    regimen: mgplan.Regimen, offset: int, back: int
) -> None:
    """One report, mild < moderate < severe: on every day both plans cover,
    the worse report's dose is never above the milder one's."""
    regimen = regimen.replace(end_date=regimen.start_date + dt.timedelta(120))
    date = regimen.start_date + dt.timedelta(offset)
    plans = [
        mgplan.plan(
            regimen,
            reports=[
                mgplan.SideEffectReport(
                    date=date, dose_date=date - dt.timedelta(back), severity=sev
                )
            ],
        )
        for sev in ("mild", "moderate", "severe")
    ]
    for milder, worse in itertools.pairwise(plans):
        for entry in worse.days:
            if entry.date <= milder.end:
                assert entry.elemental_mg <= milder.day(entry.date).elemental_mg + 1e-9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regimens(), st.lists(st.integers(0, 3600), max_size=20), st.data())
def test_cap_and_ceiling_hold_over_ten_years(
    regimen: mgplan.Regimen, offsets: list[int], data: st.DataObject
) -> None:
    """Ten-year plans with reports spread over them keep the cap and ceiling."""
    regimen = regimen.replace(end_date=regimen.start_date + dt.timedelta(3652))
    reports = [
        mgplan.SideEffectReport(
            date=regimen.start_date + dt.timedelta(o),
            severity=data.draw(st.sampled_from(["mild", "moderate", "severe"])),
        )
        for o in offsets
    ]
    resolved = data.draw(resolutions(regimen.start_date, 3600))
    s = mgplan.plan(regimen, reports=reports, resolved=resolved)
    assert s.end == regimen.end_date
    set_on = [d.date for d in s.decisions if d.rule in _CEILING_RULES]
    for entry in s.days:
        assert entry.elemental_mg <= s.daily_cap_mg + 1e-9
        if set_on and entry.date > max(set_on):
            assert s.ceiling_mg is not None
            assert entry.elemental_mg <= s.ceiling_mg + 1e-9


@PROPERTY
@given(cases())
def test_no_dose_again_at_or_above_a_severe_reaction(case: Case) -> None:
    """Whatever the engine made of it: after a severe report about an evening
    with magnesium, no evening from the report on has that dose or more,
    without a clinician's acknowledgement. Over plans with a baseline, an
    n-of-1 trial, skipped evenings, resolutions and retractions (a severe
    report about the dose before an off block was once only noted, and the
    next on block gave that dose again)."""
    regimen, profile, journal = case
    if any(isinstance(e, mgplan.ClinicianAck) for e in journal):
        return  # an acknowledgement may lift the bar
    try:
        s = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    for report in s.reports:
        if report.grade is not mgplan.Severity.SEVERE or report.dose_date < s.start:
            continue
        evening = s.day(min(report.dose_date, s.end))
        if not evening.intakes or evening.missed:
            continue
        effective = max(report.date, report.dose_date + dt.timedelta(1))
        for day in s.days:
            if day.date >= effective and day.intakes:
                assert day.elemental_mg < evening.elemental_mg - 1e-9


@PROPERTY
@given(cases())
def test_every_report_and_acknowledgement_is_answered(case: Case) -> None:
    """Every side-effect report and every clinician's acknowledgement that
    counts is the cause of a decision: none is read past in silence (one
    dated in an n-of-1 off block once was)."""
    regimen, profile, journal = case
    try:
        s = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    causes = [d.cause for d in s.decisions if d.cause is not None]
    for entry in (*s.reports, *s.clinician):
        assert entry in causes


@PROPERTY
@given(cases(), st.data())
def test_a_worse_report_never_a_higher_step(case: Case, data: st.DataObject) -> None:
    """One report added to a journal of any other kinds (other medicines, a
    baseline, skipped evenings, resolutions): mild, moderate and severe in
    turn never give a higher step of the ladder on any evening with
    magnesium. (Steps, not mg: a higher step split over slots may lose an
    intake to a clash and come out below a lower one. Trials are left out:
    a report moves the day maintenance ends, and the blocks with it.)"""
    regimen, profile, journal = case
    if regimen.trial is not None:
        return
    kept = [
        e
        for e in journal
        if not isinstance(
            e,
            mgplan.SideEffectReport
            | mgplan.Retracted
            | mgplan.Stools
            | mgplan.ClinicianAck,
        )
    ]
    try:
        base = mgplan.plan(regimen, profile, journal=kept)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    dosed = [d.date for d in base.days if d.intakes and not d.missed]
    if not dosed:
        return
    evening = data.draw(st.sampled_from(dosed))
    date = evening + dt.timedelta(data.draw(st.sampled_from([0, 1, 1, 2])))
    if date > base.end:
        return
    plans = []
    for severity in ("mild", "moderate", "severe"):
        report = mgplan.SideEffectReport(
            date=date, dose_date=evening, severity=severity
        )
        logged = sorted([*kept, report], key=lambda e: e.date)  # type: ignore[attr-defined]
        try:
            plans.append(mgplan.plan(regimen, profile, journal=logged))  # type: ignore[arg-type]
        except mgplan.MgplanError:
            return  # a stop ended the plan before a later entry: refused
    for milder, worse in itertools.pairwise(plans):
        for a, b in zip(milder.days, worse.days, strict=False):
            assert b.step <= a.step or not b.intakes


def _with_magnesium(s: mgplan.Schedule) -> list[mgplan.DayEntry]:
    """The evenings with magnesium: a dose with intakes, not skipped."""
    return [d for d in s.days if d.step and d.intakes and not d.missed]


@PROPERTY
@given(cases())
def test_one_step_at_a_time_between_evenings_with_magnesium(case: Case) -> None:
    """From one evening with magnesium to the next, the ladder rises one
    step at most, whatever lies between them (skipped evenings, a pause, an
    off block, evenings a clash left without an intake), and no day is above
    the cap. Eleven evenings with every intake left out for a ciprofloxacin
    course once let the ladder climb on: 150 mg before, 250 mg after."""
    regimen, profile, journal = case
    try:
        s = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    assert all(d.elemental_mg <= s.daily_cap_mg + 1e-9 for d in s.days)
    for before, after in itertools.pairwise(_with_magnesium(s)):
        assert after.step <= before.step + 1


@PROPERTY
@given(cases())
def test_an_increase_follows_an_interval_at_the_step_below(case: Case) -> None:
    """Every step up comes after one full step interval of days at the step
    below it: never two increases within an interval, never right after a
    restart lower, over journals of every kind. (Days of an n-of-1 off block
    do not hold the titration back: the blocks are drawn in advance, and an
    increase due in one comes on the next on block's first evening.)"""
    regimen, profile, journal = case
    try:
        s = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    interval = s.regimen.step_interval_days
    for before, after in itertools.pairwise(_with_magnesium(s)):
        if after.step > before.step:
            for back in range(1, interval + 1):
                day = s.day(after.date - dt.timedelta(back))
                assert day.step == before.step or day.phase is Phase.TRIAL_OFF


@PROPERTY
@given(cases())
def test_no_step_up_within_an_interval_of_a_report(case: Case) -> None:
    """Whatever the engine made of it: from the day a report about an evening
    with magnesium counts, for one step interval, no day is at a higher step
    than the highest before it counted (no acknowledgement in the journal:
    one may lift a ceiling)."""
    regimen, profile, journal = case
    if any(isinstance(e, mgplan.ClinicianAck) for e in journal):
        return
    try:
        s = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    interval = dt.timedelta(s.regimen.step_interval_days)
    for report in s.reports:
        if not s.start <= report.dose_date <= s.end:
            continue
        evening = s.day(report.dose_date)
        if not evening.intakes or evening.missed:
            continue
        effective = max(report.date, report.dose_date + dt.timedelta(1))
        known = max(d.step for d in s.days if report.dose_date <= d.date < effective)
        for day in s.days:
            if effective <= day.date < effective + interval:
                assert day.step <= known
