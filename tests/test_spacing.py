"""Drug spacing: the table, moving intakes, and flagging what cannot move."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import zoneinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import Action
from mgplan._placement import MIN_GAP
from mgplan._spacing import SPACING, Medicine, get_spacing_rule, spacing_rule_for

D = dt.date.fromisoformat


def regimen(**changes: object) -> mgplan.Regimen:
    product = mgplan.Product(name="G100", form="glycinate", amount_per_unit=100)
    fields: dict[str, object] = {
        "product": product,
        "start_date": D("2027-01-04"),
        "tz": "Europe/Berlin",
        "start_dose": "200 mg",
        "target_dose": "200 mg",
        "end_date": D("2027-01-10"),
        **changes,
    }
    return mgplan.Regimen(**fields)  # type: ignore[arg-type]


def profile(*medicines: tuple[str, list[str]]) -> mgplan.SafetyProfile:
    return mgplan.SafetyProfile(
        medicines=[Medicine(name=n, times=t) for n, t in medicines]
    )


class TestTable:
    def test_every_row_cites_a_known_source(self) -> None:
        """Each spacing row names its source."""
        for rule in SPACING.values():
            assert rule.sources
            assert set(rule.sources) <= set(mgplan.SOURCES)

    @pytest.mark.parametrize(
        ("name", "before", "after"),
        [
            ("doxycycline", 2, 6),
            ("ciprofloxacin", 2, 6),
            ("moxifloxacin", 4, 8),
            ("gemifloxacin", 2, 3),
            ("levothyroxine", 4, 4),
            ("gabapentin", 0, 2),
            ("dolutegravir", 2, 6),
            ("ferrous sulfate", 4, 4),
            ("alendronate", 2, 2),
            ("hydroxychloroquine", 4, 4),
            ("erlotinib", 2, 4),
        ],
    )
    def test_hours_by_drug(self, name: str, before: float, after: float) -> None:
        """Drug names find their class's hours, as the sources give them."""
        rule = get_spacing_rule(name)
        assert (before, after) == (rule.before_h, rule.after_h)

    def test_unknown_medicine_gets_the_generic_spacing(self) -> None:
        """An unknown medicine is accepted with the magnesium label's advice
        for any medicine (the longer end, 4 h), and a note says so."""
        med = Medicine(name="St John's wort", times=["20:00"])
        assert (4, 4) == (med.rule.before_h, med.rule.after_h)
        assert ("S14",) == med.rule.sources
        s = mgplan.plan(regimen(), mgplan.SafetyProfile(medicines=[med]))
        assert any("does not know St John's wort" in x for x in s.suggestions)

    def test_near_miss_is_an_error_with_a_suggestion(self) -> None:
        """A typo of a known name would get the wrong hours: it is refused,
        naming what was probably meant."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            Medicine(name="ciprofloxacn", times=["08:00"])
        assert "Medicine.name" == info.value.field
        assert "did you mean 'ciprofloxacin'" in info.value.expected

    @pytest.mark.parametrize(
        ("name", "rule"),
        [
            ("Levothyroxine sodium", "levothyroxine"),
            ("doxycycline hyclate", "tetracyclines"),
            ("Cipro", "ciprofloxacin"),
            ("Fosamax", "bisphosphonates"),
            ("ferrous bisglycinate", "iron"),
            ("pramipexole dihydrochloride", "dopamine-agonists"),
            ("Requip", "dopamine-agonists"),
            ("Lyrica", "pregabalin"),
            ("Horizant", "gabapentin-enacarbil"),
            ("Neurontin", "gabapentin"),
            ("Targin", "opioids"),
            ("Neupro", "rotigotine"),
        ],
    )
    def test_brands_salts_and_rls_medicines(self, name: str, rule: str) -> None:
        """Brand names, salts and the medicines of restless legs are known."""
        assert rule == spacing_rule_for(name).id

    def test_rls_medicines_without_a_sourced_rule_say_so(self) -> None:
        """Pramipexole gets the generic hours, with a note that its own
        sources give none; rotigotine (a patch) needs no spacing."""
        meds = [
            Medicine(name="pramipexole", times=["18:00"]),
            Medicine(name="rotigotine"),
        ]
        s = mgplan.plan(regimen(), mgplan.SafetyProfile(medicines=meds))
        notes = " ".join(d.message for d in s.decisions)
        assert "pramipexole: No spacing of its own" in notes
        assert "skin patch" in notes


class TestPlacement:
    def test_moves_all_intakes_together(self) -> None:
        """Levothyroxine at 18:00 (4 h either side): both intakes move past
        22:00, the bedtime one MIN_GAP after the dinner one."""
        s = mgplan.plan(regimen(), profile(("levothyroxine", ["18:00"])))
        dinner, bedtime = s.days[0].intakes
        assert (dt.time(22, 0), dt.time(19, 0)) == (
            dinner.at.time(),
            dinner.moved_from,
        )
        assert (dt.time(22, 30), dt.time(21, 30)) == (
            bedtime.at.time(),
            bedtime.moved_from,
        )
        spacing = [d for d in s.decisions if d.action is Action.SPACING]
        assert 1 == len(spacing)
        assert "moves to 22:00" in spacing[0].message
        assert "moves to 22:30" in spacing[0].message
        assert not spacing[0].consult_clinician

    def test_ciprofloxacin_morning_and_evening(self) -> None:
        """Cipro 08:00 and 20:00 (2 h before or 6 h after magnesium): the
        evening after 22:00 is clear of both, so every intake goes there."""
        s = mgplan.plan(regimen(), profile(("ciprofloxacin", ["08:00", "20:00"])))
        for entry in s.days:
            assert 200 == entry.elemental_mg
            assert all(i.at.time() >= dt.time(22, 0) for i in entry.intakes)

    def test_stops_when_no_evening_is_clear(self) -> None:
        """Levothyroxine at 20:00 every day leaves no time 17:00-23:00 at
        least 4 h away on any evening: the plan stops on its first evening,
        asking for help, rather than titrate through evenings without
        magnesium (it once climbed to the target with no intake at all)."""
        s = mgplan.plan(regimen(), profile(("levothyroxine", ["20:00"])))
        assert all(e.intakes == () and e.elemental_mg == 0 for e in s.days)
        assert s.days[-1].phase is mgplan.Phase.STOPPED
        (stop,) = [d for d in s.decisions if d.action is Action.STOP]
        assert (s.start, "spacing") == (stop.date, stop.rule)
        assert "levothyroxine" in stop.message
        assert "every intake would be left out" in stop.message
        assert stop.consult_clinician
        assert s.consult_clinician
        assert not any(d.action is Action.INCREASE for d in s.decisions)

    def test_single_intake_uses_a_free_slot_time(self) -> None:
        """A one-intake day moves its intake to where the clash ends."""
        r = regimen(start_dose="100 mg", target_dose="100 mg")
        s = mgplan.plan(r, profile(("levothyroxine", ["18:00"])))
        (intake,) = s.days[0].intakes
        assert dt.time(22, 0) == intake.at.time()

    def test_no_medicine_no_change(self) -> None:
        """Without clashes the slots keep their times."""
        s = mgplan.plan(regimen(), profile(("levothyroxine", ["07:00"])))
        assert [None, None] == [i.moved_from for i in s.days[0].intakes]
        assert not any(d.action is Action.SPACING for d in s.decisions)

    def test_gabapentin_only_after(self) -> None:
        """Gabapentin must come 2 h after magnesium; before is fine."""
        s = mgplan.plan(regimen(), profile(("gabapentin", ["20:00"])))
        times = [i.at.time() for i in s.days[0].intakes]
        assert dt.time(19, 0) not in times  # 19:00 is 1 h before gabapentin
        assert dt.time(21, 30) in times

    def test_raltegravir_refuses(self) -> None:
        """Raltegravir: magnesium is not recommended even spaced, so mgplan
        refuses like a contraindication."""
        with pytest.raises(mgplan.ContraindicationError) as info:
            mgplan.plan(regimen(), profile(("raltegravir", ["08:00"])))
        assert ("raltegravir",) == info.value.conditions

    def test_raltegravir_with_an_override(self) -> None:
        """A clinician's override naming raltegravir plans, and says so."""
        override = mgplan.ClinicianOverride(
            clinician="Dr Rao",
            reason="levels monitored",
            date=D("2026-12-20"),
            allow_medicines=("Raltegravir",),
        )
        p = profile(("raltegravir", ["08:00"])).replace(override=override)
        s = mgplan.plan(regimen(), p)
        first = [d.message for d in s.decisions if d.action is Action.SAFETY]
        assert any(
            "Dr Rao" in m and "raltegravir" in m and "2026-12-20" in m for m in first
        )

    def test_flag_only_medicines(self) -> None:
        """A long-term PPI is noted, never moved around, and needs no times."""
        s = mgplan.plan(regimen(), profile(("omeprazole", [])))
        assert any("proton pump" in x for x in s.suggestions)
        assert all(i.moved_from is None for i in s.intakes())

    def test_uids_stay_when_an_intake_moves(self) -> None:
        """A moved intake keeps its slot index, so its calendar UID is stable."""
        s = mgplan.plan(regimen(), profile(("levothyroxine", ["18:00"])))
        assert [0, 1] == [i.slot_index for i in s.days[0].intakes]

    def test_plan_file_medicines(self, tmp_path: object) -> None:
        """Medicines come from the plan file's [[profile.medicines]]."""
        from pathlib import Path

        path = Path(str(tmp_path)) / "plan.toml"
        text = (
            Path(__file__).parent.parent / "examples" / "glycinate.toml"
        ).read_text()
        path.write_text(
            text + '\n[[profile.medicines]]\nname = "levothyroxine"\n'
            'times = ["18:00"]\n'
        )
        schedule = mgplan.load_plan(path).plan()
        assert any(i.moved_from for i in schedule.intakes())


class TestCourses:
    def test_a_course_moves_intakes_only_while_it_runs(self) -> None:
        """A 3-day ciprofloxacin course moves the intakes on its days, then
        they come back (the evening before is 11 h before its first dose)."""
        med = Medicine(
            name="ciprofloxacin",
            times=["08:00", "20:00"],
            start=D("2027-01-06"),
            end=D("2027-01-08"),
        )
        s = mgplan.plan(regimen(), mgplan.SafetyProfile(medicines=[med]))
        moved = {e.date for e in s.days if any(i.moved_from for i in e.intakes)}
        assert {
            D("2027-01-06"),
            D("2027-01-07"),
            D("2027-01-08"),
        } == moved
        spacing = [d for d in s.decisions if d.action is Action.SPACING]
        assert [D("2027-01-06"), D("2027-01-09")] == [d.date for d in spacing]
        assert "back at their usual times" in spacing[-1].message

    def test_weekly_medicine(self) -> None:
        """Iron at 20:00 on Mondays only: the 19:00 intake is left out on
        Mondays (no evening time is 4 h away) and taken every other day."""
        med = Medicine(name="ferrous sulfate", times=["20:00"], weekdays=["Monday"])
        assert ("mon",) == med.weekdays
        r = regimen(start_dose="100 mg", target_dose="100 mg", end_date=D("2027-01-12"))
        s = mgplan.plan(r, mgplan.SafetyProfile(medicines=[med]))
        empty = [e.date for e in s.days if not e.intakes]
        assert [D("2027-01-04"), D("2027-01-11")] == empty
        assert all(e.date.weekday() == 0 for e in s.days if not e.intakes)

    def test_times_are_required(self) -> None:
        """A medicine that needs spacing without times is an error naming
        the field."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.SafetyProfile(medicines=[{"name": "levothyroxine"}])
        assert info.value.field.endswith("times")
        assert "levothyroxine" in info.value.expected

    def test_end_before_start(self) -> None:
        """A course that ends before it starts is refused."""
        with pytest.raises(mgplan.InvalidInputError, match="on or after start"):
            Medicine(
                name="doxycycline",
                times=["08:00"],
                start=D("2027-01-08"),
                end=D("2027-01-06"),
            )


class TestEveningOrder:
    def test_nuuk_spring_forward(self) -> None:
        """America/Nuuk springs forward at 23:00 on 2027-03-27: intakes at
        22:30 and 23:30 stay apart and in order on their evening."""
        r = regimen(
            tz="America/Nuuk",
            slots=["22:30", "23:30"],
            window_end="23:30",
            start_date=D("2027-03-26"),
            end_date=D("2027-03-28"),
        )
        s = mgplan.plan(r)
        for entry in s.days:
            first, second = (i.at for i in entry.intakes)
            assert first.date() == second.date() == entry.date
            assert second - first >= dt.timedelta(minutes=30) or (
                second.astimezone(dt.UTC) - first.astimezone(dt.UTC)
                >= dt.timedelta(minutes=30)
            )
            assert first.astimezone(dt.UTC) < second.astimezone(dt.UTC)

    def test_a_skipped_day_has_no_intakes(self) -> None:
        """Pacific/Apia skipped 2011-12-30: no intakes that day, a decision
        says so, and no two days share an instant."""
        r = regimen(
            tz="Pacific/Apia",
            start_date=D("2011-12-28"),
            end_date=D("2012-01-01"),
        )
        s = mgplan.plan(r)
        skipped = s.day(D("2011-12-30"))
        assert () == skipped.intakes
        assert 0 == skipped.elemental_mg
        # A float like every other day's, so the JSON reads the same again.
        assert type(skipped.units) is float
        assert s.to_json() == mgplan.Schedule.from_json(s.to_json()).to_json()
        assert any("does not exist" in d.message for d in s.decisions)
        instants = [i.at.astimezone(dt.UTC) for i in s.intakes()]
        assert len(instants) == len(set(instants))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                sorted(n for n, r in SPACING.items() if not (r.flag_only or r.avoid))
            ),
            st.lists(
                st.times().map(lambda t: t.replace(second=0, microsecond=0)),
                min_size=1,
                max_size=3,
            ),
        ),
        max_size=3,
    ),
    st.sets(st.integers(17 * 60, 23 * 60), min_size=1, max_size=3),
)
def test_every_intake_is_clear_or_left_out(
    medicines: list[tuple[str, list[dt.time]]], minutes: set[int]
) -> None:
    """No intake is ever scheduled at a time that clashes; intakes keep their
    order and never share an instant; moved ones stay in the window; an
    evening with intakes left out has a decision asking for help."""
    slots = [dt.time(m // 60, m % 60) for m in sorted(minutes)]
    r = regimen(
        slots=slots,
        start_dose="100 mg",
        target_dose=f"{100 * len(slots)} mg",
        max_single_dose="100 mg",
        step="100 mg",
        step_interval_days=2,
    )
    meds = [Medicine(name=n, times=t) for n, t in medicines]
    s = mgplan.plan(r, mgplan.SafetyProfile(medicines=meds))
    flagged = [d.date for d in s.decisions if d.consult_clinician]
    for entry in s.days:
        times = [i.at for i in entry.intakes]
        assert all(a < b for a, b in itertools.pairwise(times))
        assert entry.elemental_mg == pytest.approx(
            sum(i.elemental_mg for i in entry.intakes)
        )
        for intake in entry.intakes:
            assert not [
                c for m in meds for c in m.clashes_at(intake.at.replace(tzinfo=None))
            ]
            if intake.moved_from is not None:
                assert r.window_start <= intake.at.time() <= r.window_end
        if entry.step and entry.elemental_mg < s.ladder_mg[entry.step - 1] - 1e-6:
            assert any(d <= entry.date for d in flagged)


# 2011 holds Pacific/Apia's skipped day; 2026-2028 today's rules.
_SCANNED = (
    (dt.date(2011, 1, 3), dt.date(2012, 1, 9)),
    (dt.date(2026, 1, 5), dt.date(2029, 1, 1)),
)


@functools.cache
def _evening_transitions() -> tuple[tuple[str, dt.date], ...]:
    """(zone, day) for every IANA zone whose clocks change between 16:00 and
    midnight on a day in _SCANNED (found by weekly sampling, then daily)."""

    def offsets(zone: ZoneInfo, day: dt.date) -> set[dt.timedelta | None]:
        seen = set()
        for minute in range(16 * 60, 24 * 60, 15):
            wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60))
            for fold in (0, 1):
                seen.add(wall.replace(tzinfo=zone, fold=fold).utcoffset())
        return seen

    found = []
    for name in sorted(zoneinfo.available_timezones()):
        zone = ZoneInfo(name)
        noon = dt.time(12)
        for first, last in _SCANNED:
            day = first
            before = dt.datetime.combine(day, noon, tzinfo=zone).utcoffset()
            while day < last:
                week_end = day + dt.timedelta(7)
                after = dt.datetime.combine(week_end, noon, tzinfo=zone).utcoffset()
                if after != before:
                    for i in range(8):
                        d = day + dt.timedelta(i - 1)
                        if len(offsets(zone, d)) > 1:
                            found.append((name, d))
                day, before = week_end, after
    return tuple(dict.fromkeys(found))


def test_evening_transitions_are_found() -> None:
    """The zone scan finds the cases the issue names."""
    found = set(_evening_transitions())
    assert ("America/Nuuk", D("2027-03-27")) in found
    assert len({zone for zone, _ in found}) > 5


@settings(max_examples=200, deadline=None)
@given(
    st.data(),
    st.sets(st.integers(16 * 60, 23 * 60 + 59), min_size=2, max_size=3),
)
def test_intakes_keep_order_and_distance_across_clock_changes(
    data: st.DataObject, minutes: set[int]
) -> None:
    """In every zone with an evening clock change: an evening's intakes stay
    on their own date, in order, at least min(MIN_GAP, their slots' distance)
    apart; no two intakes of the plan share an instant."""
    zone, day = data.draw(st.sampled_from(_evening_transitions()))
    slots = [dt.time(m // 60, m % 60) for m in sorted(minutes)]
    r = regimen(
        tz=zone,
        slots=slots,
        window_start="16:00",
        window_end="23:59",
        start_date=day - dt.timedelta(1),
        end_date=day + dt.timedelta(1),
        start_dose=f"{100 * len(slots)} mg",
        target_dose=f"{100 * len(slots)} mg",
        max_single_dose="100 mg",
    )
    s = mgplan.plan(r)
    instants = []
    for entry in s.days:
        utc = [i.at.astimezone(dt.UTC) for i in entry.intakes]
        assert all(i.at.date() == entry.date for i in entry.intakes)
        for (a, b), (sa, sb) in zip(
            itertools.pairwise(utc),
            itertools.pairwise([slots[i.slot_index] for i in entry.intakes]),
            strict=True,
        ):
            wall = dt.datetime.combine(day, sb) - dt.datetime.combine(day, sa)
            assert b - a >= min(MIN_GAP, wall)
        instants += utc
    assert len(instants) == len(set(instants))


def test_every_avoid_rule_refuses() -> None:
    """Each medicine the sources say to avoid with magnesium refuses."""
    avoid = [rule for rule in SPACING.values() if rule.avoid]
    assert {"raltegravir", "nilotinib"} <= {rule.id for rule in avoid}
    for rule in avoid:
        with pytest.raises(mgplan.ContraindicationError):
            mgplan.plan(regimen(), profile((rule.id, ["08:00"])))


class TestSideEffectsAfterAnIntakeLeftOut:
    """A report counts at what was scheduled that evening, not at the day's
    dose when a clash left an intake out."""

    @staticmethod
    def ladder() -> mgplan.Regimen:
        product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
        return mgplan.Regimen(
            product=product,
            start_date=D("2027-03-01"),
            tz="Europe/Berlin",
            start_dose="50 mg",
            step="50 mg",
            target_dose="200 mg",
            max_single_dose="100 mg",
            slots=["19:00 with dinner", "21:30 at bedtime"],
            window_start="17:00",
            maintenance_days=28,
        )

    def test_a_severe_report_bars_what_was_taken(self) -> None:
        """Levothyroxine at 21:15 leaves room for one intake (17:15): of
        150 mg, 100 mg is scheduled. Severe after such an evening barred
        150 mg and restarted at 100 mg, the very amount taken before it; it
        bars 100 mg now, and no later evening has that much."""
        r = self.ladder()
        p = profile(("levothyroxine", ["21:15"]))
        evening = mgplan.plan(r, p).day(D("2027-03-15"))
        assert (150, 100) == (
            mgplan.plan(r).day(D("2027-03-15")).elemental_mg,
            evening.elemental_mg,
        )
        severe = mgplan.SideEffectReport(date=D("2027-03-16"), severity="severe")
        s = mgplan.plan(r, p, reports=[severe])
        (decision,) = [d for d in s.decisions if d.cause == severe]
        assert "an evening with an intake left out, at 100 mg" in decision.message
        assert 50 == s.ceiling_mg
        assert all(d.elemental_mg < 100 for d in s.days if d.date >= severe.date)
        # A moderate one steps back from what was taken, not from 150 mg.
        moderate = severe.model_copy(update={"severity": mgplan.Severity.MODERATE})
        s = mgplan.plan(r, p, reports=[moderate])
        step_back = next(d for d in s.decisions if d.cause == moderate)
        assert 50 == step_back.dose_after_mg
        assert step_back.message.endswith(
            "at 100 mg: stepping back to 50 mg for 7 days, then retrying 100 mg once."
        )

    def test_a_report_after_every_intake_was_left_out_is_a_note(self) -> None:
        """Levothyroxine at 20:45 for three days leaves no time clear from
        17:00: nothing is scheduled those evenings, so a report about one of
        them is a report about an evening without magnesium."""
        r = self.ladder()
        p = mgplan.SafetyProfile(
            medicines=[
                Medicine(
                    name="levothyroxine",
                    times=["20:45"],
                    start=D("2027-03-10"),
                    end=D("2027-03-12"),
                )
            ]
        )
        plain = mgplan.plan(r, p)
        assert not plain.day(D("2027-03-11")).intakes
        severe = mgplan.SideEffectReport(date=D("2027-03-12"), severity="severe")
        s = mgplan.plan(r, p, reports=[severe])
        (note,) = [d for d in s.decisions if d.cause == severe]
        assert (Action.NOTE, "dose-evening") == (note.action, note.rule)
        assert "no magnesium was taken that evening (every intake left out)" in (
            note.message
        )
        assert s.days == plain.days

    def test_rounding_is_not_an_intake_left_out(self) -> None:
        """14.18439716 mg a capsule, two capsules at each of two slots: the
        intakes' mg, each rounded, add up to a millionth less than the day's
        56.737589 mg. With another medicine in the profile (so the intakes
        are placed, not copied) that read as an intake left out."""
        product = mgplan.Product(
            name="G", form="glycinate", amount_per_unit=14.18439716
        )
        r = self.ladder().replace(
            product=product,
            start_dose="2 capsules",
            step="2 capsules",
            target_dose="4 capsules",
            max_single_dose="2 capsules",
        )
        p = profile(("levothyroxine", ["07:00"]))
        evening = mgplan.plan(r, p).day(D("2027-03-09"))
        parts = sum(i.elemental_mg for i in evening.intakes)
        assert 0 < evening.elemental_mg - parts < 1e-5
        severe = mgplan.SideEffectReport(date=D("2027-03-10"), severity="severe")
        s = mgplan.plan(r, p, reports=[severe])
        (decision,) = [d for d in s.decisions if d.cause == severe]
        assert "left out" not in decision.message
        assert decision.message.startswith(
            "Severe loose stools on 2027-03-10 (after the evening of 2027-03-09) at "
            "56.7 mg: "
        )


class TestEveningsWithEveryIntakeLeftOut:
    """An evening whose intakes a clash all leaves out has no magnesium, like
    a missed one: the dose does not rise on it, and the first evening back
    follows the gap rule. The ladder once climbed on through such evenings
    and the first evening back came several steps above the last taken."""

    ladder = staticmethod(TestSideEffectsAfterAnIntakeLeftOut.ladder)

    @staticmethod
    def levothyroxine(start: str, end: str | None) -> mgplan.SafetyProfile:
        """At 20:45, which leaves no time from 17:00 clear (4 h either way)."""
        return mgplan.SafetyProfile(
            medicines=[
                Medicine(
                    name="levothyroxine",
                    times=["20:45"],
                    start=D(start),
                    end=None if end is None else D(end),
                )
            ]
        )

    def test_no_climb_without_magnesium(self) -> None:
        """50 mg on 03-01, then six evenings with nothing placed while
        increases fell due every 2 days: the first evening back was 200 mg,
        four times what was last taken. It restarts at the start dose now."""
        r = self.ladder().replace(step_interval_days=2)
        s = mgplan.plan(r, self.levothyroxine("2027-03-02", "2027-03-07"))
        assert 50 == s.day(D("2027-03-01")).elemental_mg
        assert not any(s.day(D(f"2027-03-0{i}")).intakes for i in range(2, 8))
        assert not [
            d
            for d in s.decisions
            if d.action is Action.INCREASE and d.date <= D("2027-03-07")
        ]
        back = s.day(D("2027-03-08"))
        assert (50, 1) == (back.elemental_mg, back.step)
        (restart,) = [d for d in s.decisions if d.action is Action.MISSED_RESTART]
        assert (D("2027-03-08"), "missed-gap") == (restart.date, restart.rule)
        assert restart.message.startswith(
            "6 evenings in a row without magnesium, every intake left out "
            "(2027-03-02 to 2027-03-07): restarting at the start dose, at 50 mg"
        )
        assert D("2027-03-10") == next(
            d.date for d in s.decisions if d.action is Action.INCREASE
        )

    def test_a_short_clash_puts_the_increase_off(self) -> None:
        """Two evenings left out, the increase due on the second: it comes
        on the first evening back, one step above the last taken, with no
        restart (fewer than 3 evenings)."""
        r = self.ladder()
        s = mgplan.plan(r, self.levothyroxine("2027-03-07", "2027-03-08"))
        increase = next(d for d in s.decisions if d.action is Action.INCREASE)
        assert D("2027-03-09") == increase.date
        assert (50, 100) == (increase.dose_before_mg, increase.dose_after_mg)
        assert s.day(D("2027-03-09")).intakes
        assert not any(d.action is Action.MISSED_RESTART for d in s.decisions)

    def test_missed_and_left_out_evenings_make_one_gap(self) -> None:
        """Three evenings left out and a skipped one after them: four in a
        row without magnesium, one step lower on the first evening back."""
        r = self.ladder()
        p = self.levothyroxine("2027-03-10", "2027-03-12")
        skipped = mgplan.MissedDose(date=D("2027-03-13"))
        s = mgplan.plan(r, p, journal=[skipped])
        (restart,) = [d for d in s.decisions if d.action is Action.MISSED_RESTART]
        assert restart.message.startswith(
            "4 evenings in a row without magnesium, 1 missed and 3 with every "
            "intake left out (2027-03-10 to 2027-03-13): restarting one step "
            "lower, at 50 mg"
        )
        assert (D("2027-03-14"), restart.cause) == (restart.date, skipped)
        assert 50 == s.day(D("2027-03-14")).elemental_mg

    def test_a_clash_of_ninety_days_stops_the_plan(self) -> None:
        """A course of 89 evenings is a gap (the plan restarts at the start
        dose after it); one of 90 or more stops the plan on its first
        evening, saying so, rather than leave months without magnesium in
        it (an end date years ahead gave a plan of years of empty evenings,
        and one past 30 years an error about the plan's length)."""
        r = self.ladder()
        gap = mgplan.plan(r, self.levothyroxine("2027-03-10", "2027-06-06"))
        (restart,) = [d for d in gap.decisions if d.action is Action.MISSED_RESTART]
        assert D("2027-06-07") == restart.date
        assert "89 evenings in a row without magnesium" in restart.message
        for end in ("2027-06-07", "2199-12-31"):
            s = mgplan.plan(r, self.levothyroxine("2027-03-10", end))
            assert D("2027-03-10") == s.end
            (stop,) = [d for d in s.decisions if d.action is Action.STOP]
            assert (D("2027-03-10"), "spacing") == (stop.date, stop.rule)
            assert "on any evening from 2027-03-10 for the next 90 days" in (
                stop.message
            )
            assert s._stopped_by_a_clash()

    def test_stops_when_no_evening_will_be_clear(self) -> None:
        """Levothyroxine started for good on 03-10: no evening of any week
        from then on can hold magnesium, so the plan stops on its first
        evening; a clinician's end-stop does not change the medicines, and
        the plan stops again the day it resumes."""
        r = self.ladder()
        p = self.levothyroxine("2027-03-10", None)
        s = mgplan.plan(r, p)
        assert D("2027-03-10") == s.end
        assert mgplan.Phase.STOPPED is s.day(D("2027-03-10")).phase
        (stop,) = [d for d in s.decisions if d.action is Action.STOP]
        assert (D("2027-03-10"), "spacing") == (stop.date, stop.rule)
        assert "on any evening from 2027-03-10 on:" in stop.message
        assert stop.consult_clinician
        assert "change their times or the evening window" in stop.suggestion
        # Stopped, nothing is placed: the intakes are not "back" either.
        assert not [d for d in s.decisions if "back at their usual" in d.message]
        waiting = s.decisions[-1]
        assert "waiting" == waiting.rule
        assert "change the other medicines' times" in waiting.message
        ack = mgplan.ClinicianAck(
            date=D("2027-03-14"), clinician="Dr A", allows="end-stop"
        )
        s = mgplan.plan(r, p, journal=[ack])
        stops = [d.date for d in s.decisions if d.action is Action.STOP]
        assert [D("2027-03-10"), D("2027-03-14")] == stops
        assert not any(d.intakes for d in s.days if d.date >= D("2027-03-10"))


class TestACourseThatLeavesAnIntakeOut:
    """Levothyroxine at 21:15 leaves room for one intake (17:15) in the
    evening: of 150 mg in two intakes, 100 mg is scheduled. The dose rises
    only from an evening that takes it whole."""

    ladder = staticmethod(TestSideEffectsAfterAnIntakeLeftOut.ladder)

    @staticmethod
    def levothyroxine(**when: object) -> mgplan.SafetyProfile:
        return mgplan.SafetyProfile(
            medicines=[Medicine(name="levothyroxine", times=["21:15"], **when)]
        )

    def test_no_jump_after_the_course(self) -> None:
        """100 mg taken through an 11-evening course while the ladder went
        on to 200 mg: the first evening after it was 200 mg, twice what was
        taken. The dose holds at 150 mg through the course, and the next
        increase counts from the first evening with the whole dose."""
        p = self.levothyroxine(start=D("2027-03-10"), end=D("2027-03-25"))
        s = mgplan.plan(self.ladder(), p)
        taken = [s.day(D(f"2027-03-{day}")).elemental_mg for day in (14, 20, 25)]
        assert [100, 100, 100] == taken
        back = s.day(D("2027-03-26"))
        assert (150, 3) == (back.elemental_mg, back.step)
        (hold,) = [d for d in s.decisions if d.action is Action.HOLD]
        assert (D("2027-03-26"), "missed-gap") == (hold.date, hold.rule)
        assert hold.message == (
            "11 evenings in a row with an intake left out (2027-03-15 to "
            "2027-03-25): holding 150 mg (3 capsules); the next increase counts "
            "from 2027-03-26, the first evening with the whole dose, and moves "
            "to 2027-04-02."
        )
        increases = [d.date for d in s.decisions if d.action in _UP]
        assert [D("2027-03-08"), D("2027-03-15"), D("2027-04-02")] == increases

    def test_a_weekly_clash_puts_an_increase_off_a_day(self) -> None:
        """On Mondays only: 150 mg leaves an intake out on a Monday, so the
        increase due from it on Monday 03-22 comes on the Tuesday, with
        nothing else changed (100 mg fits, so 03-15 went up as due)."""
        p = self.levothyroxine(weekdays=["mon"])
        s = mgplan.plan(self.ladder(), p)
        assert 100 == s.day(D("2027-03-22")).elemental_mg  # Monday, short
        increases = [d.date for d in s.decisions if d.action in _UP]
        assert [D("2027-03-08"), D("2027-03-15"), D("2027-03-23")] == increases
        assert not [d for d in s.decisions if d.action is Action.HOLD]

    def test_a_clash_that_never_ends_does_not_stall_the_plan(self) -> None:
        """Every evening for good: waiting for a whole evening would wait for
        ever, so the ladder climbs with what can be placed (100 mg), as the
        spacing decision says, and the plan reaches its end."""
        s = mgplan.plan(self.ladder(), self.levothyroxine())
        increases = [d.date for d in s.decisions if d.action in _UP]
        assert [D("2027-03-08"), D("2027-03-15"), D("2027-03-22")] == increases
        assert mgplan.Phase.MAINTAINING is s.days[-1].phase
        assert 100 == s.days[-1].elemental_mg


_UP = (Action.INCREASE, Action.REACH_TARGET)
