"""The outcome journal kinds: taken, ratings, stools, ferritin; the baseline."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import zoneinfo
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import mgplan
from mgplan._cli import main

D = dt.date.fromisoformat
BERLIN = "Europe/Berlin"


def regimen(**changes: object) -> mgplan.Regimen:
    product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
    base = mgplan.Regimen(
        id="outcomes", product=product, start_date=D("2027-03-01"), tz=BERLIN
    )
    return base.replace(**changes) if changes else base


class TestTakenAfterMidnight:
    def test_before_the_boundary_counts_for_the_evening_before(self) -> None:
        """01:30 belongs to the previous evening; 04:00 starts a new day."""
        assert D("2027-01-10") == mgplan.evening_of(
            dt.datetime(2027, 1, 11, 1, 30), BERLIN
        )
        assert D("2027-01-11") == mgplan.evening_of(
            dt.datetime(2027, 1, 11, 4, 0), BERLIN
        )
        assert D("2027-01-11") == mgplan.evening_of(
            dt.datetime(2027, 1, 11, 21, 40), BERLIN
        )

    def test_across_the_spring_change(self) -> None:
        """Berlin skips 02:00-03:00 on 2027-03-28: 03:30 local is still the
        night of the 27th; 00:45 UTC (01:45 CET) too; 02:30 UTC is 04:30 CEST."""
        zone = zoneinfo.ZoneInfo(BERLIN)
        assert D("2027-03-27") == mgplan.evening_of(
            dt.datetime(2027, 3, 28, 3, 30, tzinfo=zone), BERLIN
        )
        assert D("2027-03-27") == mgplan.evening_of(
            dt.datetime(2027, 3, 28, 0, 45, tzinfo=dt.UTC), BERLIN
        )
        assert D("2027-03-28") == mgplan.evening_of(
            dt.datetime(2027, 3, 28, 2, 30, tzinfo=dt.UTC), BERLIN
        )

    def test_across_the_autumn_change(self) -> None:
        """On 2027-10-31 Berlin repeats 02:00-03:00: 03:59 CET (02:59 UTC) is
        still the night of the 30th, whichever 02:xx it followed."""
        assert D("2027-10-30") == mgplan.evening_of(
            dt.datetime(2027, 10, 31, 2, 59, tzinfo=dt.UTC), BERLIN
        )
        assert D("2027-10-30") == mgplan.evening_of(
            dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC), BERLIN
        )
        assert D("2027-10-31") == mgplan.evening_of(
            dt.datetime(2027, 10, 31, 3, 0, tzinfo=dt.UTC), BERLIN
        )

    def test_taken_at_time_keeps_the_local_clock(self) -> None:
        """The entry holds the evening and the local wall-clock time."""
        entry = mgplan.Taken.at_time(
            dt.datetime(2027, 3, 28, 0, 45, tzinfo=dt.UTC), BERLIN
        )
        assert (D("2027-03-27"), dt.time(1, 45)) == (entry.date, entry.at)

    def test_a_later_boundary(self) -> None:
        """The boundary is configurable."""
        at = dt.datetime(2027, 1, 11, 5, 0)
        assert D("2027-01-11") == mgplan.evening_of(at, BERLIN)
        assert D("2027-01-10") == mgplan.evening_of(at, BERLIN, dt.time(6, 0))

    @given(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2035, 1, 1)))
    def test_the_evening_is_the_day_or_the_one_before(self, at: dt.datetime) -> None:
        """Whatever the time, the evening is that local day or the one before."""
        evening = mgplan.evening_of(at, BERLIN)
        assert evening in (at.date(), at.date() - dt.timedelta(1))
        assert (evening == at.date()) == (at.time() >= mgplan.DAY_BOUNDARY)


class TestEntries:
    def test_ratings_need_at_least_one(self) -> None:
        """An empty rating is refused, naming what may be given."""
        with pytest.raises(mgplan.InvalidInputError, match="at least one rating"):
            mgplan.RlsRating(date=D("2027-03-01"))
        rating = mgplan.RlsRating(date=D("2027-03-01"), night=6, sleep_satisfaction=4)
        assert {"night": 6, "sleep_satisfaction": 4} == rating.ratings()

    @pytest.mark.parametrize(
        ("field", "value"), [("night", 11), ("falling_asleep", -1), ("irls_total", 41)]
    )
    def test_ratings_are_bounded(self, field: str, value: int) -> None:
        """0-10 scales, IRLS total 0-40."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.RlsRating(date=D("2027-03-01"), **{field: value})  # type: ignore[arg-type]
        assert f"RlsRating.{field}" == info.value.field

    def test_every_kind_round_trips_through_a_journal(self, tmp_path: Path) -> None:
        """Each kind is appended as a JSON line and read back equal."""
        journal = mgplan.Journal(tmp_path / "j.jsonl")
        entries = [
            mgplan.Taken(date=D("2027-03-01"), at=dt.time(21, 40)),
            mgplan.MissedDose(date=D("2027-03-02")),
            mgplan.RlsRating(date=D("2027-03-02"), falling_asleep=5, irls_total=18),
            mgplan.Stools(date=D("2027-03-03"), count=2, bristol=4),
            mgplan.Ferritin(date=D("2026-11-20"), ng_ml=48, tsat_percent=18),
        ]
        for entry in entries:
            journal.append(entry)
        assert tuple(entries) == journal.read().log
        assert '"kind":"skipped"' in journal.path.read_text()

    def test_missed_is_read_as_skipped(self, tmp_path: Path) -> None:
        """Journals written before say "missed"; they still read."""
        path = tmp_path / "j.jsonl"
        path.write_text('{"kind":"missed","date":"2027-03-02"}\n')
        (entry,) = mgplan.Journal(path).read().log
        assert isinstance(entry, mgplan.MissedDose)


class TestEngineReadsThem:
    def test_taken_and_skipped_the_same_evening_is_refused(self) -> None:
        """An evening is taken or skipped, not both."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(
                regimen(),
                journal=[
                    mgplan.Taken(date=D("2027-03-05")),
                    mgplan.MissedDose(date=D("2027-03-05")),
                ],
            )
        assert "journal[1].date" == info.value.field
        assert "already recorded as taken" in info.value.expected

    def test_ratings_stools_and_ferritin_change_no_dose(self) -> None:
        """Normal stools, ratings and an old ferritin leave the plan as it was."""
        plain = mgplan.plan(regimen())
        logged = mgplan.plan(
            regimen(),
            journal=[
                mgplan.Ferritin(date=D("2026-10-01"), ng_ml=120),
                mgplan.RlsRating(date=D("2027-03-03"), night=7),
                mgplan.Stools(date=D("2027-03-04"), count=1, bristol=4),
                mgplan.Taken(date=D("2027-03-05"), at=dt.time(21, 30)),
            ],
        )
        assert plain.days == logged.days
        assert 1 == len(logged.taken) == len(logged.ratings) == len(logged.ferritin)

    def test_loose_stools_grade_as_a_side_effect(self) -> None:
        """Bristol 7 on a stools entry is a mild loose-stools report: it holds."""
        logged = mgplan.plan(
            regimen(),
            journal=[mgplan.Stools(date=D("2027-03-09"), count=2, bristol=7)],
        )
        decision = next(d for d in logged.decisions if d.rule.startswith("mild"))
        assert "Bristol type 7" in decision.message
        assert mgplan.plan(regimen()).days != logged.days

    def test_count_above_the_baseline_median(self) -> None:
        """With a baseline, counts are graded against its median (CTCAE)."""
        r = regimen(baseline_days=3)
        usual = [
            mgplan.Stools(date=r.start_date + dt.timedelta(d), count=1)
            for d in range(3)
        ]
        # 6 a day against a usual 1: 5 above, CTCAE grade 2, moderate.
        loose = mgplan.Stools(date=r.dose_start + dt.timedelta(8), count=6)
        logged = mgplan.plan(r, journal=[*usual, loose])
        assert any(d.rule.startswith("moderate") for d in logged.decisions)
        # Without the baseline's counts there is no usual: a count alone is
        # not graded.
        alone = mgplan.plan(r, journal=[loose])
        assert not any(d.rule.startswith("moderate") for d in alone.decisions)


class TestBaseline:
    def test_baseline_days_have_no_magnesium(self) -> None:
        """The first baseline_days are BASELINE days without intakes."""
        s = mgplan.plan(regimen(baseline_days=7))
        first = s.days[:7]
        assert all(d.phase is mgplan.Phase.BASELINE and not d.intakes for d in first)
        assert s.days[7].intakes
        assert s.days[7].date == D("2027-03-08") == regimen(baseline_days=7).dose_start
        start = next(d for d in s.decisions if d.rule == "start")
        assert D("2027-03-08") == start.date
        assert any(d.rule == "baseline" for d in s.decisions)

    def test_the_titration_is_shifted_whole(self) -> None:
        """After the baseline, the days are those of a plan starting then."""
        with_baseline = mgplan.plan(regimen(baseline_days=7))
        later = mgplan.plan(regimen(start_date=D("2027-03-08")))
        assert [d.elemental_mg for d in later.days] == [
            d.elemental_mg for d in with_baseline.days[7:]
        ]

    def test_dose_entries_in_the_baseline_are_refused(self) -> None:
        """Nothing is taken in the baseline: a dose taken or skipped there, or
        a clinician's acknowledgement, is refused; ratings and stools are
        what it is for."""
        r = regimen(baseline_days=7)
        for entry in (
            mgplan.Taken(date=D("2027-03-03")),
            mgplan.MissedDose(date=D("2027-03-03")),
            mgplan.ClinicianAck(
                date=D("2027-03-03"), clinician="Dr A", allows="end-stop"
            ),
        ):
            with pytest.raises(mgplan.InvalidInputError, match="first dose"):
                mgplan.plan(r, journal=[entry])
        mgplan.plan(r, journal=[mgplan.RlsRating(date=D("2027-03-03"), night=5)])

    def test_side_effects_in_the_baseline_are_noted(self) -> None:
        """A side effect in the baseline is noted, as on any evening without
        magnesium, and its end can be recorded: the person's rate without
        magnesium, which placebo arms show is not small. Each is a note that
        changes no dose, however severe."""
        r = regimen(baseline_days=7)
        journal = [
            mgplan.SideEffectReport(date=D("2027-03-02"), severity="mild"),
            mgplan.SideEffectReport(
                date=D("2027-03-05"), symptom="bloating", severity="mild"
            ),
            mgplan.Resolved(date=D("2027-03-06")),
        ]
        s = mgplan.plan(r, journal=journal)
        assert mgplan.plan(r).days == s.days
        notes = [d for d in s.decisions if d.cause in journal]
        assert [
            (D("2027-03-02"), "dose-evening"),
            (D("2027-03-05"), "dose-evening"),
        ] == [(d.date, d.rule) for d in notes]
        assert (
            "Mild bloating on 2027-03-05 (after the evening of 2027-03-04): no "
            "magnesium was taken that evening (baseline); noted, no change."
        ) == notes[1].message
        assert not s.consult_clinician

    def test_a_worse_side_effect_before_the_first_dose_asks_for_a_clinician(
        self,
    ) -> None:
        """Moderate or severe, in the baseline or about its last evening: talk
        to a clinician before magnesium starts. The dose still starts as
        planned (as with ``active-diarrhoea`` in the profile)."""
        r = regimen(baseline_days=7)
        for date in ("2027-03-04", "2027-03-08"):  # in it; the first dose's day
            report = mgplan.SideEffectReport(
                date=D(date), symptom="diarrhoea", severity="severe"
            )
            s = mgplan.plan(r, journal=[report])
            note = next(d for d in s.decisions if d.cause == report)
            assert (note.action, note.rule) == (mgplan.Action.NOTE, "dose-evening")
            assert note.consult_clinician
            assert note.message.endswith(
                "Talk to a clinician before magnesium starts (on 2027-03-08): it "
                "loosens stools, and active diarrhoea is a reason to wait."
            )
            assert mgplan.plan(r).days == s.days
        # Once magnesium has started, a report about a baseline evening (sent
        # late) is only noted.
        late = mgplan.SideEffectReport(
            date=D("2027-03-10"), dose_date=D("2027-03-07"), severity="severe"
        )
        s = mgplan.plan(r, journal=[late])
        note = next(d for d in s.decisions if d.cause == late)
        assert not note.consult_clinician
        assert "(baseline); noted, no change." in note.message


class TestCommandLine:
    @pytest.fixture
    def plan_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        path = tmp_path / "plan.toml"
        assert 0 == main(["init", str(path), "--start", "2026-12-01", "--tz", BERLIN])
        return path

    def run(
        self, capsys: pytest.CaptureFixture[str], *argv: str
    ) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    def test_init_starts_with_a_week_of_baseline(self, plan_file: Path) -> None:
        """mgplan init writes baseline_days = 7: magnesium from day 8."""
        regimen = mgplan.load_plan(plan_file).regimen
        assert (7, D("2026-12-08")) == (regimen.baseline_days, regimen.dose_start)

    def test_tonight_in_the_baseline_asks_for_ratings(
        self, plan_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = self.run(
            capsys, "tonight", str(plan_file), "--date", "2026-12-03"
        )
        assert 0 == code
        assert out.startswith("Baseline evening, Thursday 2026-12-03: no magnesium")
        assert "No ratings yet for the nights after 2026-12-02 and 2026-12-03" in out

    def test_in_the_morning_tonights_night_is_not_asked_for(
        self,
        plan_file: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """At 08:00 the night after this evening has not come: 'tonight'
        asked for its ratings anyway. It asks for the two nights before
        (as 'mgplan rls' dates a morning rating by the evening before); from
        noon, last night's and tonight's. MGPLAN_NOW alone sets the day."""
        monkeypatch.delenv("MGPLAN_TODAY")
        monkeypatch.setenv("MGPLAN_NOW", "2026-12-05T08:00")
        code, out, _ = self.run(capsys, "tonight", str(plan_file))
        assert 0 == code
        assert "Baseline evening, Saturday 2026-12-05" in out
        assert "No ratings yet for the nights after 2026-12-03 and 2026-12-04" in out
        monkeypatch.setenv("MGPLAN_NOW", "2026-12-05T21:00")
        code, out, _ = self.run(capsys, "tonight", str(plan_file))
        assert "No ratings yet for the nights after 2026-12-04 and 2026-12-05" in out
        # With an offset: 23:30 in New York is 05:30 the next day in Berlin.
        monkeypatch.setenv("MGPLAN_NOW", "2026-12-05T23:30-05:00")
        code, out, _ = self.run(capsys, "tonight", str(plan_file))
        assert "Baseline evening, Sunday 2026-12-06" in out
        assert "No ratings yet for the nights after 2026-12-04 and 2026-12-05" in out

    def test_taken_after_midnight_counts_for_the_evening_before(
        self,
        plan_file: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("MGPLAN_NOW", "2026-12-10T00:40")
        code, out, _ = self.run(capsys, "taken", str(plan_file))
        assert 0 == code
        assert "Took the evening's dose of 2026-12-09 at 00:40" in out
        code, _, err = self.run(
            capsys, "skipped", str(plan_file), "--date", "2026-12-09"
        )
        assert 2 == code
        assert "already recorded as taken" in err

    def test_ratings_stools_ferritin_and_the_listing(
        self, plan_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = str(plan_file)
        assert (
            0 == self.run(capsys, "rls", p, "--date", "2026-12-02", "--night", "6")[0]
        )
        code, out, _ = self.run(capsys, "stools", p, "--count", "2", "--bristol", "7")
        assert 0 == code
        assert "Mild loose stools (Bristol type 7)" in out  # graded: it holds
        code, out, _ = self.run(
            capsys, "ferritin", p, "--ng-ml", "45", "--date", "2026-06-01"
        )
        assert 0 == code  # a result from before the plan is accepted
        assert 0 == self.run(capsys, "undo", p)[0]
        code, out, _ = self.run(capsys, "journal", p)
        lines = out.splitlines()
        assert 4 == len(lines)
        assert "\u0336" in lines[2]
        assert "[taken back by entry 4]" in lines[2]
        assert "\u0336" not in lines[0]
        code, out, _ = self.run(capsys, "journal", p, "--json")
        rows = json.loads(out)
        assert [True, True, False, False] == [r["counts"] for r in rows]
        assert "ferritin" == rows[2]["entry"]["kind"]
        assert 4 == rows[2]["taken_back_by"]

    def test_a_side_effect_in_the_baseline_is_logged(
        self, plan_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """'mgplan report' in the baseline week was refused, naming a --date
        nobody typed. It is logged and noted; the listing keeps its columns
        with the longest kind ('side-effect')."""
        p = str(plan_file)
        code, out, err = self.run(
            capsys, "report", p, "--symptom", "bloating", "--severity", "mild",
            "--date", "2026-12-04",
        )  # fmt: skip
        assert (0, mgplan.DISCLAIMER) == (code, err.strip())
        assert "no magnesium was taken that evening (baseline); noted" in " ".join(
            out.split()
        )
        assert (
            0 == self.run(capsys, "rls", p, "--date", "2026-12-04", "--night", "6")[0]
        )
        code, out, _ = self.run(capsys, "journal", p)
        first, second = out.splitlines()
        assert first.index("Mild bloating") == second.index("Ratings for")
        assert "2026-12-04  side-effect  Mild bloating" in first

    def test_bad_ratings_name_the_option(
        self, plan_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = self.run(capsys, "rls", str(plan_file), "--irls", "41")
        assert 2 == code
        assert "mgplan: --irls: expected less than or equal to 40" in err
        code, _, err = self.run(capsys, "rls", str(plan_file))
        assert 2 == code
        assert "at least one rating" in err

    def test_json_outputs(
        self, plan_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = self.run(capsys, "tonight", str(plan_file), "--json")
        data = json.loads(out)
        assert ("2026-12-10", "titrating") == (data["date"], data["day"]["phase"])
        assert data["dose"].endswith("mg)")
        assert ["2026-12-09", "2026-12-10"] == data["ratings_missing"]
        code, out, _ = self.run(capsys, "convert", "500", "mg", "citrate", "--json")
        assert 0 == code
        assert {"form": "citrate", "elemental_mg": 80.8, "compound_mg": 500.0} == {
            k: v for k, v in json.loads(out).items() if k != "elemental_fraction"
        }
        _, out, _ = self.run(capsys, "forms", "--json")
        assert "bisglycinate" in {f["id"] for f in json.loads(out)}


class TestBaselineCalendarAndBoundary:
    def test_the_calendar_reminds_each_baseline_evening(self) -> None:
        from mgplan import ics

        s = mgplan.plan(regimen(baseline_days=3))
        events = [
            e
            for e in ics.to_calendar(s).walk("VEVENT")
            if "-baseline-" in str(e["UID"])
        ]
        assert [D("2027-03-01"), D("2027-03-02"), D("2027-03-03")] == [
            e.start.date() for e in events
        ]
        assert all(
            "Baseline: no magnesium, rate tonight" == str(e["SUMMARY"]) for e in events
        )
        assert "mgplan rls" in str(events[0]["DESCRIPTION"])

    def test_the_plan_sets_the_day_boundary(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        path = tmp_path / "plan.toml"
        assert 0 == main(["init", str(path), "--start", "2026-12-01", "--tz", BERLIN])
        text = path.read_text().replace(
            "baseline_days = 7\n", 'baseline_days = 7\nday_boundary = "06:00"\n'
        )
        path.write_text(text)
        monkeypatch.setenv("MGPLAN_NOW", "2026-12-10T05:10")
        assert 0 == main(["taken", str(path)])
        assert "dose of 2026-12-09 at 05:10" in capsys.readouterr().out

    def test_a_boundary_after_noon_is_refused(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            regimen(day_boundary=dt.time(13, 0))
        assert "Regimen.day_boundary" == info.value.field


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["taken", "--units", "-1"], "--units: expected a positive number of units"),
        (
            ["ferritin", "--ng-ml", "1e400"],
            "--ng-ml: expected a positive number of ng/mL",
        ),
    ],
)
def test_bad_numbers_name_their_unit(
    argv: list[str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "a positive number of mg" for a count of units or a ferritin."""
    monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
    path = tmp_path / "plan.toml"
    assert 0 == main(["init", str(path), "--start", "2026-12-01", "--tz", BERLIN])
    err = io.StringIO()
    with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as info:
        main([argv[0], str(path), *argv[1:]])
    assert 2 == info.value.code
    assert expected in err.getvalue()
