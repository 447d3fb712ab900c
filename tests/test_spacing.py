"""Drug spacing: the table, moving intakes, and flagging what cannot move."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import Action
from mgplan._spacing import SPACING, Medicine, get_spacing_rule

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

    def test_unknown_medicine(self) -> None:
        """An unknown medicine name says which are known."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            Medicine(name="snake oil")
        assert "Medicine.name" == info.value.field
        assert "levothyroxine" in info.value.expected


class TestPlacement:
    def test_moves_within_the_window(self) -> None:
        """Levothyroxine at 18:00: the 21:30 dose moves to 22:00; the 19:00 one
        cannot move anywhere in the window and is flagged."""
        s = mgplan.plan(regimen(), profile(("levothyroxine", ["18:00"])))
        dinner, bedtime = s.days[0].intakes
        assert (dt.time(22, 0), dt.time(21, 30)) == (
            bedtime.at.time(),
            bedtime.moved_from,
        )
        assert () == bedtime.conflicts
        assert dt.time(19, 0) == dinner.at.time()
        assert "levothyroxine at least 4 h away" in dinner.conflicts[0]
        spacing = [d for d in s.decisions if d.action is Action.SPACING]
        assert 2 == len(spacing)
        assert "moves to 22:00" in spacing[1].message
        assert spacing[0].consult_clinician

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

    def test_raltegravir_is_always_a_conflict(self) -> None:
        """Raltegravir cannot be spaced: every intake is flagged."""
        s = mgplan.plan(regimen(), profile(("raltegravir", ["08:00", "20:00"])))
        assert all(i.conflicts for i in s.intakes())
        assert s.consult_clinician

    def test_flag_only_medicines(self) -> None:
        """A long-term PPI is noted, never moved around."""
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(n for n, r in SPACING.items() if not r.flag_only)),
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
def test_every_intake_is_spaced_or_flagged(
    medicines: list[tuple[str, list[dt.time]]], minutes: set[int]
) -> None:
    """Each intake either clashes with nothing at its time, or lists exactly
    what it clashes with; moved ones stay in the window and in order."""
    slots = [dt.time(m // 60, m % 60) for m in sorted(minutes)]
    r = regimen(
        slots=slots, start_dose="100 mg", target_dose="100 mg", max_single_dose="100 mg"
    )
    meds = [Medicine(name=n, times=t) for n, t in medicines]
    s = mgplan.plan(r, mgplan.SafetyProfile(medicines=meds))
    for entry in s.days:
        times = [i.at.time() for i in entry.intakes]
        assert times == sorted(times)
        for intake in entry.intakes:
            at = intake.at.time()
            clashes = tuple(c for m in meds for c in m.clashes(at))
            assert intake.conflicts == clashes
            if intake.moved_from is not None:
                assert r.window_start <= at <= r.window_end
                assert not clashes
