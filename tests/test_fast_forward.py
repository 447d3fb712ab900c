"""The engine skips ahead over days on which nothing can happen. Planning
day by day must give the very same schedules, for any regimen and journal."""

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import _engine

from .strategies import CLOCK_CHANGES, regimens

Case = tuple[mgplan.Regimen, mgplan.SafetyProfile, list[object]]

WINDOW = 90  # entries fall within the first three months


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A regimen with a baseline, a trial or an end date (or neither), a
    profile with other medicines, and a journal of every kind, back-dated
    and retracted entries included."""
    regimen = draw(regimens())
    start = regimen.start_date
    baseline = draw(st.sampled_from([0, 0, 3, 7]))
    ending = draw(st.sampled_from(["open", "end", "trial"]))
    # Long enough for the entries, mostly: one past the end is refused,
    # and both ways must refuse it alike.
    changes: dict[str, object] = {
        "baseline_days": baseline,
        "maintenance_days": draw(st.integers(0, WINDOW + 30)),
    }
    if ending == "end":
        changes["end_date"] = start + dt.timedelta(draw(st.integers(1, 200)))
    elif ending == "trial":
        changes["trial"] = mgplan.Trial(
            pairs=2,
            block_days=draw(st.integers(3, 10)),
            washout_days=1,
            seed=draw(st.integers(0, 1000)),
        )
    regimen = regimen.replace(**changes)
    medicines = draw(
        st.lists(
            st.sampled_from(
                [
                    mgplan.Medicine(name="levothyroxine", times=["20:00"]),
                    mgplan.Medicine(
                        name="ciprofloxacin",
                        times=["19:00"],
                        start=start + dt.timedelta(20),
                        end=start + dt.timedelta(30),
                    ),
                    mgplan.Medicine(
                        name="alendronate", times=["21:00"], weekdays=["sun"]
                    ),
                    # A course that leaves an evening room for one intake.
                    mgplan.Medicine(
                        name="levothyroxine",
                        times=["21:15"],
                        start=start + dt.timedelta(10),
                        end=start + dt.timedelta(24),
                    ),
                ]
            ),
            max_size=2,
            unique_by=lambda m: m.name,
        )
    )
    profile = mgplan.SafetyProfile(medicines=medicines)
    first = regimen.dose_start

    def day(low: int = 0) -> dt.date:
        return first + dt.timedelta(draw(st.integers(low, WINDOW)))

    def any_day(low: int = 0) -> dt.date:
        """A day in the plan, the baseline included."""
        lead = (first - start).days
        return start + dt.timedelta(draw(st.integers(low, lead + WINDOW)))

    entries: list[object] = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(
            st.sampled_from(
                [
                    *("report", "report", "missed", "gap", "resolved"),
                    *("ack", "ferritin", "stools", "rating", "taken"),
                ]
            )
        )
        if kind == "report":  # about an evening of the baseline, or after
            date = any_day(1)
            back = draw(st.integers(0, 3))
            entries.append(
                mgplan.SideEffectReport(
                    date=date,
                    dose_date=max(start, date - dt.timedelta(back)),
                    symptom=draw(
                        st.sampled_from(["loose-stools", "cramping", "nausea"])
                    ),
                    severity=draw(st.sampled_from(["mild", "moderate", "severe"])),
                )
            )
        elif kind == "missed":
            entries.append(mgplan.MissedDose(date=day()))
        elif kind == "gap":  # evenings in a row: a restart lower
            first_missed = day()
            entries.extend(
                mgplan.MissedDose(date=first_missed + dt.timedelta(i))
                for i in range(draw(st.integers(2, 9)))
            )
        elif kind == "resolved":
            entries.append(mgplan.Resolved(date=any_day()))
        elif kind == "ack":
            entries.append(
                mgplan.ClinicianAck(
                    date=day(),
                    clinician="Dr A",
                    allows=draw(st.sampled_from(["end-stop", "lift-ceiling"])),
                )
            )
        elif kind == "ferritin":
            entries.append(
                mgplan.Ferritin(
                    date=start + dt.timedelta(draw(st.integers(-30, WINDOW))),
                    ng_ml=draw(st.sampled_from([30.0, 120.0])),
                )
            )
        elif kind == "stools":
            entries.append(
                mgplan.Stools(
                    date=start + dt.timedelta(draw(st.integers(0, WINDOW))),
                    count=draw(st.integers(0, 6)),
                    bristol=draw(st.sampled_from([None, 4, 6, 7])),
                )
            )
        elif kind == "rating":
            entries.append(
                mgplan.RlsRating(
                    date=start + dt.timedelta(draw(st.integers(0, WINDOW))),
                    night=draw(st.integers(0, 10)),
                )
            )
        else:
            entries.append(mgplan.Taken(date=day()))
        live = [
            i + 1
            for i, e in enumerate(entries)
            if not isinstance(e, mgplan.Retracted)
            and not any(
                isinstance(r, mgplan.Retracted) and r.entry == i + 1 for r in entries
            )
        ]
        if live and draw(st.integers(0, 5)) == 0:
            when = max(e.date for e in entries)  # type: ignore[attr-defined]
            entries.append(
                mgplan.Retracted(date=when, entry=draw(st.sampled_from(live)))
            )
    return regimen, profile, entries


def _history(schedule: mgplan.Schedule | str) -> object:
    if not isinstance(schedule, mgplan.Schedule):
        return None
    try:
        return _engine.plan_history(schedule)
    except mgplan.MgplanError as exc:
        return str(exc)


def _plan(case: Case) -> mgplan.Schedule | str:
    regimen, profile, journal = case
    try:
        return mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError as exc:  # an invalid journal: the same refusal
        return str(exc)


@contextlib.contextmanager
def _day_by_day() -> Iterator[None]:
    """The engine as it plans without skipping ahead."""
    _engine._Planner.fast_forward = False
    try:
        yield
    finally:
        _engine._Planner.fast_forward = True


def _one_capsule_a_day(**changes: object) -> mgplan.Regimen:
    return mgplan.Regimen(
        id="g",
        product=mgplan.Product(name="P", form="aspartate", amount_per_unit=25),
        start_date=dt.date(2025, 1, 1),
        tz="Europe/Berlin",
        start_dose="25 mg",
        step="25 mg",
        step_interval_days=1,
        slots=["19:00"],
        **changes,  # type: ignore[arg-type]
    )


def _severe(date: dt.date) -> mgplan.SideEffectReport:
    return mgplan.SideEffectReport(
        date=date, dose_date=date, symptom="loose-stools", severity="severe"
    )


# Found by this test: a one-day pause resumes the next day...
ONE_DAY_PAUSE = (
    _one_capsule_a_day(target_dose="25 mg", maintenance_days=3),
    mgplan.SafetyProfile(),
    [
        mgplan.SideEffectReport(
            date=dt.date(2025, 1, 2), symptom="loose-stools", severity="moderate"
        )
    ],
)
# ... and so does a pause whose resolution was recorded during it.
RESOLVED_DURING_THE_PAUSE = (
    _one_capsule_a_day(target_dose="50 mg", maintenance_days=120),
    mgplan.SafetyProfile(),
    [
        mgplan.Resolved(date=dt.date(2025, 2, 2)),
        _severe(dt.date(2025, 2, 1)),
        mgplan.RlsRating(date=dt.date(2025, 2, 10), night=3),
    ],
)


def _report(date: int, back: int, severity: str) -> mgplan.SideEffectReport:
    first = dt.date(2025, 1, 1)
    return mgplan.SideEffectReport(
        date=first + dt.timedelta(date),
        dose_date=first + dt.timedelta(date - back),
        symptom="cramping",
        severity=severity,
    )


# Reports while a plan waits are only noted, and the days between them are
# skipped over: but for one about an evening with magnesium, which acts ...
REPORTS_WHILE_PAUSED = (
    _one_capsule_a_day(target_dose="100 mg", maintenance_days=120),
    mgplan.SafetyProfile(),
    [
        _report(5, 1, "severe"),
        _report(8, 1, "mild"),
        _report(9, 1, "moderate"),
        _report(10, 6, "severe"),
        _report(12, 1, "mild"),
        _report(12, 2, "mild"),
        mgplan.MissedDose(date=dt.date(2025, 1, 14)),
        _report(14, 1, "mild"),
        mgplan.Resolved(date=dt.date(2025, 1, 20)),
        _report(22, 1, "mild"),
    ],
)
# ... and while it is stopped.
REPORTS_WHILE_STOPPED = (
    _one_capsule_a_day(target_dose="50 mg"),
    mgplan.SafetyProfile(),
    [
        _report(1, 1, "severe"),
        _report(3, 1, "moderate"),
        _report(4, 3, "severe"),
        _report(6, 2, "mild"),
        mgplan.ClinicianAck(
            date=dt.date(2025, 1, 9), clinician="Dr A", allows="end-stop"
        ),
        _report(12, 1, "mild"),
    ],
)

# Reports in the baseline (one severe, about its last evening, sent on the
# first dose's day), one resolved there, with the plan then paused.
REPORTS_IN_THE_BASELINE = (
    _one_capsule_a_day(baseline_days=5, target_dose="75 mg"),
    mgplan.SafetyProfile(),
    [
        mgplan.SideEffectReport(date=dt.date(2025, 1, 2), severity="mild"),
        mgplan.Resolved(date=dt.date(2025, 1, 3)),
        _report(5, 1, "severe"),
        _report(8, 1, "severe"),
        _report(10, 1, "mild"),
    ],
)


# Levothyroxine at 20:00 leaves 19:00 no time clear: a course of it, then
# for good (the plan stops), then a clinician's end-stop (it stops again).
EVENINGS_LEFT_OUT = (
    _one_capsule_a_day(target_dose="200 mg", maintenance_days=30),
    mgplan.SafetyProfile(
        medicines=[
            mgplan.Medicine(
                name="levothyroxine",
                times=["20:00"],
                start=dt.date(2025, 1, 5),
                end=dt.date(2025, 1, 12),
            ),
            mgplan.Medicine(
                name="levothyroxine",
                times=["20:00"],
                start=dt.date(2025, 2, 1),
            ),
        ]
    ),
    [
        _report(3, 1, "mild"),
        mgplan.MissedDose(date=dt.date(2025, 1, 13)),
        mgplan.ClinicianAck(
            date=dt.date(2025, 2, 6), clinician="Dr A", allows="end-stop"
        ),
    ],
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(case=EVENINGS_LEFT_OUT)
@example(case=ONE_DAY_PAUSE)
@example(case=RESOLVED_DURING_THE_PAUSE)
@example(case=REPORTS_WHILE_PAUSED)
@example(case=REPORTS_WHILE_STOPPED)
@example(case=REPORTS_IN_THE_BASELINE)
@given(cases())
def test_skipping_ahead_changes_nothing(case: Case) -> None:
    fast = _plan(case)
    with _day_by_day():
        slow = _plan(case)
        slow_history = _history(slow)
    assert fast == slow
    if isinstance(fast, mgplan.Schedule):
        assert isinstance(slow, mgplan.Schedule)
        assert fast.to_json() == slow.to_json()
    assert _history(fast) == slow_history


def test_a_careless_skip_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping ahead past a due increase changes the plan: the comparison
    above would notice such a mistake."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        product=product,
        start_date=dt.date(2027, 1, 4),
        tz="UTC",
        start_dose="50 mg",
        target_dose="200 mg",
        end_date=dt.date(2027, 3, 1),
    )
    right = mgplan.plan(regimen)
    original = _engine._Planner._plain_days

    def careless(self: _engine._Planner, run: _engine._Run, *args: object) -> dt.date:
        due, run.next_increase = run.next_increase, None
        try:
            return original(self, run, *args)  # type: ignore[arg-type]
        finally:
            run.next_increase = due

    monkeypatch.setattr(_engine._Planner, "_plain_days", careless)
    assert mgplan.plan(regimen) != right


@pytest.mark.parametrize(("tz", "start", "end"), CLOCK_CHANGES)
def test_placement_decisions_without_medicines(
    tz: str, start: dt.date, end: dt.date
) -> None:
    """Without other medicines the engine looks only at the days whose clock
    changes for what to say about intakes; looking at every run of days says
    the same (and a skipped day is said)."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        product=product,
        start_date=start,
        tz=tz,
        start_dose="50 mg",
        step="50 mg",
        step_interval_days=3,
        target_dose="200 mg",
        slots=["19:00", "23:30"],
        window_end="23:59",
        end_date=end,
    )
    fast = mgplan.plan(regimen)
    with _day_by_day():
        slow = mgplan.plan(regimen)
    assert fast == slow
    said = [d.message for d in fast.decisions if d.action is mgplan.Action.SPACING]
    assert ("does not exist" in " ".join(said)) == (tz == "Pacific/Apia")
