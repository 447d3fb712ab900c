"""A planned schedule builds its days when first asked for. Every way of
looking at it must see them: attribute, serialisation, equality, hashing,
pickling, repr, iteration, copies, and a schedule inside another model."""

import copy
import datetime as dt
import pickle
import threading

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings

import mgplan

from .strategies import CLOCK_CHANGES
from .test_fast_forward import Case, cases


def _regimen() -> mgplan.Regimen:
    product = mgplan.Product(name="Gly 50", form="glycinate", amount_per_unit=50)
    return mgplan.Regimen(
        id="lazy",
        product=product,
        start_date=dt.date(2027, 1, 4),
        tz="Europe/Berlin",
        start_dose="50 mg",
        target_dose="200 mg",
        slots=["19:00", "21:30"],
        end_date=dt.date(2027, 6, 30),
    )


REPORTS = [
    mgplan.SideEffectReport(
        date=dt.date(2027, 1, 20), symptom="loose-stools", severity="moderate"
    )
]


def _fresh() -> mgplan.Schedule:
    return mgplan.plan(_regimen(), reports=REPORTS)


@pytest.fixture(scope="module")
def built() -> mgplan.Schedule:
    """The same plan with every day built from its JSON."""
    return mgplan.Schedule.from_json(_fresh().to_json())


def test_days_wait_until_asked_for() -> None:
    schedule = _fresh()
    assert "days" not in schedule.__dict__
    assert schedule.decisions  # the rest is there at once
    days = schedule.days
    assert schedule.__dict__["days"] is days
    assert schedule.days is days  # built once
    assert len(days) == 178
    assert days[0].date == dt.date(2027, 1, 4)
    assert days[-1].date == dt.date(2027, 6, 30)


def test_equal_to_a_built_schedule(built: mgplan.Schedule) -> None:
    assert _fresh() == built
    assert built == _fresh()
    assert _fresh() == _fresh()
    assert _fresh() != mgplan.plan(_regimen())


def test_hash_of_equal_schedules_is_equal(built: mgplan.Schedule) -> None:
    assert hash(_fresh()) == hash(built)
    assert len({_fresh(), built, _fresh()}) == 1


def test_serialised_with_its_days(built: mgplan.Schedule) -> None:
    assert _fresh().to_json() == built.to_json()
    assert _fresh().model_dump_json() == built.model_dump_json()
    assert _fresh().model_dump() == built.model_dump()
    assert len(_fresh().model_dump(mode="json")["days"]) == 178
    assert "days" not in _fresh().model_dump(exclude={"days"})


def test_serialised_inside_another_model(built: mgplan.Schedule) -> None:
    class Holder(pydantic.BaseModel):
        schedule: mgplan.Schedule

    assert Holder(schedule=_fresh()).model_dump_json() == (
        Holder(schedule=built).model_dump_json()
    )
    adapter = pydantic.TypeAdapter(list[mgplan.Schedule])
    assert adapter.dump_json([_fresh()]) == adapter.dump_json([built])


def test_pickled_with_its_days(built: mgplan.Schedule) -> None:
    restored = pickle.loads(pickle.dumps(_fresh()))
    assert "days" in restored.__dict__
    assert restored == built


def test_repr_and_iteration_show_the_days(built: mgplan.Schedule) -> None:
    looked_at = _fresh()
    assert looked_at.days
    assert repr(_fresh()) == repr(looked_at)
    assert "days=(DayEntry(" in repr(_fresh())
    assert dict(_fresh())["days"] == built.days


def test_copies(built: mgplan.Schedule) -> None:
    assert copy.copy(_fresh()) == built
    assert copy.deepcopy(_fresh()) == built
    changed = _fresh().model_copy(update={"suggestions": ("x",)})
    assert changed.days == built.days
    assert changed.suggestions == ("x",)
    assert _fresh().replace(suggestions=("x",)).days == built.days


def test_methods_that_read_the_days(built: mgplan.Schedule) -> None:
    schedule = _fresh()
    assert schedule.end == built.end
    assert schedule.steps() == built.steps()
    assert schedule.day(dt.date(2027, 2, 1)) == built.day(dt.date(2027, 2, 1))
    assert list(_fresh().intakes()) == list(built.intakes())


def test_threads_asking_at_once_see_the_same_days(built: mgplan.Schedule) -> None:
    schedule = _fresh()
    seen: list[object] = []
    barrier = threading.Barrier(4)

    def read() -> None:
        barrier.wait()
        seen.append(schedule.days)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 4
    assert all(days == built.days for days in seen)


def test_history_versions_build_their_own_days() -> None:
    from mgplan._engine import plan_history

    schedule = _fresh()
    ((cut, before_report),) = plan_history(schedule)
    assert before_report == mgplan.plan(_regimen())
    assert before_report.days != schedule.days
    assert (
        before_report.days[: (cut - schedule.start).days]
        == (schedule.days[: (cut - schedule.start).days])
    )


def test_copied_days_equal_days_placed_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Days of a kind are copied from the first one and a usual evening's
    intakes from the dose's first evening; placing every day on its own (as
    on a day the clock changes) gives the very same days, JSON included."""
    from mgplan import _placement

    regimen = _regimen().replace(
        baseline_days=3, end_date=dt.date(2027, 12, 31)
    )  # two clock changes, a baseline, a step back
    copied = mgplan.plan(regimen, reports=REPORTS)
    assert copied.days  # built now, before the change below
    monkeypatch.setattr(_placement.Placement, "_changes_clock", lambda self, day: True)
    placed = mgplan.plan(regimen, reports=REPORTS)
    assert copied.days == placed.days
    assert copied.to_json() == placed.to_json()
    assert copied.days[100].intakes[0].at.date() == dt.date(2027, 4, 14)


def test_a_trusted_copy_changes_only_what_it_is_told() -> None:
    from mgplan._model import trusted_copy

    day = _fresh().days[10]
    moved = trusted_copy(day, date=dt.date(2030, 1, 1))
    assert moved.date == dt.date(2030, 1, 1)
    assert moved.model_dump(exclude={"date"}) == day.model_dump(exclude={"date"})
    assert list(moved.model_dump()) == list(day.model_dump())  # field order
    assert day.date == dt.date(2027, 1, 14)  # the original is untouched
    with pytest.raises(TypeError, match="no field 'dates'"):
        trusted_copy(day, dates=dt.date(2030, 1, 1))


def _told(schedule: mgplan.Schedule) -> dict[str, object]:
    """What a schedule tells without its days being read: what a calendar's
    history asks of each version."""
    days = schedule._count()
    return {
        "count": days,
        "start": schedule.start,
        "end": schedule.end,
        "review": schedule.review_date,
        "trial": schedule.trial_blocks(),
        # The runs themselves, not only their days: from the records they
        # were runs of like days, so one phase at two doses was two runs.
        "phases": schedule._phase_runs(),
        "steps": schedule.steps(),
        "sampled": [
            schedule.day(schedule.start + dt.timedelta(i))
            for i in (0, days // 3, days - 1)
        ],
        "from": [tuple(schedule._days_from(i)) for i in (0, days // 2, days - 1)],
    }


def _both_ways(schedule: mgplan.Schedule) -> None:
    assert schedule._outline() is not None
    told = _told(schedule)
    assert schedule._outline() is not None  # none of it built the days
    assert schedule.days  # now built: the same questions, answered from them
    assert schedule._outline() is None
    assert told == _told(schedule)


@given(cases())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_schedule_tells_the_same_before_its_days_are_built(case: Case) -> None:
    """Steps, phases, one day, the days from a date on, the ends, the review
    date and the trial's blocks come from the engine's records while the
    days are not built (a calendar's history asks them of every version);
    from the built days they are the same, for any regimen and journal."""
    regimen, profile, journal = case
    try:
        schedule = mgplan.plan(regimen, profile, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses
    _both_ways(schedule)


@pytest.mark.parametrize(("tz", "start", "end"), CLOCK_CHANGES)
def test_steps_across_clock_changes(tz: str, start: dt.date, end: dt.date) -> None:
    """A step ends where a clock change moves or drops an intake, and the
    records say so as the days do."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        product=product,
        start_date=start,
        tz=tz,
        start_dose="100 mg",
        target_dose="100 mg",
        max_single_dose="50 mg",  # one capsule at 19:00, one at 23:30
        slots=["19:00", "23:30"],
        window_end="23:59",
        end_date=end,
        baseline_days=2,
    )
    schedule = mgplan.plan(regimen)
    steps = schedule.steps()
    _both_ways(schedule)
    if tz != "Europe/Berlin":  # the skipped day, the moved intake: a step ends
        assert len(steps) > 1
