"""The safety profile: conditions, kidney function, other magnesium, overrides."""

from __future__ import annotations

import datetime as dt
import re

import pytest

import mgplan
from mgplan import Action, Condition
from mgplan.ics import to_ics

D = dt.date.fromisoformat


def regimen(**changes: object) -> mgplan.Regimen:
    product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
    fields: dict[str, object] = {
        "product": product,
        "start_date": D("2027-01-04"),
        "tz": "Europe/Berlin",
        "start_dose": "100 mg",
        "target_dose": "200 mg",
        **changes,
    }
    return mgplan.Regimen(**fields)  # type: ignore[arg-type]


def safety(schedule: mgplan.Schedule) -> list[mgplan.Decision]:
    return [d for d in schedule.decisions if d.action is Action.SAFETY]


OVERRIDE = {"clinician": "Dr Rao", "reason": "monitored", "date": "2026-12-01"}


class TestConditions:
    def test_every_condition_has_a_rule_and_sources(self) -> None:
        """Each condition says what it does; its sources are listed."""
        assert set(mgplan.CONDITIONS) == set(Condition)
        for rule in mgplan.CONDITIONS.values():
            assert rule.effect in ("refuse", "caution")
            assert set(rule.sources) <= set(mgplan.SOURCES)

    @pytest.mark.parametrize(
        "condition",
        ["hypermagnesaemia", "bowel-obstruction", "severe-dehydration"],
    )
    def test_new_refusals(self, condition: str) -> None:
        """Known hypermagnesaemia, bowel obstruction and severe dehydration
        refuse to plan."""
        with pytest.raises(mgplan.ContraindicationError) as info:
            mgplan.plan(regimen(), mgplan.SafetyProfile(conditions=(condition,)))
        assert (condition,) == info.value.conditions

    @pytest.mark.parametrize(
        "condition",
        [c for c, r in mgplan.CONDITIONS.items() if r.effect == "caution"],
    )
    def test_cautions_plan_with_the_consult_flag(self, condition: Condition) -> None:
        """A caution plans, with a start-day decision that asks for a
        clinician and says why."""
        profile = mgplan.SafetyProfile(conditions=(condition,))
        s = mgplan.plan(regimen(target_dose="150 mg"), profile)
        (note,) = safety(s)
        assert note.date == D("2027-01-04")
        assert note.consult_clinician
        assert mgplan.CONDITIONS[condition].text in note.message
        assert s.consult_clinician

    def test_pregnancy_needs_a_consistent_sex(self) -> None:
        """Pregnancy recorded with sex 'male' is an error naming the field."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SafetyProfile(sex="male", conditions=("pregnancy",))
        assert "SafetyProfile.conditions" == info.value.field

    def test_young_children_need_a_clinician(self) -> None:
        """Ages 1-8 plan under their own limit, with the consult flag."""
        profile = mgplan.SafetyProfile(age=6)
        assert "4-8" == profile.age_band
        assert 110 == profile.daily_cap_mg
        s = mgplan.plan(regimen(target_dose="100 mg"), profile)
        assert any(d.consult_clinician and "child" in d.message for d in safety(s))

    def test_age_and_band_must_agree(self) -> None:
        """A typed band that contradicts the typed age is an error."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SafetyProfile(age=40, age_band="4-8")
        assert "SafetyProfile.age_band" == info.value.field


class TestKidneys:
    def test_egfr_45_halves_the_cap_and_asks_for_a_clinician(self) -> None:
        """eGFR 45: consult at the start, the default cap halved (a
        convention, said in the cap's reason)."""
        profile = mgplan.SafetyProfile(egfr=45)
        assert 175 == profile.daily_cap_mg
        assert "halved" in profile.cap_reason
        assert "convention" in profile.cap_reason
        s = mgplan.plan(regimen(target_dose="150 mg"), profile)
        assert 175 == s.daily_cap_mg
        (note,) = safety(s)
        assert note.consult_clinician
        assert "eGFR 30 to 59" in note.message

    def test_egfr_45_typed_target_above_the_halved_cap(self) -> None:
        """A typed target above the lowered cap is refused, naming both."""
        with pytest.raises(mgplan.DoseAboveCapError) as info:
            mgplan.plan(regimen(target_dose="200 mg"), mgplan.SafetyProfile(egfr=45))
        assert 175 == info.value.cap_mg
        assert "200 mg" in str(info.value)

    def test_override_cap_wins_over_the_halving(self) -> None:
        """A clinician's cap replaces the convention."""
        override = mgplan.ClinicianOverride(**OVERRIDE, daily_cap_mg=250)
        assert 250 == mgplan.SafetyProfile(egfr=45, override=override).daily_cap_mg

    def test_allowing_severe_kidney_disease_needs_a_cap(self) -> None:
        """An override allowing severe kidney disease must set the cap."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.ClinicianOverride(
                **OVERRIDE, allow_conditions=("severe-kidney-disease",)
            )
        assert "ClinicianOverride.daily_cap_mg" == info.value.field
        override = mgplan.ClinicianOverride(
            **OVERRIDE,
            allow_conditions=("severe-kidney-disease",),
            daily_cap_mg=100,
        )
        profile = mgplan.SafetyProfile(egfr=20, override=override)
        s = mgplan.plan(regimen(target_dose="100 mg"), profile)
        assert 100 == s.daily_cap_mg
        messages = " ".join(d.message for d in safety(s))
        assert "Dr Rao" in messages
        assert "2026-12-01" in messages
        assert "monitored" in messages
        assert "severe kidney disease" in messages

    def test_age_65_without_egfr_asks_for_it(self) -> None:
        """At 65 or older with no eGFR, a note asks for kidney function."""
        s = mgplan.plan(regimen(), mgplan.SafetyProfile(age=70))
        (note,) = safety(s)
        assert "kidney function" in note.message
        assert not note.consult_clinician
        assert not safety(mgplan.plan(regimen(), mgplan.SafetyProfile(age=70, egfr=80)))


class TestOtherMagnesium:
    def test_counts_against_the_cap(self) -> None:
        """100 mg a day from an antacid leaves 250 mg under the US limit, and
        the cap's reason says so."""
        profile = mgplan.SafetyProfile(other_magnesium_mg=100)
        assert 250 == profile.daily_cap_mg
        assert "less 100 mg/day from other sources" in profile.cap_reason
        s = mgplan.plan(regimen(), profile)
        assert max(e.elemental_mg for e in s.days) <= 250
        assert any("other sources" in d.message for d in safety(s))

    def test_a_typed_target_that_no_longer_fits(self) -> None:
        """A typed 300 mg target with 100 mg from elsewhere is refused,
        naming both numbers."""
        profile = mgplan.SafetyProfile(other_magnesium_mg=100)
        with pytest.raises(mgplan.DoseAboveCapError) as info:
            mgplan.plan(regimen(target_dose="300 mg"), profile)
        message = str(info.value)
        assert "300 mg" in message
        assert "250 mg" in message
        assert "100 mg" in message

    def test_nothing_left(self) -> None:
        """Other magnesium at or above the limit leaves no room: an error."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SafetyProfile(limit_set="eu", other_magnesium_mg=250)
        assert "SafetyProfile.other_magnesium_mg" == info.value.field


class TestOverrides:
    def test_every_override_is_a_start_day_decision(self) -> None:
        """An override names the clinician, date, reason and what it allows."""
        override = mgplan.ClinicianOverride(
            **OVERRIDE, allow_conditions=("heart-block",)
        )
        profile = mgplan.SafetyProfile(conditions=("heart-block",), override=override)
        s = mgplan.plan(regimen(), profile)
        text = " ".join(d.message for d in safety(s))
        for part in ("Dr Rao", "2026-12-01", "monitored", "heart block"):
            assert part in text
        assert all(d.date == D("2027-01-04") for d in safety(s))

    def test_show_carries_the_override(self, tmp_path: object) -> None:
        """'mgplan show' prints the override's sentence."""
        from pathlib import Path

        from mgplan._cli import main

        path = Path(str(tmp_path)) / "plan.toml"
        example = Path(__file__).parent.parent / "examples" / "glycinate.toml"
        path.write_text(
            example.read_text()
            + '\n[profile.override]\nclinician = "Dr Rao"\nreason = "monitored"\n'
            "date = 2026-11-20\ndaily_cap_mg = 300\n"
        )
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert 0 == main(["show", str(path), "--date", "2026-12-02"])
        text = re.sub(r"\s+", " ", out.getvalue())
        assert "Clinician override by Dr Rao on 2026-11-20" in text


def test_show_lists_each_consult_reason(tmp_path: object) -> None:
    """An iron clash with no reports: 'show' gives the clash as the reason,
    not a sentence about a severe side effect."""
    from pathlib import Path

    from mgplan._cli import main

    path = Path(str(tmp_path)) / "plan.toml"
    example = Path(__file__).parent.parent / "examples" / "glycinate.toml"
    path.write_text(
        example.read_text()
        + '\n[[profile.medicines]]\nname = "ferrous sulfate"\ntimes = ["20:00"]\n'
    )
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert 0 == main(["show", str(path), "--date", "2026-12-02"])
    text = re.sub(r"\s+", " ", out.getvalue())
    assert "Talk to a clinician:" in text
    assert "left out" in text
    assert "severe" not in text


class TestRedFlags:
    def test_sourced(self) -> None:
        """Each red flag names sources mgplan lists."""
        for sign, sources in mgplan.RED_FLAGS:
            assert sign
            assert sources
            assert set(sources) <= set(mgplan.SOURCES)

    def test_everywhere_a_person_reads(self, tmp_path: object) -> None:
        """The red flags are in 'show', every calendar event, the FHIR
        request's notes and the starter plan's comments; an override is in
        the calendar and FHIR too."""
        import contextlib
        import io
        from pathlib import Path

        from mgplan import fhir, ics
        from mgplan._cli import main
        from mgplan._planfile import starter_plan

        override = mgplan.ClinicianOverride(**OVERRIDE, daily_cap_mg=300)
        s = mgplan.plan(regimen(id="flags"), mgplan.SafetyProfile(override=override))
        calendar = ics.to_ics(s).decode()
        unfolded = re.sub(r"\r\n[ \t]", "", calendar).replace("\\,", ",")
        events = unfolded.split("BEGIN:VEVENT")[1:]
        assert events
        for event in events:
            assert mgplan.RED_FLAGS_SHORT in event.replace("\\;", ";")
            assert "Clinician override by Dr Rao" in event
        notes = [n["text"] for n in fhir.to_medication_request(s)["note"]]
        assert mgplan.RED_FLAGS_TEXT in notes
        assert any("Dr Rao" in n for n in notes)
        starter = starter_plan(start=D("2026-12-01"), tz="UTC")
        assert "blood in your stool" in starter
        path = Path(str(tmp_path)) / "plan.toml"
        path.write_text(starter)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert 0 == main(["show", str(path), "--date", "2026-12-02"])
        assert "Stop magnesium and get medical help" in re.sub(
            r"\s+", " ", out.getvalue()
        )


def test_a_unit_above_the_cap_says_why_the_cap_is_that() -> None:
    """With 330 mg a day from other sources the cap is 20 mg, and a 50 mg
    capsule is above it: the error said only 'the smallest amount of this
    product that can be taken'; it says where the 20 mg comes from."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        id="r", product=product, start_date=dt.date(2027, 1, 4), tz="UTC"
    )
    with pytest.raises(mgplan.DoseAboveCapError) as info:
        mgplan.plan(regimen, mgplan.SafetyProfile(other_magnesium_mg=330))
    assert "Regimen.product.amount_per_unit" == info.value.field
    assert 20 == info.value.cap_mg
    assert "less 330 mg/day from other sources" in info.value.expected
    assert "the least of this product that can be taken is 1 capsule" in (
        info.value.expected
    )


def test_a_target_typed_in_units_is_named_as_typed() -> None:
    """A target of "4 capsules" above the cap was shown only in mg ("got
    '400 mg'"), which the person never wrote: both now."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
    regimen = mgplan.Regimen(
        id="r",
        product=product,
        start_date=dt.date(2027, 1, 4),
        tz="UTC",
        target_dose="4 capsules",
    )
    with pytest.raises(mgplan.DoseAboveCapError) as info:
        mgplan.plan(regimen)
    assert (400, 350) == (info.value.dose_mg, info.value.cap_mg)
    assert "4 capsules (400 mg elemental)" == info.value.received
    typed_mg = regimen.replace(target_dose="400 mg")
    with pytest.raises(mgplan.DoseAboveCapError) as info:
        mgplan.plan(typed_mg)
    assert "400 mg" == info.value.received


class TestLatestDecision:
    """What tonight and the calendar call the latest change."""

    def test_the_start_not_the_safety_notes_beside_it(self) -> None:
        """With safety notes on the start day (an age without eGFR, magnesium
        from other sources), the latest decision was the last note, so the
        calendar said "Latest change: 60 mg a day ... counts against the
        cap" and then the same note again among the safety notes."""
        profile = mgplan.SafetyProfile(age=70, other_magnesium_mg=60)
        s = mgplan.plan(regimen(id="latest"), profile)
        start = D("2027-01-04")
        assert [Action.START, Action.SAFETY, Action.SAFETY] == [
            d.action for d in s.decisions if d.date == start and d.rule != "iron"
        ]
        latest = s.latest_decision(start + dt.timedelta(3))
        assert latest is not None
        assert Action.START is latest.action
        description = to_ics(s).decode()
        assert "Latest change (2027-01-04): Starting on" in description.replace(
            "\r\n ", ""
        )

    def test_the_dose_decision_of_a_day_with_a_note(self) -> None:
        """A step back and a milder report noted the same day: the step back.
        A day with notes only: its last note."""
        s = mgplan.plan(
            regimen(),
            reports=[
                mgplan.SideEffectReport(
                    date=D("2027-01-14"), symptom="diarrhoea", severity="moderate"
                ),
                mgplan.SideEffectReport(
                    date=D("2027-01-14"), symptom="bloating", severity="mild"
                ),
            ],
        )
        day = [d for d in s.decisions if d.date == D("2027-01-14")]
        assert {Action.STEP_BACK, Action.NOTE} == {d.action for d in day}
        latest = s.latest_decision(D("2027-01-15"))
        assert latest is not None
        assert Action.STEP_BACK is latest.action
        only_notes = mgplan.plan(
            regimen(baseline_days=7),
        ).latest_decision(D("2027-01-05"))
        assert only_notes is not None
        assert "baseline" == only_notes.rule
