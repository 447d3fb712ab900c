"""Calendar updates in logging order: every export replaces the one before.

A calendar app keeps an event until an export with a higher SEQUENCE says
otherwise, so successive exports must never lower a SEQUENCE, must raise it
on every change, and must mark every intake that disappeared as CANCELLED
with a higher SEQUENCE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import re
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import ics
from mgplan._cli import main
from mgplan._engine import plan_history

from .strategies import resolutions, scenarios

D = dt.date.fromisoformat
EXAMPLE = Path(__file__).parent.parent / "examples" / "glycinate.toml"


Events = dict[str, tuple[int, bool, tuple[str, ...]]]

# A content line (RFC 5545 3.1): a name, ;PARAM=value parameters (a quoted
# value may hold ':'), then ':' and the value.
_PARAM = r'(?:"[^"]*"|[^";:,]*)'
_LINE = re.compile(rf"([A-Z0-9-]+)((?:;[A-Z0-9-]+={_PARAM}(?:,{_PARAM})*)*):(.*)")


def _events(data: bytes) -> Events:
    """UID -> (SEQUENCE, cancelled, what a calendar shows), read from the
    content lines as written: text escaped, DTSTART with its parameters.

    The hypothesis tests below read hundreds of exports each, and
    icalendar's parser took two thirds of their time;
    ``test_the_line_reader_reads_as_icalendar_does`` holds this reader to it.
    """
    found: Events = {}
    event: dict[str, str] = {}
    depth = 0  # 1 inside a VEVENT, more inside its VALARM
    for line in re.sub("\r\n[ \t]", "", data.decode()).split("\r\n"):
        if line.startswith("BEGIN:") and (depth or line == "BEGIN:VEVENT"):
            if not depth:
                event = {}
            depth += 1
        elif depth and line.startswith("END:"):
            depth -= 1
            if not depth:
                content = (
                    event["SUMMARY"],
                    event["DESCRIPTION"],
                    event["DTSTART"],
                    event.get("RRULE", ""),
                )
                cancelled = event.get("STATUS") == "CANCELLED"
                found[event["UID"]] = (int(event["SEQUENCE"]), cancelled, content)
        elif depth == 1:
            match = _LINE.fullmatch(line)
            assert match, line
            name, params, value = match.groups()
            event[name] = f"{params}:{value}" if name == "DTSTART" else value
    return found


def _unescape(text: str) -> str:
    """A TEXT value as read (RFC 5545 3.3.11)."""
    return re.sub(
        r"\\([\\;,nN])", lambda m: {"n": "\n", "N": "\n"}.get(m[1], m[1]), text
    )


def _check_update(old: Events, new: Events) -> None:
    """*new*, exported after *old*, replaces it cleanly in a calendar."""
    for uid, (seq, cancelled, content) in old.items():
        assert uid in new, f"{uid} vanished without CANCELLED"
        seq2, cancelled2, content2 = new[uid]
        assert seq2 >= seq, f"{uid}: SEQUENCE fell from {seq} to {seq2}"
        if (cancelled2, content2) != (cancelled, content):
            assert seq2 > seq, f"{uid} changed without a higher SEQUENCE"


@pytest.mark.parametrize("compact", [False, True])
def test_the_line_reader_reads_as_icalendar_does(compact: bool) -> None:
    """``_events`` sees what icalendar sees: every event, its SEQUENCE and
    status, its text, start and rule, and not its alarm's description."""
    regimen = mgplan.load_plan(EXAMPLE).regimen
    journal = [
        mgplan.SideEffectReport(
            date=regimen.dose_start + dt.timedelta(10), severity="severe"
        ),
        mgplan.Resolved(date=regimen.dose_start + dt.timedelta(14)),
    ]
    data = ics.to_ics(
        mgplan.plan(regimen, journal=journal),
        compact=compact,
        alarm_before=dt.timedelta(minutes=15),
    )
    ours = _events(data)
    theirs = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len(theirs) == len(ours)
    assert any(cancelled for _, cancelled, _ in ours.values())
    assert any(seq for seq, _, _ in ours.values())
    for event in theirs:
        seq, cancelled, (summary, description, start, rule) = ours[str(event["UID"])]
        assert int(event["SEQUENCE"]) == seq
        assert (str(event.get("STATUS")) == "CANCELLED") == cancelled
        assert str(event["SUMMARY"]) == _unescape(summary)
        assert str(event["DESCRIPTION"]) == _unescape(description)
        params, value = start.rsplit(":", 1)
        assert params == "".join(
            f";{name}={param}" for name, param in event["DTSTART"].params.items()
        )
        assert event["DTSTART"].to_ical().decode() == value
        recurs = event.get("RRULE")
        assert (recurs.to_ical().decode() if recurs else "") == rule
    if compact:
        assert any(rule for *_, (_, _, _, rule) in ours.values())


@st.composite
def logging_orders(draw: st.DrawFn) -> tuple[mgplan.Regimen, list[object]]:
    """A regimen and its journal in an arbitrary logging order: same-day
    entries, back-dated ones, resolutions, ratings and stools (which may
    grade as a side effect, or change nothing), retractions."""
    regimen, reports, missed = draw(scenarios())
    resolved = draw(resolutions(regimen.start_date, 40))
    outcomes: list[object] = draw(
        st.lists(
            st.one_of(
                st.builds(
                    mgplan.RlsRating,
                    date=st.integers(0, 39).map(
                        lambda k: regimen.start_date + dt.timedelta(k)
                    ),
                    night=st.integers(0, 10),
                ),
                st.builds(
                    mgplan.Stools,
                    date=st.integers(0, 39).map(
                        lambda k: regimen.dose_start + dt.timedelta(k)
                    ),
                    count=st.integers(0, 6),
                    bristol=st.integers(3, 7),
                ),
            ),
            max_size=6,
        )
    )
    entries: list[object] = draw(
        st.permutations([*reports, *missed, *resolved, *outcomes])
    )
    # Now and then, take back an earlier entry that still counts.
    log: list[object] = []
    live: list[int] = []
    for entry in entries:
        log.append(entry)
        live.append(len(log))
        if draw(st.integers(0, 3)) == 0:
            target = live.pop(draw(st.integers(0, len(live) - 1)))
            when = max(e.date for e in log)  # type: ignore[attr-defined]
            log.append(mgplan.Retracted(date=when, entry=target))
    return regimen, log


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logging_orders(), st.booleans())
def test_successive_exports_update_cleanly(
    scenario: tuple[mgplan.Regimen, list[object]], compact: bool
) -> None:
    """Export after each entry, in logging order: SEQUENCE never falls,
    rises on every change, and vanished intakes come back CANCELLED."""
    regimen, log = scenario
    previous: Events | None = None
    for count in range(len(log) + 1):
        s = mgplan.plan(regimen, journal=log[:count])  # type: ignore[arg-type]
        if not any(e.intakes for e in s.days):
            continue
        events = _events(ics.to_ics(s, compact=compact))
        if previous is not None:
            _check_update(previous, events)
        previous = events


def test_same_day_mild_then_severe_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """report mild, export, report severe the same day, export: the
    reminders inside the pause are CANCELLED with a higher SEQUENCE."""
    monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
    plan = tmp_path / "plan.toml"
    plan.write_text(EXAMPLE.read_text())

    def run(*argv: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            assert 0 == main(list(argv))

    run("report", str(plan), "--severity", "mild")
    run("ics", str(plan), "-o", str(tmp_path / "a.ics"))
    run("report", str(plan), "--severity", "severe")
    run("ics", str(plan), "-o", str(tmp_path / "b.ics"))
    a = (tmp_path / "a.ics").read_bytes()
    b = (tmp_path / "b.ics").read_bytes()
    before, after = _events(a), _events(b)
    _check_update(before, after)
    cancelled = [uid for uid, (_, c, _) in after.items() if c]
    assert cancelled
    for uid in cancelled:
        assert after[uid][0] > before[uid][0]


class TestPlanIds:
    def test_init_writes_a_unique_id(self, tmp_path: Path) -> None:
        """Two plans made with init never share an id."""
        ids = []
        for name in ("a.toml", "b.toml"):
            path = tmp_path / name
            with contextlib.redirect_stdout(io.StringIO()):
                assert 0 == main(["init", str(path), "--tz", "UTC"])
            regimen = mgplan.load_plan(path).regimen
            assert regimen.typed("id")
            ids.append(regimen.id)
        assert ids[0] != ids[1]

    def test_export_without_an_id_warns(self) -> None:
        """A calendar of a regimen without an id warns that UIDs may clash."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        regimen = mgplan.Regimen(product=product, start_date=D("2027-01-04"), tz="UTC")
        with pytest.warns(mgplan.MgplanWarning, match="Regimen.id is not set"):
            ics.to_ics(mgplan.plan(regimen))

    def test_uids_survive_a_new_start_and_form(self) -> None:
        """UIDs are plan id + date + slot: moving the start a week or
        switching the form keeps every shared evening's UID."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        regimen = mgplan.Regimen(
            id="mine",
            product=product,
            start_date=D("2027-01-04"),
            tz="UTC",
            end_date=D("2027-02-28"),
        )
        citrate = mgplan.Product(name="C", form="citrate", amount_per_unit=100)
        moved = regimen.replace(start_date=D("2027-01-11"), product=citrate)

        def uids(r: mgplan.Regimen) -> set[str]:
            return {
                str(e["UID"])
                for e in icalendar.Calendar.from_ical(ics.to_ics(mgplan.plan(r))).walk(
                    "VEVENT"
                )
            }

        before, after = uids(regimen), uids(moved)
        assert after <= before  # every evening of the new plan keeps its UID
        assert {f"mine-202701{d}-s0@mgplan" for d in range(11, 32)} <= after


def test_cli_warning_is_one_line(tmp_path: Path) -> None:
    """The CLI turns mgplan's warnings into one line on stderr."""
    text = EXAMPLE.read_text().replace('id = "glycinate-example"\n', "")
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert 0 == main(["ics", str(plan), "-o", str(tmp_path / "p.ics")])
    lines = err.getvalue().splitlines()
    assert [mgplan.DISCLAIMER] == lines[1:]
    assert lines[0].startswith("mgplan: warning: Regimen.id is not set")


class TestText:
    """Text that reaches a calendar: control characters never get through."""

    BAD = ("a\r\nSUMMARY:Take 10 capsules", "nul\x00", "vt\x0b", "ff\x0c", "tab\t")

    @pytest.mark.parametrize("bad", BAD)
    def test_refused_at_input(self, bad: str) -> None:
        """Every text field a calendar shows refuses control characters,
        naming the field."""
        cases = [
            (
                "Product.name",
                lambda: mgplan.Product(name=bad, form="oxide", amount_per_unit=1),
            ),
            (
                "Slot.label",
                lambda: mgplan.Slot.model_validate({"time": "19:00", "label": bad}),
            ),
            (
                "SideEffectReport.note",
                lambda: mgplan.SideEffectReport(
                    date=D("2027-01-05"), severity="mild", note=bad
                ),
            ),
            (
                "ClinicianAck.clinician",
                lambda: mgplan.ClinicianAck(
                    date=D("2027-01-05"), clinician=bad, allows="end-stop"
                ),
            ),
            (
                "ClinicianOverride.reason",
                lambda: mgplan.ClinicianOverride(
                    clinician="Dr A", reason=bad, date=D("2027-01-05")
                ),
            ),
            (
                "Medicine.name",
                lambda: mgplan.SafetyProfile(
                    medicines=[{"name": bad, "times": ["08:00"]}]
                ),
            ),
        ]
        for field, make in cases:
            with pytest.raises(mgplan.InvalidInputError) as info:
                make()
            assert info.value.field.endswith(field.split(".")[-1]), field
            assert "control characters" in info.value.expected

    def test_calendar_name(self) -> None:
        """A calendar name with a line break is refused, naming it."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            ics.to_ics(_plain(), name="Mine\r\nBEGIN:VEVENT")
        assert "name" == info.value.field

    def test_cli_name_with_invalid_utf8(self, tmp_path: Path) -> None:
        """Undecodable bytes in --name are a one-line error, exit 2."""
        plan = tmp_path / "plan.toml"
        plan.write_text(EXAMPLE.read_text())
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(
                ["ics", str(plan), "-o", str(tmp_path / "x.ics"), "--name", "bad\udcff"]
            )
        assert 2 == code
        assert err.getvalue().startswith("mgplan: ")

    def test_export_escapes_what_came_from_elsewhere(self) -> None:
        """A schedule read from JSON with a control character in a decision
        still exports a calendar that three parsers read as one event each,
        also under python -O."""
        import json
        import subprocess
        import sys

        schedule = _plain()
        data = json.loads(schedule.to_json())
        data["decisions"][0]["message"] = (
            "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Take 10"
        )
        text = json.dumps(data)
        code = (
            "import sys, mgplan\n"
            "from mgplan import ics\n"
            "s = mgplan.Schedule.from_json(sys.stdin.read())\n"
            "sys.stdout.buffer.write(ics.to_ics(s))\n"
        )
        for flags in ([], ["-O"]):
            out = subprocess.run(
                [sys.executable, *flags, "-c", code],
                input=text.encode(),
                capture_output=True,
                check=True,
            ).stdout
            review = schedule.review_date is not None
            _three_parsers_agree(out, len(list(schedule.intakes())) + review)


def _plain() -> mgplan.Schedule:
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
    regimen = mgplan.Regimen(
        id="plain",
        product=product,
        start_date=D("2027-01-04"),
        tz="Europe/Berlin",
        end_date=D("2027-01-20"),
    )
    return mgplan.plan(regimen)


def _three_parsers_agree(data: bytes, events: int) -> None:
    import vobject
    from ical.calendar_stream import IcsCalendarStream

    parsed = icalendar.Calendar.from_ical(data)
    assert events == len(parsed.walk("VEVENT"))
    assert not any("Take 10" in str(e["SUMMARY"]) for e in parsed.walk("VEVENT"))
    assert events == len(IcsCalendarStream.calendar_from_ics(data.decode()).events)
    assert events == len(vobject.readOne(data.decode()).vevent_list)


class TestEventTexts:
    def test_cancelled_events_say_so(self) -> None:
        """A cancelled reminder's title says no magnesium, whatever a client
        does with STATUS."""
        s = _plain()
        report = mgplan.SideEffectReport(date=D("2027-01-08"), severity="severe")
        later = mgplan.plan(s.regimen, journal=[report], as_of=D("2027-01-08"))
        cancelled = [
            e
            for e in icalendar.Calendar.from_ical(ics.to_ics(later)).walk("VEVENT")
            if str(e.get("STATUS")) == "CANCELLED"
        ]
        assert cancelled
        doses = [e for e in cancelled if "-review@" not in str(e["UID"])]
        (review,) = [e for e in cancelled if "-review@" in str(e["UID"])]
        assert doses
        for event in doses:
            assert ics.CANCELLED_SUMMARY == str(event["SUMMARY"])
            assert "take no magnesium" in str(event["DESCRIPTION"])
            assert not event.walk("VALARM")
        assert "Cancelled \u2014 review" == str(review["SUMMARY"])
        assert "magnesium at" not in str(review["DESCRIPTION"])

    def test_a_cancelled_refill_reminder_does_not_say_no_magnesium(self) -> None:
        """A step back makes the last container last past the plan's end: its
        refill reminder, cancelled, said "Cancelled - no magnesium this
        evening" and "take no magnesium at this time" on a day with a dose.
        Items that are not doses say what they were."""
        product = mgplan.Product(
            name="G", form="glycinate", amount_per_unit=50, units_per_container=60
        )
        regimen = mgplan.Regimen(
            id="refill",
            product=product,
            start_date=D("2027-01-04"),
            tz="UTC",
            start_dose="100 mg",
            target_dose="200 mg",
            end_date=D("2027-04-30"),
        )
        report = mgplan.SideEffectReport(date=D("2027-04-23"), severity="severe")
        later = mgplan.plan(regimen, journal=[report])
        events = icalendar.Calendar.from_ical(ics.to_ics(later, refill=True))
        refills = [
            e
            for e in events.walk("VEVENT")
            if "-refill-" in str(e["UID"]) and str(e.get("STATUS")) == "CANCELLED"
        ]
        assert refills
        dosed = [e for e in refills if later.day(e.decoded("DTSTART")).intakes]
        assert dosed  # the case: a cancelled refill on an evening with a dose
        for event in refills:
            assert "Cancelled \u2014 refill reminder" == str(event["SUMMARY"])
            assert "magnesium at" not in str(event["DESCRIPTION"])
            assert not event.walk("VALARM")

    def test_dash_o_dash_writes_to_stdout(self, tmp_path: Path) -> None:
        """'-o -' prints the calendar (and nothing else) on stdout and makes
        no file named '-'."""
        import os
        import subprocess
        import sys

        plan = tmp_path / "plan.toml"
        plan.write_text(EXAMPLE.read_text())
        done = subprocess.run(
            [sys.executable, "-m", "mgplan", "ics", str(plan), "-o", "-"],
            cwd=tmp_path,
            capture_output=True,
            check=True,
            env={**os.environ, "MGPLAN_TODAY": "2026-12-10"},
        )
        assert done.stdout.startswith(b"BEGIN:VCALENDAR")
        assert done.stdout.rstrip().endswith(b"END:VCALENDAR")
        icalendar.Calendar.from_ical(done.stdout)
        assert not (tmp_path / "-").exists()
        assert b"not medical advice" in done.stderr


class TestPauseNotices:
    """The dose reminders stop while a plan is paused or stopped; an
    all-day event says why and what ends it (the calendar went quiet)."""

    def regimen(self, start_dose: str = "100 mg") -> mgplan.Regimen:
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        return mgplan.Regimen(
            id="pause",
            product=product,
            start_date=D("2027-01-04"),
            tz="Europe/Berlin",
            start_dose=start_dose,
            target_dose="200 mg",
            end_date=D("2027-06-30"),
        )

    def notices(self, schedule: mgplan.Schedule) -> list[icalendar.Event]:
        calendar = icalendar.Calendar.from_ical(ics.to_ics(schedule, compact=True))
        return [e for e in calendar.walk("VEVENT") if "-pause-" in str(e["UID"])]

    def test_waiting_for_the_symptoms_to_go(self) -> None:
        """From the severe report to the day the waiting begins (not to the
        plan's end date), with what restarts it."""
        severe = mgplan.SideEffectReport(date=D("2027-01-14"), severity="severe")
        # The shortest pause is 7 days: the evenings of the 14th to the 20th;
        # recorded as gone, the plan restarts on the 21st at the earliest.
        # With an end date or without one (the plan then ends on the 20th,
        # and the notice said the 20th).
        for regimen in (self.regimen(), self.regimen().replace(end_date=None)):
            s = mgplan.plan(regimen, journal=[severe])
            assert "resolution" == s.waiting_for
            (notice,) = self.notices(s)
            assert (D("2027-01-14"), D("2027-01-22")) == (
                notice.decoded("DTSTART"),
                notice.decoded("DTEND"),
            )
            assert "Magnesium paused: none these evenings" == str(notice["SUMMARY"])
            text = str(notice["DESCRIPTION"])
            assert text.startswith("Severe loose stools on 2027-01-14")
            assert "record it (mgplan resolved" in text
            assert "restarts that evening, on 2027-01-21 at the earliest" in text
            gone = mgplan.Resolved(date=D("2027-01-15"))
            resumed = mgplan.plan(regimen, journal=[severe, gone])
            assert not resumed.day(D("2027-01-20")).intakes
            assert resumed.day(D("2027-01-21")).intakes

    def test_a_pause_lengthened_by_a_severe_report(self) -> None:
        """A 21-day pause at the lowest dose, and a severe report while
        paused about an earlier evening: the pause lasts to the 21 days'
        end. Worked out from the decisions, the earliest restart was the
        severe report's day plus the 7-day shortest pause, ten days early;
        it is the engine's (``Schedule.restart_from``), here and in the CLI."""
        from mgplan._cli._common import _waiting_text

        regimen = self.regimen().replace(start_date=D("2027-01-01"))
        policy = mgplan.TolerancePolicy(hold_days=21, pause_days=7)
        reports = [
            mgplan.SideEffectReport(date=D("2027-01-06"), severity="moderate"),
            mgplan.SideEffectReport(
                date=D("2027-01-10"), severity="severe", dose_date=D("2027-01-02")
            ),
        ]
        s = mgplan.plan(regimen, reports=reports, policy=policy)
        assert ("resolution", D("2027-01-27")) == (s.waiting_for, s.restart_from)
        (notice,) = self.notices(s)
        assert D("2027-01-28") == notice.decoded("DTEND")
        assert "on 2027-01-27 at the earliest" in str(notice["DESCRIPTION"])
        text = _waiting_text(s, D("2027-01-12"))
        assert "it restarts on 2027-01-27 at the earliest" in text
        gone = mgplan.Resolved(date=D("2027-01-15"))
        resumed = mgplan.plan(regimen, reports=reports, resolved=[gone], policy=policy)
        assert not resumed.day(D("2027-01-26")).intakes
        assert resumed.day(D("2027-01-27")).intakes
        assert resumed.restart_from is None
        assert s == mgplan.Schedule.from_json(s.to_json())

    def test_a_pause_that_ends_says_when(self) -> None:
        """Once resolved, the notice spans the paused days and names the
        evening magnesium restarts, with its dose; the update is a new
        SEQUENCE of the same event."""
        severe = mgplan.SideEffectReport(date=D("2027-01-14"), severity="severe")
        gone = mgplan.Resolved(date=D("2027-01-18"))
        s = mgplan.plan(self.regimen(), journal=[severe, gone])
        (notice,) = self.notices(s)
        restart = notice.decoded("DTEND")
        assert s.day(restart).intakes
        assert not s.day(restart - dt.timedelta(1)).intakes
        assert (
            f"Magnesium restarts on {restart}: {s.describe_dose(s.day(restart))}."
            in (str(notice["DESCRIPTION"]))
        )
        assert 1 == notice["SEQUENCE"]

    def test_a_pause_into_a_trials_off_block_claims_no_restart(self) -> None:
        """A severe report late in a trial's on block pauses it into the off
        block: no dose follows the pause, so the notice says what comes
        ("trial-off"), not "Magnesium restarts on" an evening without it."""
        regimen = self.regimen().replace(
            preset="standard",
            start_dose="100 mg",
            end_date=None,
            maintenance_days=14,
            trial=mgplan.Trial(pairs=2, block_days=7, washout_days=2, seed=42),
        )
        plain = mgplan.plan(regimen)
        blocks = plain.trial_blocks()
        on = next(
            b
            for b, then in itertools.pairwise(blocks)
            if (b.arm, then.arm) == ("on", "off")
        )
        after = on.end + dt.timedelta(1)
        assert "trial-off" == plain.day(after).phase
        severe = mgplan.SideEffectReport(
            date=on.end - dt.timedelta(1), severity="severe"
        )
        gone = mgplan.Resolved(date=on.end)
        s = mgplan.plan(regimen, journal=[severe, gone])
        (notice,) = self.notices(s)
        assert after == notice.decoded("DTEND")
        text = str(notice["DESCRIPTION"])
        assert f"From {after} the plan is trial-off." in text
        assert "restarts on" not in text

    def test_a_stop_waits_for_a_clinician(self) -> None:
        """At the lowest dose a severe report stops the plan: a one-day
        notice, not a banner to the end date."""
        severe = mgplan.SideEffectReport(date=D("2027-01-06"), severity="severe")
        s = mgplan.plan(self.regimen(start_dose="50 mg"), journal=[severe])
        assert "clinician" == s.waiting_for
        (notice,) = self.notices(s)
        assert (D("2027-01-06"), D("2027-01-07")) == (
            notice.decoded("DTSTART"),
            notice.decoded("DTEND"),
        )
        assert "Magnesium stopped: talk to a clinician" == str(notice["SUMMARY"])
        assert "clinician's acknowledgement" in str(notice["DESCRIPTION"])

    def test_the_pause_task_across_exports(self) -> None:
        """With tasks, the severe pause's task, exported after each entry
        (the report, the resolution, the report taken back): due when the
        shortest pause is over, unchanged by the resolution, cancelled when
        the report goes, its SEQUENCE never falling."""
        severe = mgplan.SideEffectReport(date=D("2027-01-14"), severity="severe")
        log: list[object] = [
            severe,
            mgplan.Resolved(date=D("2027-01-23")),
            mgplan.Retracted(date=D("2027-01-24"), entry=1),
        ]
        uid = ics.pause_task_uid("pause", D("2027-01-14"))
        seen = []
        for count in range(1, len(log) + 1):
            s = mgplan.plan(self.regimen(), journal=log[:count])  # type: ignore[arg-type]
            calendar = icalendar.Calendar.from_ical(ics.to_ics(s, items="tasks"))
            (task,) = [t for t in calendar.walk("VTODO") if str(t["UID"]) == uid]
            seen.append(
                (task.decoded("DUE"), int(task["SEQUENCE"]), str(task["STATUS"]))
            )
        due = D("2027-01-21")  # the report's day and the 7-day shortest pause
        assert [(due, 0, "NEEDS-ACTION"), (due, 0, "NEEDS-ACTION")] == seen[:2]
        assert (due, "CANCELLED") == (seen[2][0], seen[2][2])
        assert seen[2][1] > 0
        # Events only: the notice, and no task.
        paused = mgplan.plan(self.regimen(), journal=log[:1])  # type: ignore[arg-type]
        events = icalendar.Calendar.from_ical(ics.to_ics(paused, items="events"))
        assert not events.walk("VTODO")
        assert [n for n in events.walk("VEVENT") if "-pause-" in str(n["UID"])]

    def test_a_report_taken_back_cancels_its_notice(self) -> None:
        severe = mgplan.SideEffectReport(date=D("2027-01-14"), severity="severe")
        s = mgplan.plan(
            self.regimen(),
            journal=[severe, mgplan.Retracted(date=D("2027-01-14"), entry=1)],
        )
        (notice,) = self.notices(s)
        assert "CANCELLED" == str(notice["STATUS"])
        assert "Cancelled \u2014 pause notice" == str(notice["SUMMARY"])
        assert "magnesium at" not in str(notice["DESCRIPTION"])


def test_cli_title_and_refill_days(tmp_path: Path) -> None:
    """--title product and --refill-days reach the calendar."""
    plan = tmp_path / "plan.toml"
    plan.write_text(EXAMPLE.read_text())
    out = tmp_path / "p.ics"
    with contextlib.redirect_stdout(io.StringIO()):
        argv = ["ics", str(plan), "-o", str(out), "--title", "product"]
        assert 0 == main([*argv, "--refill", "--refill-days", "3"])
    events = icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    product = mgplan.load_plan(plan).regimen.product.name
    assert any(str(e["SUMMARY"]).startswith(product + ":") for e in events)
    refill = next(e for e in events if "refill" in str(e["UID"]))
    runs_out = D(str(refill["SUMMARY"]).rsplit(" ", 1)[-1])
    assert runs_out - dt.timedelta(3) == refill.start


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logging_orders(), st.booleans())
def test_sequences_equal_a_brute_force_count(
    scenario: tuple[mgplan.Regimen, list[object]], compact: bool
) -> None:
    """The snapshot-based SEQUENCE equals counting changes over every
    version planned from scratch, retractions included; and each version of
    the history is that plan (a report graded from stools was noted a second
    time in a version, as 'after the plan's last evening', when the version
    graded the stools anew)."""
    regimen, log = scenario
    final = mgplan.plan(regimen, journal=log)  # type: ignore[arg-type]
    history = dict(enumerate(version for _, version in plan_history(final)))
    if not any(e.intakes for e in final.days):
        return
    counted: dict[str, int] = {}
    state: dict[str, tuple[str, ...] | None] = {}
    for count in range(len(log) + 1):
        version = mgplan.plan(regimen, journal=log[:count])  # type: ignore[arg-type]
        if count < len(log) and len(history) == len(log):  # none refused
            assert history[count] == version
        if not any(e.intakes for e in version.days):
            now: dict[str, tuple[str, ...]] = {}
        else:
            now = {
                uid: content
                for uid, (_, cancelled, content) in _events(
                    ics.to_ics(version, compact=compact)
                ).items()
                if not cancelled
            }
        for uid in set(state) | set(now):
            if uid in state and state[uid] != now.get(uid):
                counted[uid] = counted.get(uid, 0) + 1
            if uid in now or uid in state:
                state[uid] = now.get(uid)
    got = {
        uid: seq
        for uid, (seq, _, _) in _events(ics.to_ics(final, compact=compact)).items()
    }
    assert {u: n for u, n in counted.items() if n} == {
        u: n for u, n in got.items() if n
    }


def test_a_version_the_engine_refuses_is_not_one() -> None:
    """A journal put together by hand may log a rating dated past where the
    plan then ended before the back-dated report that moved the end (the
    command line checks each entry against the plan so far, so it cannot).
    That first version was never a plan: the history leaves it out, the
    final plan still exports, and an export after the plan without entries
    updates cleanly."""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        id="byhand",
        product=product,
        start_date=D("2027-01-04"),
        tz="Europe/Berlin",
        start_dose="50 mg",
        step="50 mg",
        target_dose="100 mg",
        maintenance_days=20,
    )
    without = mgplan.plan(regimen)
    log = [
        mgplan.RlsRating(date=without.end + dt.timedelta(3), night=4),
        mgplan.SideEffectReport(
            date=D("2027-01-12"), symptom="loose-stools", severity="moderate"
        ),
    ]
    with pytest.raises(mgplan.InvalidInputError, match="within the plan"):
        mgplan.plan(regimen, journal=log[:1])
    final = mgplan.plan(regimen, journal=log)
    assert final.end > log[0].date
    assert [v.journal for _, v in plan_history(final)] == [()]
    _check_update(_events(ics.to_ics(without)), _events(ics.to_ics(final)))


def _daily_log(
    regimen: mgplan.Regimen, days: int, *, with_outcomes: bool
) -> list[object]:
    """Reports every five weeks; with *with_outcomes*, a dose taken and a
    rating every evening and stools within the usual every other day, as a
    person who logs everything for *days* days does."""
    log: list[object] = []
    for i in range(days):
        day = regimen.dose_start + dt.timedelta(i)
        if with_outcomes:
            log.append(mgplan.Taken(date=day))
            log.append(mgplan.RlsRating(date=day, night=4, sleep_satisfaction=6))
            if i % 2:
                log.append(mgplan.Stools(date=day, count=1, bristol=4))
        if i % 35 == 20:
            log.append(
                mgplan.SideEffectReport(
                    date=day, symptom="loose-stools", severity="mild"
                )
            )
    return log


@pytest.mark.parametrize("compact", [False, True])
def test_entries_that_change_nothing_change_no_calendar(
    compact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dose taken, a rating or stools within the usual change nothing in the
    plan: the calendar is the same bytes with them as without, and no
    version of the history is built for them. (A journal of two and a half
    years of daily entries made a version each: 'mgplan ics' took three
    minutes and 8 GB; the versions were also all held at once.)"""
    product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
    regimen = mgplan.Regimen(
        id="daily",
        product=product,
        start_date=D("2027-01-04"),
        tz="Europe/Berlin",
        slots=["19:00", "21:30"],
        maintenance_days=400,
    )
    built: list[dt.date | None] = []
    real = ics._items

    def counting(schedule: mgplan.Schedule, *args: object, **kw: object) -> object:
        built.append(args[1] if len(args) > 1 else None)  # type: ignore[arg-type]
        return real(schedule, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(ics, "_items", counting)
    exports = []
    counts = []
    for with_outcomes in (False, True):
        log = _daily_log(regimen, 360, with_outcomes=with_outcomes)
        schedule = mgplan.plan(regimen, journal=log)  # type: ignore[arg-type]
        built.clear()
        exports.append(ics.to_ics(schedule, compact=compact))
        counts.append(len(built))
        if with_outcomes:
            assert len(plan_history(schedule)) > 900  # every entry a version
    assert exports[0] == exports[1]
    assert counts[0] == counts[1] < 20
