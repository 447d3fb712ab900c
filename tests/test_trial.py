"""The n-of-1 trial: seeded blocks, off days, and the randomisation test."""

from __future__ import annotations

import datetime as dt
import random

import pytest

import mgplan
from mgplan._trial import Trial, TrialBlock, analyse

D = dt.date.fromisoformat


def regimen(**trial: object) -> mgplan.Regimen:
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    settings = {"pairs": 3, "block_days": 7, "seed": 42, **trial}
    return mgplan.Regimen(
        id="trial",
        product=product,
        start_date=D("2027-01-04"),
        tz="Europe/Berlin",
        baseline_days=7,
        maintenance_days=14,
        trial=Trial(**settings),  # type: ignore[arg-type]
    )


class TestSchedule:
    def test_blocks_follow_maintenance_in_the_seeded_order(self) -> None:
        s = mgplan.plan(regimen())
        blocks = s.trial_blocks()
        assert 6 == len(blocks)
        assert blocks == regimen().trial.blocks(blocks[0].start)  # type: ignore[union-attr]
        for pair in (1, 2, 3):
            assert {"on", "off"} == {b.arm for b in blocks if b.pair == pair}
        first = blocks[0].start
        assert s.day(first - dt.timedelta(1)).phase is mgplan.Phase.MAINTAINING
        assert s.end == blocks[-1].end == s.review_date
        top = max(s.ladder_mg)
        for block in blocks:
            days = [s.day(block.start + dt.timedelta(k)) for k in range(7)]
            if block.arm == "on":
                assert all(d.phase is mgplan.Phase.TRIAL_ON for d in days)
                assert all(d.elemental_mg == top for d in days)
            else:
                assert all(d.phase is mgplan.Phase.TRIAL_OFF for d in days)
                assert not any(d.intakes for d in days)

    def test_another_seed_may_give_another_order(self) -> None:
        orders = {
            tuple(b.arm for b in mgplan.plan(regimen(seed=seed)).trial_blocks())
            for seed in range(8)
        }
        assert len(orders) > 1

    def test_a_report_in_an_off_block_is_noted(self) -> None:
        s = mgplan.plan(regimen())
        off = next(b for b in s.trial_blocks() if b.arm == "off")
        report = mgplan.SideEffectReport(
            date=off.start + dt.timedelta(2), severity="moderate"
        )
        logged = mgplan.plan(regimen(), journal=[report])
        assert logged.days == s.days
        (note,) = [d for d in logged.decisions if d.cause == report]
        assert "off block" in note.message

    def test_a_report_about_the_dose_before_an_off_block_is_acted_on(self) -> None:
        """Severe after the last evening with magnesium, reported the next
        morning, the first day of an off block: it was noted as "without
        magnesium" and the next on block gave the same dose again. The rules
        apply as to any report about a dose: the plan pauses, and no later
        day comes at or above that dose."""
        plain = mgplan.plan(regimen())
        off = plain.trial_blocks()[0]  # seed 42: the trial opens off
        assert "off" == off.arm
        last = off.start - dt.timedelta(1)
        assert 200 == plain.day(last).elemental_mg
        severe = mgplan.SideEffectReport(date=off.start, severity="severe")
        assert last == severe.dose_date
        s = mgplan.plan(regimen(), journal=[severe])
        (decision,) = [d for d in s.decisions if d.cause == severe]
        assert (mgplan.Action.PAUSE, "severe-pause") == (decision.action, decision.rule)
        assert decision.consult_clinician
        assert all(d.elemental_mg < 200 for d in s.days if d.date > last)
        on = next(b for b in s.trial_blocks() if b.arm == "on")
        assert s.day(on.start).phase is mgplan.Phase.PAUSED
        # A report about an evening of the off block itself is still a note.
        inside = mgplan.SideEffectReport(
            date=off.start + dt.timedelta(2), severity="severe"
        )
        assert mgplan.plan(regimen(), journal=[inside]).days == plain.days

    def test_an_acknowledgement_in_an_off_block_counts(self) -> None:
        """A clinician's acknowledgement dated in an off block was never read:
        the plan stayed stopped and waited for the acknowledgement already in
        the journal. It counts the day it is given; the dose resumes with the
        next on block."""
        r = regimen().replace(start_dose="50 mg", target_dose="50 mg")
        blocks = mgplan.plan(r).trial_blocks()
        first_on = next(b for b in blocks if b.arm == "on")
        severe = mgplan.SideEffectReport(  # at the lowest dose: a stop
            date=first_on.start + dt.timedelta(2), severity="severe"
        )
        off = next(b for b in blocks if b.arm == "off" and b.start > first_on.end)
        ack = mgplan.ClinicianAck(
            date=off.start + dt.timedelta(1), clinician="Dr A", allows="end-stop"
        )
        s = mgplan.plan(r, journal=[severe, ack])
        assert s.waiting_for is None
        (decision,) = [d for d in s.decisions if d.cause == ack]
        assert decision.message.endswith(
            "resuming at 50 mg (1 capsule) with the trial's next on block."
        )
        assert s.day(ack.date).phase is mgplan.Phase.TRIAL_OFF
        next_on = next(b for b in blocks if b.arm == "on" and b.start > off.start)
        assert 50 == s.day(next_on.start).elemental_mg
        assert mgplan.plan(r, journal=[severe]).waiting_for == "clinician"

    def test_a_pause_runs_through_the_blocks(self) -> None:
        """A severe report in an on block pauses the plan; the blocks stay
        where they were drawn, a resolution in an off block restarts the
        dose on the next on block's first evening, and the plan ends when it
        would have (docs/rules.md, "Side effects during the n-of-1 trial")."""
        plain = mgplan.plan(regimen())
        blocks = plain.trial_blocks()
        first_on = next(b for b in blocks if b.arm == "on")
        later = [b for b in blocks if b.start > first_on.end]
        off = next(b for b in later if b.arm == "off")
        next_on = next(b for b in later if b.arm == "on" and b.start > off.start)
        severe = mgplan.SideEffectReport(
            date=first_on.start + dt.timedelta(1), severity="severe"
        )
        gone = mgplan.Resolved(date=off.start + dt.timedelta(1))
        s = mgplan.plan(regimen(), journal=[severe, gone])
        assert s.trial_blocks() == blocks
        assert s.end == plain.end
        (restart,) = [d for d in s.decisions if d.action is mgplan.Action.RESTART]
        assert next_on.start == restart.date
        assert s.day(next_on.start - dt.timedelta(1)).elemental_mg == 0
        ceiling = s.ceiling_mg
        assert ceiling is not None
        assert ceiling < max(plain.ladder_mg)
        for day in s.days:
            if day.date >= next_on.start:
                assert day.elemental_mg <= ceiling
                assert day.phase in (
                    mgplan.Phase.TITRATING,
                    mgplan.Phase.TRIAL_ON,
                    mgplan.Phase.TRIAL_OFF,
                )

    def test_end_date_and_trial_are_refused_together(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            regimen().replace(end_date=D("2027-06-01"))
        assert "Regimen.trial" == info.value.field

    def test_washout_must_leave_days(self) -> None:
        with pytest.raises(mgplan.InvalidInputError, match="washout_days"):
            Trial(pairs=3, block_days=5, washout_days=4, seed=1)

    def test_the_calendar_shows_the_blocks(self) -> None:
        from mgplan import ics

        s = mgplan.plan(regimen(control="placebo"))
        events = [
            e for e in ics.to_calendar(s).walk("VEVENT") if "-trial-" in str(e["UID"])
        ]
        assert 6 == len(events)
        off = [e for e in events if str(e["SUMMARY"]).endswith(": off")]
        assert 3 == len(off)
        assert "placebo capsules" in str(off[0]["DESCRIPTION"])


def _block(pair: int, arm: str, start: str) -> TrialBlock:
    first = D(start)
    return TrialBlock(
        pair=pair,
        arm=arm,  # type: ignore[arg-type]
        start=first,
        end=first + dt.timedelta(6),
        counted_from=first + dt.timedelta(2),
    )


class TestAnalysis:
    def blocks(self, pairs: int) -> list[TrialBlock]:
        out = []
        day = D("2027-03-01")
        for pair in range(1, pairs + 1):
            for arm in ("on", "off"):
                out.append(_block(pair, arm, day.isoformat()))
                day += dt.timedelta(7)
        return out

    def severity(
        self, blocks: list[TrialBlock], on: float, off: float
    ) -> dict[dt.date, float]:
        rng = random.Random(3)
        out = {}
        for b in blocks:
            for k in range(7):
                level = on if b.arm == "on" else off
                out[b.start + dt.timedelta(k)] = level + rng.uniform(-0.5, 0.5)
        return out

    def test_exact_p_with_five_consistent_pairs(self) -> None:
        """Five pairs all better on: p = 1/32, the smallest there is."""
        blocks = self.blocks(5)
        result = analyse(blocks, self.severity(blocks, 3, 6), 2.0)
        assert "improved" == result.verdict
        assert result.p_value == pytest.approx(1 / 32)
        assert all(d > 2 for d in result.differences)

    def test_too_few_pairs_says_how_many(self) -> None:
        blocks = self.blocks(3)
        result = analyse(blocks, self.severity(blocks, 3, 6), 2.0)
        assert "not-enough-data" == result.verdict
        assert "smallest possible p is 1 in 8" in result.summary
        assert "at least 5 pairs" in result.summary

    def test_no_effect(self) -> None:
        blocks = self.blocks(6)
        result = analyse(blocks, self.severity(blocks, 5, 5), 2.0)
        assert "no-clear-change" == result.verdict

    def test_washout_nights_do_not_count(self) -> None:
        """Ratings in the first days of a block are left out."""
        blocks = self.blocks(5)
        severity = self.severity(blocks, 5, 5)
        for b in blocks:  # a big difference, but only in the washout days
            for k in range(2):
                severity[b.start + dt.timedelta(k)] = 0 if b.arm == "on" else 10
        assert "no-clear-change" == analyse(blocks, severity, 2.0).verdict


def test_the_review_reads_the_trial() -> None:
    """Ratings that are lower in on blocks give an answer (five pairs)."""
    r = regimen(pairs=5)
    s = mgplan.plan(r)
    arm = {}
    for b in s.trial_blocks():
        for k in range(7):
            arm[b.start + dt.timedelta(k)] = b.arm
    rng = random.Random(9)
    ratings = []
    for d in s.days:
        level = {"on": 3.0, "off": 6.5}.get(arm.get(d.date, ""), 6.0)
        score = max(0, min(10, round(level + rng.uniform(-1, 1))))
        ratings.append(mgplan.RlsRating(date=d.date, falling_asleep=score, night=score))
    result = mgplan.review(mgplan.plan(r, journal=ratings))
    assert result.trial is not None
    assert "improved" == result.trial.verdict
    assert "n-of-1 trial: improved." in result.text()


def test_nights_off_the_plan_do_not_count_for_their_block() -> None:
    """A severe report early in an on block pauses the plan inside it (then
    it titrates again): those nights had no magnesium, or less, yet counted
    as "on", pulling the pair's difference towards nothing. Only nights
    whose evening was as the arm says count."""
    r = regimen(pairs=5)
    plain = mgplan.plan(r)
    blocks = plain.trial_blocks()
    on = next(b for b in blocks if b.arm == "on")
    severe = mgplan.SideEffectReport(date=on.start + dt.timedelta(1), severity="severe")
    gone = mgplan.Resolved(date=on.start + dt.timedelta(2))
    paused = mgplan.plan(r, journal=[severe, gone])
    in_block = [paused.day(on.start + dt.timedelta(k)) for k in range(7)]
    assert any(d.phase is mgplan.Phase.PAUSED for d in in_block)
    # Nights on magnesium as planned rate 3, every other night 7.
    ratings = [
        mgplan.RlsRating(date=d.date, falling_asleep=score, night=score)
        for d in paused.days
        for score in [3 if d.phase is mgplan.Phase.TRIAL_ON and d.intakes else 7]
    ]
    result = mgplan.review(mgplan.plan(r, journal=[severe, gone, *ratings]))  # type: ignore[list-item]
    assert result.trial is not None
    # The pairs the pause and the titration after it reached counted 0.0;
    # their on blocks have too few nights on magnesium as planned now, and
    # every pair analysed compares 3 with 7.
    assert (5, 3) == (result.trial.pairs_planned, result.trial.pairs_analysed)
    assert (4.0,) * 3 == result.trial.differences
    # It says why, and does not ask for the five pairs that were planned.
    assert "2 of the 5 pairs left out" in result.trial.summary
    assert "Plan at least" not in result.trial.summary


def test_a_trial_whose_dose_changed_says_so() -> None:
    """A severe report late in an on block bars that dose: later on blocks
    are at the ceiling below it. The answer compares "magnesium" with none
    at two doses, and says so (``on_doses_mg``, and in its summary); a trial
    at one dose says nothing of it."""
    r = regimen(pairs=5).replace(
        start_dose="100 mg", step="50 mg", target_dose="150 mg", step_interval_days=2
    )
    blocks = mgplan.plan(r).trial_blocks()
    on = next(b for b in blocks if b.arm == "on")
    off = next(b for b in blocks if b.start > on.end and b.arm == "off")
    severe = mgplan.SideEffectReport(date=on.end, severity="severe")
    gone = mgplan.Resolved(date=off.start + dt.timedelta(1))

    def review(journal: list[object]) -> mgplan.TrialResult:
        s = mgplan.plan(r, journal=journal)  # type: ignore[arg-type]
        ratings = [
            mgplan.RlsRating(date=d.date, night=3 if d.intakes else 6) for d in s.days
        ]
        logged = mgplan.plan(r, journal=[*journal, *ratings], as_of=s.end)  # type: ignore[list-item]
        result = mgplan.review(logged).trial
        assert result is not None
        return result

    changed = review([severe, gone])
    assert (100.0, 150.0) == changed.on_doses_mg
    assert "not all at one dose (100 mg, 150 mg)" in changed.summary
    same = review([])
    assert (150.0,) == same.on_doses_mg
    assert "one dose" not in same.summary


def test_a_trial_that_is_over_does_not_ask_for_more_ratings() -> None:
    """Too few pairs analysed of the five planned: while blocks are left,
    rate them; once the last has ended, none is left to rate."""
    r = regimen(pairs=5)
    s = mgplan.plan(r)
    ratings = [mgplan.RlsRating(date=d.date, night=4) for d in s.days[: -7 * 4]]
    logged = mgplan.plan(r, journal=ratings)  # type: ignore[arg-type]
    during = mgplan.review(logged, as_of=s.end - dt.timedelta(3)).trial
    after = mgplan.review(logged, as_of=s.end + dt.timedelta(1)).trial
    assert during is not None
    assert after is not None
    assert during.verdict == after.verdict == "not-enough-data"
    assert during.summary.endswith("Rate every night of the blocks still to come.")
    assert after.summary.endswith(
        "The trial is over: a new one, rated every night, could answer."
    )
