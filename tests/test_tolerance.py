"""The tolerance model: dose evenings, episodes, grading and the rules.

Each case listed in the issue that asked for the model is pinned here with its
expected outcome (the glycinate 50 mg capsule plan: start 100 mg, +50 mg every
7 days, target 200 mg).
"""

import datetime as dt
from pathlib import Path

import pytest

import mgplan
from mgplan import Action, Phase, Severity

D = dt.date.fromisoformat
START = D("2027-01-01")


def day(n: int) -> dt.date:
    """Day *n* of the plan, counted from 0."""
    return START + dt.timedelta(n)


@pytest.fixture
def gly50() -> mgplan.Regimen:
    product = mgplan.Product(name="Gly 50", form="glycinate", amount_per_unit=50)
    return mgplan.Regimen(
        id="gly50",
        product=product,
        start_date=START,
        tz="UTC",
        start_dose="100 mg",
        step="50 mg",
        target_dose="200 mg",
        maintenance_days=150,
    )


def rep(
    n: int, severity: str | None = "moderate", **extra: object
) -> mgplan.SideEffectReport:
    """A report on day *n* about the evening before (unless dose_date says)."""
    return mgplan.SideEffectReport(
        date=day(n), symptom="loose-stools", severity=severity, **extra
    )


def mg(s: mgplan.Schedule, n: int) -> float:
    return s.day(day(n)).elemental_mg


def acted(s: mgplan.Schedule) -> list[tuple[int, Action, str]]:
    return [
        ((d.date - START).days, d.action, d.rule)
        for d in s.decisions
        if d.cause is not None
    ]


class TestIssueCases:
    def test_severe_at_the_lowest_dose_restarts_lower_after_resolution(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Severe at 100 mg: paused until resolved, then 50 mg; never 100 mg
        or above again without a clinician."""
        s = mgplan.plan(
            gly50,
            reports=[rep(2, "severe")],
            resolved=[mgplan.Resolved(date=day(5))],
        )
        assert Phase.PAUSED == s.day(day(2)).phase
        assert 0 == mg(s, 8)
        assert 50 == mg(s, 9)
        assert 50 == s.ceiling_mg
        assert max(e.elemental_mg for e in s.days if e.date >= day(2)) == 50
        assert s.consult_clinician

    def test_severe_without_resolution_ends_paused(self, gly50: mgplan.Regimen) -> None:
        """No resolution recorded: the plan ends paused and says it waits."""
        s = mgplan.plan(gly50, reports=[rep(16, "severe")])
        assert "resolution" == s.waiting_for
        assert day(22) == s.end
        assert all(not e.intakes for e in s.days if e.date >= day(16))
        assert "mgplan resolved" in s.decisions[-1].message

    def test_severe_at_the_target_never_climbs_back(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Severe at 200 mg restarts at the start dose and stops at 150 mg."""
        s = mgplan.plan(
            gly50,
            reports=[rep(16, "severe")],
            resolved=[mgplan.Resolved(date=day(20))],
        )
        assert 150 == s.ceiling_mg
        assert 100 == mg(s, 23)
        assert 150 == max(e.elemental_mg for e in s.days if e.date >= day(16))

    def test_moderate_at_the_lowest_dose_pauses_then_resumes_lower(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Moderate at 100 mg: a hold period without magnesium, then 50 mg."""
        s = mgplan.plan(gly50, reports=[rep(3)])
        assert [0.0] * 7 == [mg(s, n) for n in range(3, 10)]
        assert 50 == mg(s, 10)
        assert 100 == mg(s, 17)
        assert s.suggestions

    def test_five_moderate_reports_in_a_row_are_one_episode(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Reports on the next mornings are about paused evenings: notes."""
        s = mgplan.plan(gly50, reports=[rep(n) for n in range(3, 8)])
        kinds = [a for _, a, _ in acted(s)]
        assert [Action.PAUSE] + [Action.NOTE] * 4 == kinds
        assert 50 == mg(s, 10)

    def test_a_moderate_report_delays_at_least_as_long_as_a_mild_one(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Day 10 at 150 mg: mild holds to day 17; moderate steps back and
        retries 150 mg on day 17, reaching 200 mg only a week after mild."""
        mild = mgplan.plan(gly50, reports=[rep(10, "mild")])
        moderate = mgplan.plan(gly50, reports=[rep(10, "moderate")])
        assert 200 == mg(mild, 17)
        assert 150 == mg(moderate, 17)
        common = min(mild.end, moderate.end)
        for entry in moderate.days:
            if entry.date <= common:
                assert entry.elemental_mg <= mild.day(entry.date).elemental_mg

    def test_mild_reports_a_month_apart_set_no_ceiling(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Mild reports on days 40, 70, 100 and 130 while maintaining: holds."""
        s = mgplan.plan(gly50, reports=[rep(n, "mild") for n in (40, 70, 100, 130)])
        assert s.ceiling_mg is None
        assert {200.0} == {e.elemental_mg for e in s.days if e.date >= day(40)}
        assert [Action.HOLD] * 4 == [a for _, a, _ in acted(s)]

    def test_old_retry_and_lingering_report_set_no_ceiling(
        self, gly50: mgplan.Regimen
    ) -> None:
        """A dose retried months ago, then moderate and a lingering mild report
        the next morning (one episode): one step back, no ceiling."""
        s = mgplan.plan(gly50, reports=[rep(15), rep(120), rep(121, "mild")])
        assert s.ceiling_mg is None
        assert [
            (15, Action.STEP_BACK, "moderate-step-back"),
            (120, Action.STEP_BACK, "moderate-step-back"),
            (121, Action.NOTE, "episode"),
        ] == acted(s)
        assert 200 == mg(s, 140)

    def test_severe_after_a_retry_sets_the_ceiling(self, gly50: mgplan.Regimen) -> None:
        """Moderate -> step back -> retry -> severe: never 200 mg again."""
        s = mgplan.plan(
            gly50,
            reports=[rep(15), rep(23, "severe")],
            resolved=[mgplan.Resolved(date=day(25))],
        )
        assert 150 == s.ceiling_mg
        assert 150 == max(e.elemental_mg for e in s.days if e.date >= day(23))

    def test_ten_missed_evenings_restart_at_the_start_on_the_first_evening_back(
        self, gly50: mgplan.Regimen
    ) -> None:
        """A gap of a step interval or more restarts at the start dose, on the
        first evening taken, and the next increase counts from it."""
        missed = [mgplan.MissedDose(date=day(n)) for n in range(30, 40)]
        s = mgplan.plan(gly50, missed=missed)
        assert all(s.day(day(n)).missed for n in range(30, 40))
        assert 200 == mg(s, 39)
        assert 100 == mg(s, 40)
        assert 100 == mg(s, 46)
        assert 150 == mg(s, 47)
        restart = next(d for d in s.decisions if d.action is Action.MISSED_RESTART)
        assert day(40) == restart.date

    def test_three_missed_restart_one_step_lower(self, gly50: mgplan.Regimen) -> None:
        """Three evenings missed in a row restart one step lower."""
        missed = [mgplan.MissedDose(date=day(n)) for n in (30, 31, 32)]
        s = mgplan.plan(gly50, missed=missed)
        assert 150 == mg(s, 33)
        assert 200 == mg(s, 40)

    def test_two_missed_change_nothing(self, gly50: mgplan.Regimen) -> None:
        """Fewer than the policy's count of missed evenings changes nothing."""
        missed = [mgplan.MissedDose(date=day(n)) for n in (30, 31)]
        plain = mgplan.plan(gly50)
        s = mgplan.plan(gly50, missed=missed)
        assert [e.elemental_mg for e in plain.days] == [e.elemental_mg for e in s.days]

    def test_an_increase_due_on_a_missed_evening_waits(
        self, gly50: mgplan.Regimen
    ) -> None:
        """The increase due on day 7 comes on the first evening taken."""
        s = mgplan.plan(gly50, missed=[mgplan.MissedDose(date=day(7))])
        assert 100 == mg(s, 7)
        assert 150 == mg(s, 8)

    def test_report_after_a_missed_evening_is_a_note(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Nothing was taken the evening before: the dose does not change."""
        s = mgplan.plan(
            gly50, reports=[rep(11)], missed=[mgplan.MissedDose(date=day(10))]
        )
        assert [(11, Action.NOTE, "dose-evening")] == acted(s)
        assert "missed" in s.decisions[-1].message or any(
            "(missed)" in d.message for d in s.decisions
        )
        assert 200 == mg(s, 14)

    def test_a_150_mg_tablet_refuses_a_50_mg_start(self) -> None:
        """A typed start below the smallest amount names the product."""
        product = mgplan.Product(
            name="Citrate 150", form="citrate", amount_per_unit=150, unit="tablet"
        )
        r = mgplan.Regimen(
            product=product,
            start_date=START,
            tz="UTC",
            start_dose="50 mg",
            target_dose="100 mg",
        )
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(r)
        assert "Regimen.start_dose" == info.value.field
        assert "Citrate 150" in info.value.expected
        assert "scored tablet" in info.value.expected

    def test_a_75_mg_step_with_50_mg_capsules_rounds_down(
        self, gly50: mgplan.Regimen
    ) -> None:
        """75 mg is 1½ capsules: the plan steps one capsule and says so."""
        s = mgplan.plan(gly50.replace(step="75 mg"))
        assert 150 == mg(s, 7)
        fit = [d for d in s.decisions if d.action is Action.ADJUST]
        assert 1 == len(fit)
        assert "rounded down" in fit[0].message

    def test_a_report_at_2230_is_about_tonight(self, gly50: mgplan.Regimen) -> None:
        """Reported late on the increase evening: about the new dose, one rung."""
        s = mgplan.plan(gly50, reports=[rep(7, dose_date=day(7))])
        assert 150 == mg(s, 7)
        assert 100 == mg(s, 8)
        step_back = next(d for d in s.decisions if d.action is Action.STEP_BACK)
        assert (150, 100) == (step_back.dose_before_mg, step_back.dose_after_mg)


class TestDoseEvenings:
    def test_dose_date_defaults_to_the_evening_before(self) -> None:
        r = mgplan.SideEffectReport(date="2027-01-05", severity="mild")
        assert D("2027-01-04") == r.dose_date

    def test_dose_date_after_the_report_is_refused(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SideEffectReport(
                date="2027-01-05", dose_date="2027-01-06", severity="mild"
            )
        assert "dose_date" in info.value.field

    def test_report_about_the_evening_before_the_start_is_a_note(
        self, gly50: mgplan.Regimen
    ) -> None:
        """No dose changes; a severe one on the day magnesium starts asks to
        talk to a clinician first, a mild one does not."""
        s = mgplan.plan(gly50, reports=[rep(0, "severe")])
        assert [(0, Action.NOTE, "dose-evening")] == acted(s)
        assert s.consult_clinician
        note = next(d for d in s.decisions if d.rule == "dose-evening")
        assert note.consult_clinician
        assert "Talk to a clinician before magnesium starts" in note.message
        assert mgplan.plan(gly50).days == s.days
        mild = mgplan.plan(gly50, reports=[rep(0, "mild")])
        assert [(0, Action.NOTE, "dose-evening")] == acted(mild)
        assert not mild.consult_clinician

    def test_report_during_a_pause_is_a_note(self, gly50: mgplan.Regimen) -> None:
        s = mgplan.plan(gly50, reports=[rep(3), rep(6, "severe")])
        assert (6, Action.NOTE, "dose-evening") == acted(s)[1]


class TestEpisodes:
    def test_a_worse_report_in_the_episode_replaces_its_action(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Moderate at 200 mg, then severe about the next evening: one pause,
        decided from the plan before the episode."""
        s = mgplan.plan(gly50, reports=[rep(15), rep(16, "severe")])
        assert [Action.STEP_BACK, Action.PAUSE] == [a for _, a, _ in acted(s)]
        assert "worse than the episode" in s.decisions[-2].message or any(
            "worse than the episode" in d.message for d in s.decisions
        )
        assert 100 == s.ceiling_mg  # severe at 150 mg: 150 and above barred

    def test_reports_more_than_48_hours_apart_are_two_episodes(
        self, gly50: mgplan.Regimen
    ) -> None:
        """Two mild episodes at one dose within an interval step back."""
        s = mgplan.plan(gly50, reports=[rep(9, "mild"), rep(12, "mild")])
        assert [Action.HOLD, Action.STEP_BACK] == [a for _, a, _ in acted(s)]
        assert 100 == mg(s, 12)

    def test_episode_window_is_configurable(self, gly50: mgplan.Regimen) -> None:
        policy = mgplan.TolerancePolicy(episode_hours=96)
        s = mgplan.plan(gly50, reports=[rep(9, "mild"), rep(12, "mild")], policy=policy)
        assert [Action.HOLD, Action.NOTE] == [a for _, a, _ in acted(s)]

    def test_mild_counts_clear_after_a_quiet_interval(
        self, gly50: mgplan.Regimen
    ) -> None:
        s = mgplan.plan(gly50, reports=[rep(9, "mild"), rep(20, "mild")])
        assert [Action.HOLD, Action.HOLD] == [a for _, a, _ in acted(s)]

    def test_no_increase_within_an_interval_of_any_report(
        self, gly50: mgplan.Regimen
    ) -> None:
        """A lingering report pushes the next increase a full interval on."""
        s = mgplan.plan(gly50, reports=[rep(5, "mild"), rep(6, "mild")])
        assert 100 == mg(s, 12)
        assert 150 == mg(s, 13)


class TestGrading:
    @pytest.mark.parametrize(
        ("above", "bristol", "expected"),
        [
            (0, None, None),
            (1, None, Severity.MILD),
            (3, None, Severity.MILD),
            (4, None, Severity.MODERATE),
            (6, None, Severity.MODERATE),
            (7, None, Severity.SEVERE),
            (0, 5, None),
            (0, 6, Severity.MILD),
            (None, 7, Severity.MILD),
            (5, 7, Severity.MODERATE),
        ],
    )
    def test_ctcae_grades(
        self, above: int | None, bristol: int | None, expected: Severity | None
    ) -> None:
        report = mgplan.SideEffectReport(
            date="2027-01-05", stools_above_baseline=above, bristol=bristol
        )
        assert expected == report.grade

    def test_the_worse_of_stated_and_graded_counts(self) -> None:
        report = mgplan.SideEffectReport(
            date="2027-01-05", severity="mild", stools_above_baseline=8
        )
        assert Severity.SEVERE == report.grade

    def test_a_report_needs_something_to_grade(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SideEffectReport(date="2027-01-05")
        assert "severity" in info.value.field

    def test_normal_stools_are_a_note(self, gly50: mgplan.Regimen) -> None:
        s = mgplan.plan(gly50, reports=[rep(10, None, stools_above_baseline=0)])
        assert [(10, Action.NOTE, "grading")] == acted(s)

    def test_objective_report_acts_like_its_grade(self, gly50: mgplan.Regimen) -> None:
        s = mgplan.plan(
            gly50, reports=[rep(15, None, stools_above_baseline=5, bristol=7)]
        )
        assert [(15, Action.STEP_BACK, "moderate-step-back")] == acted(s)


class TestRules:
    def test_moderate_twice_at_the_lowest_sets_the_ceiling_and_consults(
        self, gly50: mgplan.Regimen
    ) -> None:
        s = mgplan.plan(gly50, reports=[rep(3), rep(18)])
        assert [
            (3, Action.PAUSE, "moderate-lowest"),
            (18, Action.PAUSE, "moderate-lowest-again"),
        ] == acted(s)
        assert 50 == s.ceiling_mg
        assert s.consult_clinician
        assert {50.0} == {e.elemental_mg for e in s.days if e.date >= day(25)}

    def test_moderate_a_third_time_at_the_lowest_stops(
        self, gly50: mgplan.Regimen
    ) -> None:
        s = mgplan.plan(gly50, reports=[rep(3), rep(18), rep(33)])
        assert Action.STOP == acted(s)[-1][1]
        assert "clinician" == s.waiting_for
        assert Phase.STOPPED == s.days[-1].phase

    def test_severe_at_the_smallest_amount_stops(self) -> None:
        product = mgplan.Product(name="G100", form="glycinate", amount_per_unit=100)
        r = mgplan.Regimen(product=product, start_date=START, tz="UTC")
        s = mgplan.plan(r, reports=[rep(2, "severe")])
        assert [(2, Action.STOP, "severe-stop")] == acted(s)
        assert "clinician" == s.waiting_for
        assert s.consult_clinician

    def test_clinician_ends_a_stop(self) -> None:
        product = mgplan.Product(name="G100", form="glycinate", amount_per_unit=100)
        r = mgplan.Regimen(product=product, start_date=START, tz="UTC")
        ack = mgplan.ClinicianAck(date=day(10), clinician="Dr Rao", allows="end-stop")
        s = mgplan.plan(r, reports=[rep(2, "severe")], clinician=[ack])
        assert 0 == mg(s, 9)
        assert 100 == mg(s, 10)
        assert 100 == max(e.elemental_mg for e in s.days)
        assert not s.consult_clinician
        assert any("Dr Rao" in d.message for d in s.decisions)

    def test_clinician_lifts_a_ceiling(self, gly50: mgplan.Regimen) -> None:
        ack = mgplan.ClinicianAck(
            date=day(40), clinician="Dr Rao", allows="lift-ceiling"
        )
        s = mgplan.plan(gly50, reports=[rep(15), rep(23)], clinician=[ack])
        assert s.ceiling_mg is None
        assert 150 == mg(s, 39)
        assert 200 == mg(s, 47)

    def test_moderate_retried_sets_the_ceiling(self, gly50: mgplan.Regimen) -> None:
        s = mgplan.plan(gly50, reports=[rep(15), rep(23)])
        assert (23, Action.CEILING, "moderate-retried") == acted(s)[-1]
        assert 150 == s.ceiling_mg

    def test_policy_below_the_interval_is_refused(self, gly50: mgplan.Regimen) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(gly50, policy=mgplan.TolerancePolicy(hold_days=3))
        assert "policy.hold_days" == info.value.field


class TestFitting:
    def test_hornyak_preset_under_the_eu_limit_is_fitted(self) -> None:
        """A preset's target above the cap is fitted, naming the preset."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        r = mgplan.Regimen(
            preset="hornyak", product=product, start_date=START, tz="UTC"
        )
        s = mgplan.plan(r, mgplan.SafetyProfile(limit_set="eu"))
        assert 250 == max(e.elemental_mg for e in s.days)
        fit = next(d for d in s.decisions if d.action is Action.ADJUST)
        assert "'hornyak' preset" in fit.message

    def test_typed_target_above_the_cap_is_refused(self) -> None:
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        r = mgplan.Regimen(
            product=product, start_date=START, tz="UTC", target_dose="300 mg"
        )
        with pytest.raises(mgplan.DoseAboveCapError):
            mgplan.plan(r, mgplan.SafetyProfile(limit_set="eu"))

    def test_default_largest_intake_is_fitted_to_a_half_oxide_tablet(self) -> None:
        """Half of a 500 mg oxide tablet is above the default 125 mg intake."""
        product = mgplan.Product(
            name="Ox 500",
            form="oxide",
            amount_per_unit=500,
            basis="compound",
            unit="tablet",
            splittable=True,
        )
        r = mgplan.Regimen(
            product=product,
            start_date=START,
            tz="UTC",
            start_dose="0.5 tablet",
            target_dose="1 tablet",
        )
        s = mgplan.plan(r)
        assert any(
            "default largest single intake" in d.message
            for d in s.decisions
            if d.action is Action.ADJUST
        )

    def test_default_start_below_the_smallest_amount_is_fitted(self) -> None:
        product = mgplan.Product(
            name="Citrate 150", form="citrate", amount_per_unit=150, unit="tablet"
        )
        r = mgplan.Regimen(
            product=product, start_date=START, tz="UTC", target_dose="300 mg"
        )
        s = mgplan.plan(r)
        assert 150 == s.days[0].elemental_mg
        assert any("default start dose" in d.message for d in s.decisions)

    def test_typed_values_survive_json(self) -> None:
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        r = mgplan.Regimen(
            preset="hornyak", product=product, start_date=START, tz="UTC"
        )
        again = mgplan.Regimen.model_validate_json(r.model_dump_json())
        assert again == r
        assert not again.typed("target_dose")


def test_rules_doc_matches_the_code() -> None:
    """docs/rules.md holds the table rendered from mgplan.RULES."""
    from mgplan._rules import render_rules

    text = (Path(__file__).parent.parent / "docs" / "rules.md").read_text("utf-8")
    assert render_rules() in text


def test_every_cited_source_is_listed() -> None:
    """Each [KEY] a rule or the grading table cites is in mgplan.SOURCES."""
    import re

    from mgplan import _tolerance

    cited = set()
    for rule in mgplan.RULES:
        cited |= set(re.findall(r"\[([A-Z0-9]+)\]", rule.source))
    cited |= set(re.findall(r"\[([A-Z0-9]+)\]", Path(_tolerance.__file__).read_text()))
    assert cited, "the rules cite no source"
    assert cited <= set(mgplan.SOURCES), cited - set(mgplan.SOURCES)


def test_step_back_after_a_missed_restart_is_a_hold() -> None:
    """Found by hypothesis: a moderate report about 50 mg arriving after a
    missed-evening restart already lowered the dose to 25 mg was a 'step
    back' from 25 mg to 25 mg. It is a hold at 25 mg, then one retry."""
    product = mgplan.Product(name="P", form="aspartate", amount_per_unit=25)
    regimen = mgplan.Regimen(
        id="r",
        product=product,
        start_date=dt.date(2025, 1, 1),
        tz="UTC",
        start_dose="25 mg",
        step="25 mg",
        step_interval_days=1,
        target_dose="50 mg",
        maintenance_days=30,
    )
    moderate = mgplan.SideEffectReport(
        date=dt.date(2025, 1, 23), dose_date=dt.date(2025, 1, 21), severity="moderate"
    )
    s = mgplan.plan(
        regimen,
        reports=[moderate],
        missed=[mgplan.MissedDose(date=dt.date(2025, 1, 22))],
    )
    (decision,) = [d for d in s.decisions if d.cause == moderate]
    assert mgplan.Action.HOLD == decision.action
    assert "already 25 mg" in decision.message
    assert 25 == s.day(dt.date(2025, 1, 23)).elemental_mg
    assert 50 == s.day(dt.date(2025, 1, 24)).elemental_mg


def test_the_rules_replace_copies_and_checks_names() -> None:
    """The rules' own replace: a new state with the changes, the old one
    untouched, equal to one built directly, and a misspelt field refused."""
    from mgplan._rules import Tolerance, replace

    state = Tolerance(rung=1, start=1, top=4, target=4, retried=frozenset({2}))
    after = replace(state, rung=2, mild=(2, 1))
    assert after == Tolerance(
        rung=2, start=1, top=4, target=4, retried=frozenset({2}), mild=(2, 1)
    )
    assert hash(after) == hash(
        Tolerance(rung=2, start=1, top=4, target=4, retried=frozenset({2}), mild=(2, 1))
    )
    assert (1, (-1, 0)) == (state.rung, state.mild)
    with pytest.raises(TypeError, match="no field 'rungs'"):
        replace(state, rungs=3)


def test_the_waiting_note_is_dated_when_the_waiting_begins(
    gly50: mgplan.Regimen,
) -> None:
    """A plan paused by a severe report (or stopped) that waits to its end
    noted "The plan stays paused" on its last day, 150 days later: in a
    clinician's summary, on a date months ahead. It is dated the day after
    the shortest pause (the day the waiting begins), and a stop's note the
    day the stop began."""
    gly50 = gly50.replace(end_date=day(200))
    paused = mgplan.plan(gly50, reports=[rep(10, "severe")])
    assert paused.end - day(10) > dt.timedelta(100)
    (waiting,) = [d for d in paused.decisions if d.rule == "waiting"]
    (pause,) = [d for d in paused.decisions if d.action is Action.PAUSE]
    policy = mgplan.TolerancePolicy()
    shortest = policy.pause_for(gly50.step_interval_days)
    assert pause.date + dt.timedelta(shortest) == waiting.date
    assert Phase.PAUSED is paused.day(waiting.date).phase
    assert "stays paused" in waiting.message

    lowest = gly50.replace(start_dose="50 mg")
    stopped = mgplan.plan(lowest, reports=[rep(2, "severe")])
    assert stopped.end - day(2) > dt.timedelta(100)
    (waiting,) = [d for d in stopped.decisions if d.rule == "waiting"]
    (stop,) = [d for d in stopped.decisions if d.action is Action.STOP]
    assert stop.date == waiting.date == day(2)
    assert stop is stopped.latest_decision(day(50))
