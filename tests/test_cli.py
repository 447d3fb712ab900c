"""The mgplan command: golden outputs on the bundled example, and errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import icalendar
import pytest

import mgplan
from mgplan._cli import main

from .radicale_server import PASSWORD, USER, radicale

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "glycinate.toml"
GOLDEN = Path(__file__).parent / "golden" / "cli"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command sees the same today, so outputs are reproducible."""
    monkeypatch.setenv("MGPLAN_TODAY", "2026-11-24")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    for name in (
        "MGPLAN_CALDAV_URL",
        "MGPLAN_CALDAV_USERNAME",
        "MGPLAN_CALDAV_PASSWORD",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def plan_copy(tmp_path: Path) -> Path:
    """The example plan and its journal, copied so a command may change them."""
    for name in ("glycinate.toml", "glycinate.journal.jsonl"):
        shutil.copy(ROOT / "examples" / name, tmp_path / name)
    return tmp_path / "glycinate.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("MGPLAN_UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.read_text() == text, f"{name} changed; MGPLAN_UPDATE_GOLDEN=1"


GOLDEN_RUNS = {
    "show": ["show", str(EXAMPLE)],
    "show-chart": ["show", str(EXAMPLE), "--chart"],
    "tonight": ["tonight", str(EXAMPLE)],
    "tonight-before-start": ["tonight", str(EXAMPLE), "--date", "2026-10-01"],
    "tonight-holding": ["tonight", str(EXAMPLE), "--date", "2026-11-12"],
    "forms": ["forms"],
    "convert": ["convert", "500", "mg", "citrate"],
    "convert-elemental": ["convert", "200", "glycinate", "--elemental"],
}


class TestGolden:
    @pytest.mark.parametrize("name", sorted(GOLDEN_RUNS))
    def test_output(self, name: str, capsys: pytest.CaptureFixture[str]) -> None:
        """The command prints what its golden file holds, and exits 0; stderr
        holds the disclaimer alone."""
        code, out, err = run(capsys, *GOLDEN_RUNS[name])
        assert (0, mgplan.DISCLAIMER + "\n") == (code, err)
        check_golden(name, out.replace(str(ROOT) + os.sep, ""))

    def test_report_changes_the_plan(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """report logs the entry and prints what changed."""
        code, out, _ = run(
            capsys,
            "report",
            str(plan_copy),
            "--symptom",
            "diarrhoea",
            "--severity",
            "moderate",
            "--date",
            "2026-11-24",
        )
        assert 0 == code
        check_golden("report", out.replace(str(plan_copy.parent) + os.sep, ""))
        entries = mgplan.Journal(plan_copy.with_name("glycinate.journal.jsonl")).read()
        assert 2 == len(entries.reports)

    def test_three_missed_evenings(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The third missed evening in a row restarts one step lower."""
        for day in ("2026-11-20", "2026-11-21"):
            assert 0 == run(capsys, "missed", str(plan_copy), "--date", day)[0]
        code, out, _ = run(capsys, "missed", str(plan_copy), "--date", "2026-11-22")
        assert 0 == code
        check_golden("missed", out.replace(str(plan_copy.parent) + os.sep, ""))

    def test_every_output_says_not_medical_advice(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each command says it, on stderr, so stdout can be captured alone
        (x=$(mgplan convert ...) is one line)."""
        for argv in GOLDEN_RUNS.values():
            _, out, err = run(capsys, *argv)
            assert mgplan.DISCLAIMER in err
            assert mgplan.DISCLAIMER not in out
        _, out, _ = run(capsys, "convert", "500", "mg", "citrate")
        assert 1 == len(out.strip().splitlines())


class TestDaily:
    def test_one_row_per_day(self, capsys: pytest.CaptureFixture[str]) -> None:
        """show --daily has a date column and a row for every day of the plan."""
        code, out, _ = run(capsys, "show", str(EXAMPLE), "--daily")
        assert 0 == code
        lines = out.splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("date "))
        schedule = mgplan.load_plan(EXAMPLE).plan(
            mgplan.Journal(EXAMPLE.with_name("glycinate.journal.jsonl")).read()
        )
        rows = [line for line in lines[header + 2 :] if line[:4].isdigit()]
        assert [str(e.date) for e in schedule.days] == [r[:10] for r in rows]


class TestWaiting:
    def test_show_says_since_when_a_plan_is_paused(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A plan paused by a severe report, waiting for the symptoms to go,
        said "paused from 2027-10-31 on" (its end date) in November 2026: it
        gives the first paused day."""
        code, _, _ = run(
            capsys, "report", str(plan_copy), "--severity", "severe",
            "--date", "2026-11-20",
        )  # fmt: skip
        assert 0 == code
        code, out, _ = run(capsys, "show", str(plan_copy))
        assert 0 == code
        assert "The plan has been paused since 2026-11-20: no magnesium" in out
        assert "2027-10-31 on" not in out
        # The command to run names the plan file, as the ratings prompt does.
        assert 1 == out.count("has been paused since")
        # Whole on one line: wrapping broke paths at their hyphens.
        assert f"('mgplan resolved {plan_copy}')" in out.replace("\n  ", " ")
        # Within the shortest pause, the earliest restart; after it, none.
        code, out, _ = run(capsys, "tonight", str(plan_copy), "--date", "2026-11-22")
        assert "it restarts on 2026-11-27 at the earliest" in " ".join(out.split())
        code, out, _ = run(capsys, "tonight", str(plan_copy), "--date", "2026-11-28")
        assert "The plan has been paused since 2026-11-20" in " ".join(out.split())
        assert "at the earliest" not in out

    def test_a_dose_logged_on_an_evening_without_one(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """'taken' on a paused evening was logged with "The plan does not
        change." and nothing else: it is logged as said, and the output says
        the plan had no magnesium then (and to tell a clinician); 'skipped'
        there says there was nothing to skip."""
        p = str(plan_copy)
        run(capsys, "report", p, "--severity", "severe", "--date", "2026-11-20")
        code, out, _ = run(capsys, "taken", p, "--date", "2026-11-22")
        assert 0 == code
        text = " ".join(out.split())
        assert "Logged in" in text
        assert "The plan has no magnesium that evening (paused)" in text
        assert "tell your clinician" in text
        code, out, _ = run(capsys, "skipped", p, "--date", "2026-11-23")
        assert 0 == code
        assert "The plan has no dose that evening (paused): nothing to skip." in out
        code, out, _ = run(capsys, "taken", p, "--date", "2026-11-19")
        assert "The plan has no" not in out

    def test_show_past_the_last_day_says_it_once(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A stopped plan shown after its last day said why twice: in the
        line about tonight and again below the table."""
        plan = tmp_path / "stop.toml"
        plan.write_text(
            'format = "mgplan.plan"\nversion = 1\n[regimen]\nid = "stop"\n'
            'start_date = 2026-11-02\ntz = "UTC"\nstart_dose = "50 mg"\n'
            '[regimen.product]\nname = "G"\nform = "glycinate"\n'
            "amount_per_unit = 50\n"
        )
        code, _, _ = run(
            capsys, "report", str(plan), "--severity", "severe",
            "--date", "2026-11-04",
        )  # fmt: skip
        assert 0 == code
        code, out, _ = run(capsys, "show", str(plan))
        assert 0 == code
        assert 1 == out.count("has been stopped since 2026-11-04")

    def test_the_earliest_restart_without_an_end_date(self) -> None:
        """Without an end date a waiting plan ends on the last day of its
        shortest pause, and the earliest restart was named as that day; it
        is the day after."""
        from mgplan._cli._common import _waiting_text

        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="wait",
            product=product,
            start_date=dt.date(2027, 1, 4),
            tz="UTC",
            start_dose="100 mg",
        )
        report = mgplan.SideEffectReport(
            date=dt.date(2027, 1, 14), symptom="diarrhoea", severity="severe"
        )
        schedule = mgplan.plan(regimen, reports=[report])
        assert dt.date(2027, 1, 20) == schedule.end
        text = _waiting_text(schedule, dt.date(2027, 1, 16))
        assert "it restarts on 2027-01-21 at the earliest" in text

    def test_a_stopped_plan_says_since_when(self) -> None:
        from mgplan._cli._common import _waiting_text

        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="stop",
            product=product,
            start_date=dt.date(2027, 1, 4),
            tz="UTC",
            start_dose="50 mg",
            end_date=dt.date(2027, 3, 1),
        )
        report = mgplan.SideEffectReport(
            date=dt.date(2027, 1, 6), symptom="diarrhoea", severity="severe"
        )
        schedule = mgplan.plan(regimen, reports=[report])
        assert ("clinician", dt.date(2027, 3, 1)) == (
            schedule.waiting_for,
            schedule.end,
        )
        assert _waiting_text(schedule, dt.date(2027, 1, 20)).startswith(
            "The plan has been stopped since 2027-01-06: no magnesium until a "
            "clinician agrees"
        )

    def test_a_plan_stopped_by_a_clash_says_what_resumes_it(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Levothyroxine at 20:00 every day keeps every evening time from
        17:00 to 23:00 too close: the plan stops on its first evening, and
        what it waits for is a change of times, not a clinician's word
        (which would not change the medicines)."""
        plan = tmp_path / "clash.toml"
        plan.write_text(
            'format = "mgplan.plan"\nversion = 1\n[regimen]\nid = "clash"\n'
            'start_date = 2026-11-02\ntz = "UTC"\nstart_dose = "50 mg"\n'
            '[regimen.product]\nname = "G"\nform = "glycinate"\n'
            "amount_per_unit = 50\n"
            '[[profile.medicines]]\nname = "levothyroxine"\ntimes = ["20:00"]\n'
        )
        code, out, _ = run(capsys, "show", str(plan))
        assert 0 == code
        text = " ".join(out.split())
        assert (
            "The plan has been stopped since 2026-11-02: no evening keeps "
            "magnesium clear of the other medicines. Ask a pharmacist or "
            "clinician how to space them, then change their times or the "
            f"evening window in {plan}."
        ) in text
        assert "until a clinician agrees" not in text
        # No evening with an intake: no calendar, and a message that says so.
        code, _, err = run(capsys, "ics", str(plan), "-o", str(tmp_path / "c.ics"))
        assert 2 == code
        assert "got 'a schedule with no intake on any day" in err
        # Started on 11-10, after a week of evenings with magnesium.
        text = plan.read_text().replace(
            'times = ["20:00"]', 'times = ["20:00"]\nstart = 2026-11-10'
        )
        plan.write_text(text)
        loaded = mgplan.load_plan(plan)
        schedule = mgplan.plan(loaded.regimen, loaded.profile)
        assert schedule._stopped_by_a_clash()
        assert dt.date(2026, 11, 10) == schedule._waiting_since()
        from mgplan import ics
        from mgplan.summary import _status

        assert "as no evening keeps it clear" in _status(schedule, schedule.end)
        calendar = ics.to_ics(schedule).decode()
        unfolded = calendar.replace("\r\n ", "")
        assert "It resumes once the other medicines' times or the evening" in unfolded
        assert "Only a clinician" not in unfolded

    def test_tonight_with_every_intake_left_out(self) -> None:
        """An evening a clash leaves without an intake said "the plan is
        titrating until ...": it says why there is none, and when there is."""
        from mgplan._cli._common import _tonight

        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="course",
            product=product,
            start_date=dt.date(2027, 1, 4),
            tz="UTC",
            start_dose="100 mg",
            end_date=dt.date(2027, 2, 28),
        )
        course = mgplan.Medicine(
            name="levothyroxine",
            times=["20:00"],
            start=dt.date(2027, 1, 10),
            end=dt.date(2027, 1, 12),
        )
        schedule = mgplan.plan(regimen, mgplan.SafetyProfile(medicines=[course]))
        text = " ".join(_tonight(schedule, dt.date(2027, 1, 11)).split())
        assert text.startswith(
            "No magnesium tonight (2027-01-11): no evening time keeps it clear of "
            "the other medicines, so every intake is left out; the next evening "
            "with magnesium is 2027-01-13."
        )


class TestJsonOutput:
    def test_show_json_is_the_schedule(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """show --json prints the schedule; the disclaimer goes to stderr."""
        code, out, err = run(capsys, "show", str(EXAMPLE), "--json")
        assert 0 == code
        schedule = mgplan.Schedule.from_json(out)
        assert "glycinate-example" == schedule.plan_id
        assert mgplan.DISCLAIMER in err
        json.loads(out)


class TestFiles:
    def test_init_writes_and_refuses_to_overwrite(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """init writes a loadable plan, then refuses to overwrite it."""
        path = tmp_path / "plan.toml"
        assert 0 == run(capsys, "init", str(path), "--tz", "Europe/Vienna")[0]
        assert "Europe/Vienna" == mgplan.load_plan(path).regimen.tz
        code, _, err = run(capsys, "init", str(path))
        assert 2 == code
        assert "--force" in err
        assert 0 == run(capsys, "init", str(path), "--force")[0]

    def test_init_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """init plan.json writes a JSON plan (it wrote TOML under a .json name,
        then refused it, leaving the file behind)."""
        path = tmp_path / "plan.json"
        assert 0 == run(capsys, "init", str(path), "--tz", "Asia/Tokyo")[0]
        data = json.loads(path.read_text())
        assert "mgplan.plan" == data["format"]
        assert "2026-11-24" == data["regimen"]["start_date"]
        toml = tmp_path / "plan.toml"
        run(capsys, "init", str(toml), "--tz", "Asia/Tokyo")
        ours, theirs = mgplan.load_plan(path), mgplan.load_plan(toml)
        # The same starter, but for the id every init draws anew.
        assert theirs.model_copy(
            update={"regimen": theirs.regimen.model_copy(update={"id": "x"})}
        ) == ours.model_copy(
            update={"regimen": ours.regimen.model_copy(update={"id": "x"})}
        )
        assert 0 == run(capsys, "show", str(path))[0]

    def test_init_checks_before_it_writes(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A starter the loader refuses is never written: --force does not
        replace a working plan with it (init wrote first, then checked)."""
        from mgplan._cli import _plan
        from mgplan._planfile import starter_plan

        path = tmp_path / "plan.toml"
        path.write_text(EXAMPLE.read_text())
        before = path.read_bytes()
        monkeypatch.setattr(
            _plan,
            "starter_plan",
            lambda **kw: starter_plan(**kw).replace("limit_set = ", "limit_set = 7 #"),
        )
        code, _, err = run(capsys, "init", str(path), "--force")
        assert 2 == code
        assert "limit_set" in err
        assert before == path.read_bytes()
        assert [path] == list(tmp_path.iterdir())

    def test_ics(self, plan_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """ics writes a calendar with the plan's alarm and refill settings."""
        target = plan_copy.with_name("plan.ics")
        code, out, _ = run(capsys, "ics", str(plan_copy), "-o", str(target))
        assert 0 == code
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
        events = list(calendar.walk("VEVENT"))
        assert f"Wrote {target}: {len(events)} events" in out
        alarm = events[0].walk("VALARM")[0]["TRIGGER"].dt
        assert -600 == alarm.total_seconds()
        assert any("refill" in str(e["UID"]) for e in events)

    def test_fhir_r4_and_r5(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """fhir writes a MedicationRequest that validates in its version."""
        from fhir.resources.medicationrequest import MedicationRequest
        from fhir.resources.R4B.medicationrequest import (
            MedicationRequest as RequestR4,
        )

        code, out, err = run(capsys, "fhir", str(plan_copy), "--version", "r4")
        assert 0 == code
        assert "R4 MedicationRequest" in err  # stdout holds only the JSON
        request = RequestR4.model_validate(json.loads(out))
        assert "the person the plan is for" == request.subject.display
        assert "2026-11-24" == str(request.authoredOn)
        target = plan_copy.with_name("request.json")
        code, out, _ = run(
            capsys, "fhir", str(plan_copy), "-o", str(target), "--subject", "Patient/7"
        )
        assert 0 == code
        assert f"Wrote {target}: a FHIR R5 MedicationRequest" in out
        request = MedicationRequest.model_validate_json(target.read_bytes())
        assert "Patient/7" == request.subject.reference

    def test_fhir_bundle(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--bundle adds the journal's resources around the request."""
        from fhir.resources.bundle import Bundle

        code, out, err = run(capsys, "fhir", str(plan_copy), "--bundle")
        assert 0 == code
        assert "R5 Bundle of" in err
        bundle = Bundle.model_validate(json.loads(out))
        kinds = [e.resource.get_resource_type() for e in bundle.entry]
        assert "MedicationRequest" == kinds[0]
        assert "AdverseEvent" in kinds  # the example journal's mild report

    def test_fhir_refuses_a_bad_subject(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A subject that is not a reference is a one-line error, exit 2."""
        code, out, err = run(capsys, "fhir", str(plan_copy), "--subject", "x y")
        assert (2, "") == (code, out)
        assert "mgplan: --subject: expected a FHIR reference" in err

    def test_ics_tasks(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--tasks writes a to-do per intake instead of dose events."""
        target = plan_copy.with_name("tasks.ics")
        code, out, _ = run(capsys, "ics", str(plan_copy), "-o", str(target), "--tasks")
        assert 0 == code
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
        todos = calendar.walk("VTODO")
        assert todos
        assert f"{len(todos)} tasks" in out
        assert not [e for e in calendar.walk("VEVENT") if "-s0@" in str(e["UID"])]

    def test_ics_counts_what_it_wrote(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The summary line counts the events and tasks written, and the
        cancelled ones among them (a severe report cancels the evenings of
        its pause)."""
        assert 0 == run(capsys, "report", str(plan_copy), "--severity", "severe")[0]
        target = plan_copy.with_name("both.ics")
        code, out, _ = run(
            capsys, "ics", str(plan_copy), "-o", str(target), "--items", "both"
        )
        assert 0 == code
        calendar = icalendar.Calendar.from_ical(target.read_bytes())
        said = []
        for kind, word in (("VEVENT", "events"), ("VTODO", "tasks")):
            items = calendar.walk(kind)
            gone = sum(str(i.get("STATUS")) == "CANCELLED" for i in items)
            assert gone
            said.append(f"{len(items)} {word} ({gone} cancelled)")
        assert f"{target}: {', '.join(said)}." in out

    def test_chart_png_and_svg(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """chart draws a PNG or an SVG by the file's suffix."""
        for name, magic in (("c.png", b"\x89PNG"), ("c.svg", b"<?xml")):
            assert (
                0 == run(capsys, "chart", str(EXAMPLE), "-o", str(tmp_path / name))[0]
            )
            assert (tmp_path / name).read_bytes().startswith(magic)

    def test_chart_without_matplotlib(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Without the chart extra, the message says how to install it."""
        monkeypatch.setitem(sys.modules, "matplotlib", None)
        code, _, err = run(capsys, "chart", str(EXAMPLE), "-o", str(tmp_path / "c.png"))
        assert 1 == code
        assert "pip install 'mgplan[chart]'" in err

    def test_sync(
        self,
        plan_copy: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """sync pushes the plan to a CalDAV server; again, it changes nothing."""
        with radicale(tmp_path) as server:
            url = server.calendar_url("magnesium")
            monkeypatch.setenv("MGPLAN_CALDAV_PASSWORD", PASSWORD)
            argv = [
                "sync",
                str(plan_copy),
                "--url",
                url,
                "--username",
                USER,
                "--compact",
            ]
            code, out, _ = run(capsys, *argv)
            assert 0 == code
            assert "created" in out
            code, out, _ = run(capsys, *argv)
            assert "0 created, 0 updated, 0 deleted" in out

    def test_sync_reads_back_ticked_tasks(
        self,
        plan_copy: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """With --tasks, an evening whose tasks were ticked off on a phone is
        logged as taken by the next sync, and says so; --push-only reads
        nothing."""
        import caldav as caldav_client

        from mgplan.ics import uid_for

        # A month of the example is enough here: a year is about 730 items,
        # which Radicale stores one by one on every first sync.
        text = plan_copy.read_text()
        assert "end_date = 2027-10-31" in text
        plan_copy.write_text(
            text.replace("end_date = 2027-10-31", "end_date = 2026-11-30")
        )
        with radicale(tmp_path) as server:
            url = server.calendar_url("magnesium")
            monkeypatch.setenv("MGPLAN_CALDAV_PASSWORD", PASSWORD)
            argv = ["sync", str(plan_copy), "--url", url, "--username", USER]
            code, out, _ = run(capsys, *argv, "--tasks")
            assert 0 == code
            assert "Nothing new to read from the calendar." in out
            day = mgplan.load_plan(plan_copy).plan().day(dt.date(2026, 11, 5))
            client = caldav_client.DAVClient(url=url, username=USER, password=PASSWORD)
            for intake in day.intakes:
                uid = uid_for("glycinate-example", day.date, intake.slot_index)
                obj = client.calendar(url=url).object_by_uid(uid.replace("@", "-task@"))
                cal = icalendar.Calendar.from_ical(obj.data)
                [todo] = cal.walk("VTODO")
                todo["STATUS"] = "COMPLETED"
                obj.data = cal.to_ical().decode()
                obj.save()
            code, out, _ = run(capsys, *argv, "--push-only", "--tasks")
            assert "Read from" not in out
            assert "0 created, 0 updated, 0 deleted" in out
            code, out, _ = run(capsys, *argv, "--tasks")
            assert 0 == code
            assert "Read from the calendar into the journal (1):" in out
            assert "Took the evening's dose of 2026-11-05" in out
            code, out, _ = run(capsys, "journal", str(plan_copy))
            assert "2026-11-05  taken" in out
            assert "[from the calendar]" in out.split("2026-11-05  taken")[1]
            code, out, _ = run(capsys, *argv, "--tasks")
            assert "Nothing new to read from the calendar." in out


class TestErrors:
    @pytest.mark.parametrize(
        ("argv", "code", "message"),
        [
            (["show", "missing.toml"], 2, "missing.toml: file: expected an existing"),
            (
                ["report", str(EXAMPLE), "--symptom", "hiccups", "--severity", "mild"],
                2,
                "--symptom: expected one of",
            ),
            (
                [
                    "report",
                    str(EXAMPLE),
                    "--symptom",
                    "nausea",
                    "--severity",
                    "mild",
                    "--date",
                    "2030-01-01",
                ],
                2,
                "--date: expected a date from",
            ),
            (["tonight", str(EXAMPLE), "--date", "someday"], 2, "expected a date"),
            (
                ["convert", "500", "mg", "kryptonite"],
                2,
                "expected one of the catalogued",
            ),
            (["convert", "-5", "oxide"], 2, "expected a positive number"),
            (["frobnicate"], 2, "invalid choice"),
        ],
    )
    def test_one_line_and_exit_code(
        self, argv: list[str], code: int, message: str
    ) -> None:
        """Errors are one line on stderr with the right exit code, no traceback."""
        result = subprocess.run(
            [sys.executable, "-m", "mgplan", *argv],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert code == result.returncode
        assert message in result.stderr
        assert 1 == len(result.stderr.strip().splitlines())
        assert "Traceback" not in result.stderr

    def test_contraindication_exits_3(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A contraindication refuses to plan, with exit code 3."""
        text = plan_copy.read_text().replace(
            'age_band = "adult"', 'age_band = "adult"\nconditions = ["heart-block"]'
        )
        plan_copy.write_text(text)
        code, _, err = run(capsys, "show", str(plan_copy))
        assert 3 == code
        assert "heart block" in err

    def test_corrupt_journal(
        self, plan_copy: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A corrupt journal line is named with its file and line."""
        journal = plan_copy.with_name("glycinate.journal.jsonl")
        with journal.open("a") as handle:
            handle.write("garbage\n")
        code, _, err = run(capsys, "show", str(plan_copy))
        assert 2 == code
        assert f"{journal}:2:" in err


class TestHelp:
    @pytest.mark.parametrize(
        "command",
        [
            "init",
            "show",
            "tonight",
            "report",
            "skipped",
            "taken",
            "rls",
            "stools",
            "ferritin",
            "journal",
            "review",
            "summary",
            "ics",
            "sync",
            "fhir",
            "forms",
            "convert",
            "chart",
        ],
    )
    def test_every_command_has_help_with_an_example(
        self, command: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each command's --help shows at least one example."""
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert 0 == info.value.code
        out = capsys.readouterr().out
        assert "examples:" in out
        assert f"mgplan {command}" in out.split("examples:")[1]

    def test_help_does_not_import_heavy_libraries(self) -> None:
        """mgplan --help imports neither pydantic, icalendar nor matplotlib."""
        code = (
            "import sys, runpy\n"
            "sys.argv = ['mgplan', '--help']\n"
            "try:\n    runpy.run_module('mgplan', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('icalendar', 'matplotlib', 'caldav', 'pydantic')"
            " if m in sys.modules))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == result.stdout.strip().splitlines()[-1]

    def test_console_script_and_module(self) -> None:
        """`mgplan` and `python -m mgplan` are the same program."""
        script = shutil.which("mgplan", path=str(Path(sys.executable).parent))
        assert script is not None
        a = subprocess.run(
            [script, "--version"], capture_output=True, text=True, check=True
        )
        b = subprocess.run(
            [sys.executable, "-m", "mgplan", "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert a.stdout == b.stdout
        assert a.stdout.startswith("mgplan ")
