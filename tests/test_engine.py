import datetime as dt

import pytest

import mgplan
from mgplan import Action, Phase

from .conftest import report

D = dt.date.fromisoformat


def doses(schedule: mgplan.Schedule) -> dict[dt.date, float]:
    return {e.date: e.elemental_mg for e in schedule.days}


class TestLadder:
    def test_plain_titration(self, regimen: mgplan.Regimen) -> None:
        """100 → 200 → 300 mg a week apart, then 28 days at the target."""
        s = mgplan.plan(regimen)
        got = doses(s)
        assert 100 == got[D("2026-12-07")]
        assert 200 == got[D("2026-12-08")]
        assert 300 == got[D("2026-12-15")]
        assert D("2026-12-15") + dt.timedelta(27) == s.end
        assert Phase.MAINTAINING == s.day(D("2026-12-15")).phase
        actions = [d.action for d in s.decisions if d.rule not in ("iron", "review")]
        assert [Action.START, Action.INCREASE, Action.REACH_TARGET] == actions

    def test_end_date_wins(self, regimen: mgplan.Regimen) -> None:
        """An end date sets the last day whatever the ladder does."""
        s = mgplan.plan(regimen.replace(end_date=D("2027-06-30")))
        assert D("2027-06-30") == s.end
        assert 212 == len(s.days)

    def test_step_smaller_than_a_unit(self, regimen: mgplan.Regimen) -> None:
        """A 50 mg step with 100 mg capsules steps one capsule, and says so."""
        s = mgplan.plan(regimen.replace(step="50 mg"))
        assert 200 == s.day(D("2026-12-08")).elemental_mg
        adjust = [d for d in s.decisions if d.action is Action.ADJUST]
        assert 1 == len(adjust)
        assert "smaller than 1 capsule" in adjust[0].message

    def test_halves_for_splittable_products(self) -> None:
        """A scored tablet may be taken as halves."""
        product = mgplan.Product(
            name="Ox", form="oxide", amount_per_unit=100, unit="tablet", splittable=True
        )
        r = mgplan.Regimen(
            product=product,
            start_date=D("2027-01-01"),
            tz="UTC",
            start_dose="0.5 tablet",
            step="0.5 tablet",
            target_dose="1.5 tablets",
        )
        s = mgplan.plan(r)
        assert [0.5, 1.0, 1.5] == sorted({e.units for e in s.days})

    def test_split_above_max_single_dose(self, regimen: mgplan.Regimen) -> None:
        """300 mg with at most 125 mg an intake is three 100 mg intakes."""
        s = mgplan.plan(regimen)
        intakes = s.day(D("2026-12-20")).intakes
        assert [100.0] * 3 == [i.elemental_mg for i in intakes]
        assert ["18:30", "20:00", "21:30"] == [f"{i.at:%H:%M}" for i in intakes]

    def test_two_intakes_use_first_and_last_slot(self, regimen: mgplan.Regimen) -> None:
        """Two intakes among three slots go with dinner and at bedtime."""
        s = mgplan.plan(regimen)
        slots = [i.slot for i in s.day(D("2026-12-08")).intakes]
        assert ["with dinner", "at bedtime"] == slots

    def test_single_intake_at_chosen_slot(self, regimen: mgplan.Regimen) -> None:
        """One intake is taken at single_slot."""
        s = mgplan.plan(regimen.replace(single_slot=2))
        assert ["at bedtime"] == [i.slot for i in s.days[0].intakes]

    def test_too_few_slots(self, regimen: mgplan.Regimen) -> None:
        """A typed target that needs more intakes than slots is refused clearly."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(
                regimen.replace(slots=["19:00", "21:00"], max_single_dose="125 mg")
            )
        assert "Regimen.slots" == info.value.field
        assert "3 evening slots" in info.value.expected

    def test_intakes_state_units_elemental_and_compound(
        self, regimen: mgplan.Regimen
    ) -> None:
        """Every intake carries units, elemental mg and compound mg."""
        intake = mgplan.plan(regimen).days[0].intakes[0]
        assert (1.0, 100.0) == (intake.units, intake.elemental_mg)
        assert 709.2 == pytest.approx(intake.compound_mg, abs=0.1)


class TestCap:
    def test_target_above_cap(self, regimen: mgplan.Regimen) -> None:
        """A target above the cap is refused, naming the cap and why."""
        with pytest.raises(mgplan.DoseAboveCapError) as info:
            mgplan.plan(regimen, mgplan.SafetyProfile(limit_set="eu"))
        assert "Regimen.target_dose" == info.value.field
        assert (300, 250) == (info.value.dose_mg, info.value.cap_mg)
        assert "EU" in str(info.value)

    def test_rounding_never_crosses_cap(self) -> None:
        """116.7 mg tablets: three would be 350.1 mg, so the plan uses two."""
        product = mgplan.Product(
            name="T", form="citrate", amount_per_unit=116.7, unit="tablet"
        )
        r = mgplan.Regimen(
            product=product,
            start_date=D("2027-01-01"),
            tz="UTC",
            start_dose="116.7 mg",
            step="116.7 mg",
            target_dose="350 mg",
            max_single_dose="120 mg",
            slots=["18:00", "20:00", "22:00"],
        )
        s = mgplan.plan(r)
        assert 233.4 == pytest.approx(max(e.elemental_mg for e in s.days))

    def test_override_allows_more(self, regimen: mgplan.Regimen) -> None:
        """With a clinician override the cap rises as recorded."""
        override = mgplan.ClinicianOverride(
            clinician="Dr Rao",
            reason="trial protocol",
            date="2026-11-20",
            daily_cap_mg=400,
        )
        profile = mgplan.SafetyProfile(override=override)
        s = mgplan.plan(
            regimen.replace(
                target_dose="400 mg", slots=["18:00", "19:30", "21:00", "22:30"]
            ),
            profile,
        )
        assert 400 == max(e.elemental_mg for e in s.days)
        assert 400 == s.daily_cap_mg
        assert "Dr Rao" in s.cap_reason

    def test_contraindication_refuses(self, regimen: mgplan.Regimen) -> None:
        """Heart block refuses planning."""
        with pytest.raises(mgplan.ContraindicationError):
            mgplan.plan(regimen, mgplan.SafetyProfile(conditions=("heart-block",)))


class TestReportValidation:
    def test_before_start(self, regimen: mgplan.Regimen) -> None:
        """A report before the plan starts names its field."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(regimen, reports=[report("2026-11-30")])
        assert "journal[0].date" == info.value.field
        assert "2026-11-30" == info.value.received

    def test_from_the_future(self, regimen: mgplan.Regimen) -> None:
        """A report after as_of is refused."""
        with pytest.raises(mgplan.InvalidInputError, match="future"):
            mgplan.plan(regimen, reports=[report("2026-12-20")], as_of=D("2026-12-19"))

    @pytest.mark.parametrize("name", ["override", "ferritin"])
    def test_profile_dates_from_the_future(
        self, regimen: mgplan.Regimen, name: str
    ) -> None:
        """An override or a ferritin result dated after as_of is refused: an
        override from the future would raise the cap before it was given."""
        tomorrow = D("2026-12-20")
        value: object = (
            mgplan.ClinicianOverride(
                clinician="Dr Rao", reason="r", date=tomorrow, daily_cap_mg=500
            )
            if name == "override"
            else mgplan.Ferritin(date=tomorrow, ng_ml=40)
        )
        profile = mgplan.SafetyProfile(**{name: value})  # type: ignore[arg-type]
        with pytest.raises(mgplan.InvalidInputError, match="on or before today") as e:
            mgplan.plan(regimen, profile, as_of=D("2026-12-19"))
        assert e.value.field == f"SafetyProfile.{name}.date"
        assert e.value.received == "2026-12-20"
        # Dated today, or planned without a today: accepted.
        assert mgplan.plan(regimen, profile, as_of=tomorrow).profile == profile
        assert mgplan.plan(regimen, profile).profile == profile

    def test_after_the_plan(self, regimen: mgplan.Regimen) -> None:
        """A report after the plan's last day is refused."""
        with pytest.raises(mgplan.InvalidInputError, match="within the plan"):
            mgplan.plan(regimen, missed=[mgplan.MissedDose(date=D("2028-01-01"))])


class TestTimeZones:
    def test_wall_clock_kept_across_dst(self) -> None:
        """21:30 stays 21:30 local when Berlin leaves summer time."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        r = mgplan.Regimen(
            product=product,
            start_date=D("2026-10-20"),
            tz="Europe/Berlin",
            slots=["21:30"],
            target_dose="100 mg",
            end_date=D("2026-11-05"),
        )
        s = mgplan.plan(r)
        before, after = s.day(D("2026-10-24")), s.day(D("2026-10-26"))
        assert "21:30" == f"{before.intakes[0].at:%H:%M}"
        assert "21:30" == f"{after.intakes[0].at:%H:%M}"
        assert dt.timedelta(hours=2) == before.intakes[0].at.utcoffset()
        assert dt.timedelta(hours=1) == after.intakes[0].at.utcoffset()

    def test_schedule_lookup_outside(self, regimen: mgplan.Regimen) -> None:
        """Asking for a day outside the plan names the range."""
        with pytest.raises(mgplan.InvalidInputError, match="within the plan"):
            mgplan.plan(regimen).day(D("2020-01-01"))


class TestSteps:
    def test_steps_cover_the_dosed_days(self, regimen: mgplan.Regimen) -> None:
        """Dose steps are contiguous runs that together cover every dosed day."""
        s = mgplan.plan(regimen, reports=[report("2026-12-16", "severe")])
        steps = s.steps()
        assert [1, 2, 3] == [st.sequence for st in steps][:3]
        covered = sum(st.days for st in steps)
        assert sum(1 for e in s.days if e.intakes) == covered


class TestEveningDstGap:
    def test_gap_at_23_keeps_the_dose_on_its_evening(self) -> None:
        """Nuuk springs forward at 23:00 on 2026-03-28: the 23:00 dose that
        evening moves back before the gap instead of onto the next day."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        r = mgplan.Regimen(
            product=product,
            start_date=D("2026-03-25"),
            tz="America/Nuuk",
            slots=["23:00"],
            target_dose="100 mg",
            end_date=D("2026-03-31"),
        )
        s = mgplan.plan(r)
        gap_day = s.day(D("2026-03-28")).intakes[0].at
        assert D("2026-03-28") == gap_day.date()
        assert dt.time(22, 0) == gap_day.time()
        assert [1] * 7 == [len(e.intakes) for e in s.days]
        dates = [i.at.date() for i in s.intakes()]
        assert len(set(dates)) == len(dates)


def test_the_journal_kinds_agree() -> None:
    """The engine checks entries against a tuple of classes kept beside the
    type it annotates them with: the two name the same kinds."""
    import typing

    from mgplan import _inputs

    assert set(typing.get_args(_inputs.Logged)) == set(_inputs.LOGGED)
