"""The review: baseline against maintenance, on synthetic journals."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import summary

D = dt.date.fromisoformat


def regimen(**changes: object) -> mgplan.Regimen:
    product = mgplan.Product(name="G100", form="glycinate", amount_per_unit=100)
    base = mgplan.Regimen(
        id="review",
        product=product,
        start_date=D("2027-01-04"),
        tz="Europe/Berlin",
        start_dose="100 mg",
        step="100 mg",
        target_dose="200 mg",
        baseline_days=7,
        maintenance_days=42,
    )
    return base.replace(**changes) if changes else base


def journal(
    r: mgplan.Regimen, baseline: float, on: float, *, every: int = 1, seed: int = 1
) -> list[object]:
    """Nightly ratings around *baseline* before the first dose and *on* at the
    maintenance dose (noise ±1.5), every *every* nights; every dose taken."""
    rng = random.Random(seed)
    s = mgplan.plan(r)
    entries: list[object] = []
    for k, day in enumerate(s.days):
        if day.intakes:
            entries.append(mgplan.Taken(date=day.date))
        if k % every:
            continue
        level = baseline if day.phase is mgplan.Phase.BASELINE else on
        if day.phase not in (mgplan.Phase.BASELINE, mgplan.Phase.MAINTAINING):
            level = (baseline + on) / 2

        def score(x: float) -> int:
            return max(0, min(10, round(x + rng.uniform(-1.5, 1.5))))

        entries.append(
            mgplan.RlsRating(
                date=day.date,
                falling_asleep=score(level),
                night=score(level),
                day_rest=score(level - 1),
                sleep_satisfaction=score(10 - level),
            )
        )
    return entries


def reviewed(
    baseline: float, on: float, *, every: int = 1, **changes: object
) -> mgplan.Review:
    r = regimen(**changes)
    s = mgplan.plan(r, journal=journal(r, baseline, on, every=every))  # type: ignore[arg-type]
    return mgplan.review(s)


class TestVerdicts:
    def test_clear_improvement(self) -> None:
        result = reviewed(7, 3)
        assert "improved" == result.verdict
        primary = result.result("severity")
        assert primary.improvement is not None
        assert primary.improvement > 3
        assert primary.ci_low is not None
        assert primary.ci_low > 0
        assert result.summary.startswith("Improved: severity: ")
        assert "placebo" in result.caveats[0]

    def test_no_change(self) -> None:
        result = reviewed(6, 6)
        assert "no-clear-change" == result.verdict
        primary = result.result("severity")
        assert primary.ci_low is not None
        assert primary.ci_high is not None
        assert primary.ci_low < 0 < primary.ci_high

    def test_too_few_ratings(self) -> None:
        """Every fourth night rated: fewer than 5 baseline nights."""
        result = reviewed(7, 3, every=4)
        assert "not-enough-data" == result.verdict
        assert "Not enough data: 2 rated baseline nights" in result.summary

    def test_no_baseline_is_not_enough(self) -> None:
        r = regimen(baseline_days=0)
        s = mgplan.plan(r, journal=journal(r, 7, 3))  # type: ignore[arg-type]
        result = mgplan.review(s)
        assert "not-enough-data" == result.verdict
        assert "no baseline" in result.summary

    def test_a_small_change_is_below_the_threshold(self) -> None:
        """A real but small improvement is not 'improved' under a 2-point
        threshold; with a 1-point threshold fixed in the plan it is."""
        assert "no-clear-change" == reviewed(6, 4.8).verdict
        assert "improved" == reviewed(6, 4.8, review_threshold=1.0).verdict


class TestDetails:
    def test_sleep_satisfaction_improves_upwards(self) -> None:
        """Higher is better for sleep: its improvement is on minus baseline."""
        sleep = reviewed(7, 3).result("sleep_satisfaction")
        assert sleep.higher_is_better
        assert sleep.improvement is not None
        assert sleep.improvement > 0

    def test_deterministic(self) -> None:
        assert reviewed(7, 3) == reviewed(7, 3)

    def test_adherence_counts_taken_and_skipped(self) -> None:
        r = regimen()
        entries = journal(r, 7, 3)
        first = next(e for e in entries if isinstance(e, mgplan.Taken))
        entries.remove(first)
        entries.append(mgplan.MissedDose(date=first.date))
        s = mgplan.plan(r, journal=entries)  # type: ignore[arg-type]
        adherence = mgplan.review(s).adherence
        scheduled = sum(1 for d in s.days if d.intakes)
        assert (scheduled, scheduled - 1, 1, 0) == (
            adherence.scheduled,
            adherence.taken,
            adherence.skipped,
            adherence.unrecorded,
        )
        assert adherence.percent == pytest.approx(
            100 * (scheduled - 1) / scheduled, 0.01
        )

    def test_the_method_names_the_blocks_it_used(self) -> None:
        """With an interval, the block lengths it used; without one (no
        baseline, no nights) the method said "blocks of 0 and 0 nights"."""
        assert "(blocks of 2 and 3 nights, 2,000 resamples" in reviewed(7, 3).method
        empty = mgplan.review(mgplan.plan(regimen(baseline_days=0)))
        assert empty.result("severity").ci_low is None
        assert "blocks of 0" not in empty.method
        assert "cube root of each window's nights, at least 2" in empty.method

    def test_no_change_is_not_minus_zero(self) -> None:
        """The same ratings before and on magnesium read "-0.0" (a change
        that rounds to nothing kept the sign of a float's noise)."""
        r = regimen()
        s = mgplan.plan(r)
        ratings = [
            mgplan.RlsRating(date=d.date, falling_asleep=7, night=7) for d in s.days
        ]
        result = mgplan.review(mgplan.plan(r, journal=ratings))  # type: ignore[arg-type]
        assert 0 == result.result("severity").improvement
        text = result.text()
        assert "-0.0" not in text
        assert "an improvement of +0.0 (95 % interval +0.0 to +0.0)" in text

    def test_tonight_counts_once_recorded(self) -> None:
        """Reviewed during a dosed day, its evening is not yet 'not recorded'
        (the dose is still to come); once taken or skipped it counts. The
        plan's own last evening, reviewed without a date, counts as it is."""
        r = regimen()
        s = mgplan.plan(r)
        dosed = [d.date for d in s.days if d.intakes]
        today = dosed[9]
        before = [mgplan.Taken(date=day) for day in dosed[:8]]  # dosed[8]: none

        def adherence(entries: list[object]) -> tuple[int, int, int, int]:
            planned = mgplan.plan(r, journal=entries)  # type: ignore[arg-type]
            a = mgplan.review(planned, as_of=today).adherence
            return (a.scheduled, a.taken, a.skipped, a.unrecorded)

        assert (9, 8, 0, 1) == adherence([*before])
        assert (10, 9, 0, 1) == adherence([*before, mgplan.Taken(date=today)])
        assert (10, 8, 1, 1) == adherence([*before, mgplan.MissedDose(date=today)])
        ended = mgplan.review(mgplan.plan(r, journal=before)).adherence  # type: ignore[arg-type]
        assert (len(dosed), len(dosed) - 8) == (ended.scheduled, ended.unrecorded)

    def test_doses_taken_when_the_plan_had_none(self) -> None:
        """A dose logged on a paused evening was dropped from
        the review without a word: a clinician should hear of magnesium
        taken during a pause. It is counted apart, and said."""
        r = regimen(start_dose="200 mg")  # a severe report pauses it
        severe = mgplan.SideEffectReport(date=D("2027-01-15"), severity="severe")
        s = mgplan.plan(r, reports=[severe])
        paused = [
            d.date
            for d in s.days
            if d.phase in (mgplan.Phase.PAUSED, mgplan.Phase.STOPPED)
        ]
        assert len(paused) > 3
        entries = [
            severe,
            mgplan.Taken(date=paused[2]),
            mgplan.Taken(date=paused[1]),
            mgplan.Taken(date=paused[0] - dt.timedelta(1)),
        ]
        planned = mgplan.plan(r, journal=entries)  # type: ignore[arg-type]
        result = mgplan.review(planned, as_of=paused[3])
        assert (1, 2) == (result.adherence.taken, result.adherence.unplanned)
        assert "Taken on 2 evenings the plan had no magnesium" in result.text()
        assert 0 == mgplan.review(mgplan.plan(r)).adherence.unplanned
        assert "had no magnesium" not in mgplan.review(mgplan.plan(r)).text()

    def test_side_effects_without_magnesium_are_counted_apart(self) -> None:
        """Side effects come without magnesium too: the review says how many
        followed an evening without it (the baseline, a skipped evening, a
        pause), beside the total."""
        r = regimen(start_dose="200 mg")  # 2027-01-11 on: a severe report pauses
        entries: list[object] = [
            mgplan.SideEffectReport(date=D("2027-01-06"), severity="mild"),
            mgplan.MissedDose(date=D("2027-01-12")),
            mgplan.SideEffectReport(date=D("2027-01-13"), severity="mild"),
            mgplan.SideEffectReport(date=D("2027-01-15"), severity="severe"),
            mgplan.SideEffectReport(date=D("2027-01-18"), severity="mild"),
            # Stools graded as a side effect, after an evening with magnesium.
            mgplan.Stools(date=D("2027-01-14"), count=2, bristol=7),
        ]
        s = mgplan.plan(r, journal=entries)  # type: ignore[arg-type]
        assert s.day(D("2027-01-17")).phase is mgplan.Phase.PAUSED
        result = mgplan.review(s, as_of=D("2027-01-20"))
        assert (5, 3) == (
            result.side_effect_reports,
            result.side_effects_without_magnesium,
        )
        assert (
            "Side effects: 5 reported or graded from stools, 3 of them after an "
            "evening without magnesium (the baseline, a pause, an off block, a "
            "skipped evening);"
        ) in result.text()
        html = summary.to_html(s, result)
        assert "3 of them after an evening without magnesium" in html
        # Every report after an evening with magnesium: the total alone.
        dosed = mgplan.plan(r, journal=entries[3:4])  # type: ignore[arg-type]
        text = mgplan.review(dosed, as_of=D("2027-01-20")).text()
        assert "Side effects: 1 reported or graded from stools; 1 plan" in text

    def test_irls_totals_are_the_primary_when_scored(self) -> None:
        r = regimen()
        s = mgplan.plan(r)
        entries: list[object] = []
        for day, total in (
            *((d.date, 24) for d in s.days[:7:3]),
            *((d.date, 14) for d in s.days if d.phase is mgplan.Phase.MAINTAINING),
        ):
            entries.append(mgplan.RlsRating(date=day, irls_total=total))
        result = mgplan.review(mgplan.plan(r, journal=entries))  # type: ignore[arg-type]
        assert ("irls_total", 5.0) == (result.primary, result.threshold)
        assert "improved" == result.verdict

    def test_round_trips_as_json(self) -> None:
        result = reviewed(7, 3)
        assert result == mgplan.Review.model_validate_json(result.model_dump_json())


class TestReviewDay:
    def test_the_last_maintenance_evening_is_the_review_day(self) -> None:
        s = mgplan.plan(regimen())
        assert s.review_date == s.end
        assert s.days[-1].phase is mgplan.Phase.MAINTAINING
        (decision,) = [d for d in s.decisions if d.rule == "review"]
        assert s.end == decision.date
        assert "'mgplan review'" in decision.message

    def test_no_review_day_while_waiting(self) -> None:
        """After a severe episode the plan waits: no review day yet."""
        r = regimen()
        severe = mgplan.SideEffectReport(date=D("2027-01-14"), severity="severe")
        s = mgplan.plan(r, journal=[severe])
        assert s.waiting_for is not None
        assert s.review_date is None
        assert not [d for d in s.decisions if d.rule == "review"]

    def test_the_calendar_has_the_review_day(self) -> None:
        from mgplan import ics

        s = mgplan.plan(regimen())
        events = [
            e
            for e in ics.to_calendar(s).walk("VEVENT")
            if str(e["UID"]) == "review-review@mgplan"
        ]
        assert [s.end] == [e.start for e in events]
        assert "Review: is magnesium helping?" == str(events[0]["SUMMARY"])
        assert mgplan.RED_FLAGS_SHORT in str(events[0]["DESCRIPTION"])


class TestCommand:
    def test_review_json_is_the_library_review(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from pathlib import Path

        from mgplan._cli import main

        examples = Path(__file__).parent.parent / "examples"
        monkeypatch.setenv("MGPLAN_TODAY", "2027-03-14")
        assert 0 == main(["review", str(examples / "ten_weeks.toml"), "--json"])
        printed = mgplan.Review.model_validate_json(capsys.readouterr().out)
        plan_file = mgplan.load_plan(examples / "ten_weeks.toml")
        entries = mgplan.Journal(examples / "ten_weeks.journal.jsonl").read()
        schedule = plan_file.plan(entries, as_of=D("2027-03-14"))
        assert mgplan.review(schedule, as_of=D("2027-03-14")) == printed
        assert 0 == main(["review", str(examples / "ten_weeks.toml")])
        text = capsys.readouterr().out
        assert "Verdict: improved." in text
        assert "placebo" in text


@pytest.mark.parametrize("weeks", [0, -1, 521, 2.5, True, "4"])
def test_weeks_out_of_range(weeks: object) -> None:
    """weeks=0 compared every week at the maintenance dose ([-0:]) and a
    negative count a window from its start; 2.5 was a TypeError."""
    schedule = mgplan.plan(regimen())
    with pytest.raises(mgplan.InvalidInputError) as info:
        mgplan.review(schedule, weeks=weeks)  # type: ignore[arg-type]
    assert "weeks" == info.value.field


@pytest.mark.parametrize("threshold", [0, -1, float("nan"), float("inf"), 41, "2"])
def test_threshold_out_of_range(threshold: object) -> None:
    """A NaN threshold made every verdict 'not improved'; the argument is
    held to what Regimen.review_threshold allows."""
    schedule = mgplan.plan(regimen())
    with pytest.raises(mgplan.InvalidInputError) as info:
        mgplan.review(schedule, threshold=threshold)  # type: ignore[arg-type]
    assert "threshold" == info.value.field


def test_one_week_compares_the_last_seven_evenings() -> None:
    """weeks=1: the last seven evenings at the maintenance dose."""
    schedule = mgplan.plan(regimen())
    result = mgplan.review(schedule, weeks=1)
    assert result.on_magnesium is not None
    first, last = result.on_magnesium
    assert 6 == (last - first).days


@st.composite
def evenings_with_and_without(draw: st.DrawFn) -> tuple[mgplan.Regimen, list[object]]:
    """A plan with a baseline, and maybe a trial, whose reports are about
    every kind of evening: before the start, the baseline, skipped ones,
    pauses (severe reports make them), off blocks and doses taken."""
    trial = draw(st.none() | st.integers(0, 50))
    r = regimen(
        maintenance_days=draw(st.integers(0, 20)),
        trial=None
        if trial is None
        else mgplan.Trial(pairs=2, block_days=5, washout_days=1, seed=trial),
    )
    span = (mgplan.plan(r).end - r.start_date).days
    journal: list[object] = [
        mgplan.MissedDose(date=r.dose_start + dt.timedelta(n))
        for n in sorted(draw(st.sets(st.integers(0, span - 7), max_size=8)))
    ]
    for _ in range(draw(st.integers(1, 8))):
        date = r.start_date + dt.timedelta(draw(st.integers(0, span)))
        journal.append(
            mgplan.SideEffectReport(
                date=date,
                dose_date=date - dt.timedelta(draw(st.integers(0, 2))),
                severity=draw(st.sampled_from(["mild", "moderate", "severe"])),
            )
        )
    journal.sort(key=lambda e: e.date)  # type: ignore[attr-defined]
    return r, journal


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(evenings_with_and_without())
def test_side_effects_without_magnesium_are_those_the_plan_noted(
    case: tuple[mgplan.Regimen, list[object]],
) -> None:
    """The review counts the side effects after an evening without magnesium
    from the days; the engine decides the same from its own records and says
    so in its note ("no magnesium was taken", or a trial's off block). The
    two agree. A report the day after the plan's last evening has a note of
    its own, and counts by that evening."""
    r, journal = case
    try:
        schedule = mgplan.plan(r, journal=journal)  # type: ignore[arg-type]
    except mgplan.MgplanError:
        return  # a journal the engine refuses has no review
    last = schedule.days[-1]
    without = 0
    for d in schedule.decisions:
        if not isinstance(d.cause, mgplan.SideEffectReport):
            continue
        if "after the plan's last evening" in d.message:
            without += not last.intakes or last.missed
        elif d.rule == "trial" or "no magnesium was taken" in d.message:
            without += 1
    today = max([schedule.end + dt.timedelta(1), *(e.date for e in schedule.journal)])
    result = mgplan.review(schedule, as_of=today)
    assert without == result.side_effects_without_magnesium
