"""Invariants of the engine, for any regimen and any sequence of reports."""

import datetime as dt
import itertools
import math

from hypothesis import HealthCheck, given, settings

import mgplan
from mgplan import Action, Phase

from .strategies import scenarios

Scenario = tuple[mgplan.Regimen, list[mgplan.SideEffectReport], list[mgplan.MissedDose]]

PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _plan(scenario: Scenario) -> mgplan.Schedule:
    regimen, reports, missed = scenario
    return mgplan.plan(regimen, reports=reports, missed=missed)


@PROPERTY
@given(scenarios())
def test_never_above_cap_or_ceiling(scenario: Scenario) -> None:
    """No day goes above the cap, or above a ceiling from the day it is set.

    A ceiling can be lowered again by intolerance at the ceiling dose itself.
    """
    s = _plan(scenario)
    ceilings = {
        d.date: d.dose_after_mg for d in s.decisions if d.action is Action.CEILING
    }
    ceiling = math.inf
    for entry in s.days:
        ceiling = min(ceiling, ceilings.get(entry.date) or math.inf)
        total = sum(i.elemental_mg for i in entry.intakes)
        assert abs(total - entry.elemental_mg) < 1e-6
        assert entry.elemental_mg <= s.daily_cap_mg + 1e-9
        assert entry.elemental_mg <= ceiling + 1e-9
    if ceilings:
        assert s.ceiling_mg == min(c for c in ceilings.values() if c is not None)


@PROPERTY
@given(scenarios())
def test_no_increase_during_a_hold(scenario: Scenario) -> None:
    """A day that is holding or stepped back never has more than the day before.

    The one exception is the restart after a pause, which is at the lowest rung.
    """
    s = _plan(scenario)
    for before, entry in zip(s.days, s.days[1:], strict=False):
        if entry.phase not in (Phase.HOLDING, Phase.STEPPED_BACK):
            continue
        if before.phase is Phase.PAUSED:
            assert 1 == entry.step
        else:
            assert entry.elemental_mg <= before.elemental_mg + 1e-9


@PROPERTY
@given(scenarios())
def test_step_back_always_lowers(scenario: Scenario) -> None:
    """Every step back and ceiling lowers the dose, and the day shows it."""
    s = _plan(scenario)
    for decision in s.decisions:
        if decision.action in (Action.STEP_BACK, Action.CEILING):
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


@PROPERTY
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
            # Off its slot's wall time only inside a DST gap, by at most the
            # gap, and never onto another date (checked above).
            wall = dt.datetime.combine(entry.date, by_name[intake.slot])
            if local.replace(tzinfo=None) != wall:
                exists = wall.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)
                assert exists.replace(tzinfo=None) != wall
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
